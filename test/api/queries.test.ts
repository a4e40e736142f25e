/**
 * Every query over HTTP against the real Neo4j and real (small, trained here) models:
 * workflows, runs (filters, sorts, pages), run(id), anomalySeries, labelledSubgraphs, models.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FEATURE_NAMES } from '../../src/features/job-features';
import { writeRunBatch } from '../../src/graph/runs';
import { TemplateCatalog } from '../../src/graph/templates';
import type { SourceRun } from '../../src/ingest/run-shape';
import { auth, errorOf, gql, type GqlResponse, LABELS, runId, startHarness, STEP, T0, type Harness } from './harness';

const N = 120;
let h: Harness;

before(async () => {
  h = await startHarness(N);
});
after(async () => {
  await h?.close();
});

describe('workflows', () => {
  it('gives the DAG size and run counts by label and category', async () => {
    const r = await gql(h.url, '{ workflows { name jobs edges runCount runsByLabel { label runs } runsByCategory { category count } } }');
    assert.equal(r.errors, undefined);
    assert.deepEqual(r.data?.workflows, [
      {
        name: 'mini',
        jobs: 3,
        edges: 2,
        runCount: N,
        runsByLabel: [
          { label: 'normal', runs: N / 4 },
          { label: 'cpu_2', runs: N / 4 },
          { label: 'hdd_50', runs: N / 4 },
          { label: 'loss_1', runs: N / 4 },
        ],
        runsByCategory: [
          { category: 'normal', count: N / 4 },
          { category: 'cpu', count: N / 4 },
          { category: 'hdd', count: N / 4 },
          { category: 'loss', count: N / 4 },
        ],
      },
    ]);
  });
});

describe('runs', () => {
  const PAGE = `query($filter: RunFilter, $first: Int!, $after: String, $orderBy: RunOrder) {
    runs(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { id label category startedAt prediction { score predicted } } }
    }
  }`;

  it('pages through every run once, newest first, with Relay cursors', async () => {
    const seen: string[] = [];
    let afterCursor: string | null = null;
    let pages = 0;
    for (;;) {
      const r: GqlResponse<Record<string, any>> = await gql(h.url, PAGE, { first: 50, after: afterCursor });
      assert.equal(r.errors, undefined, r.raw);
      const c = r.data?.runs;
      assert.equal(c.totalCount, N);
      for (const e of c.edges) seen.push(e.node.id);
      pages++;
      if (!c.pageInfo.hasNextPage) break;
      afterCursor = c.pageInfo.endCursor;
      assert.equal(c.edges.length, 50);
    }
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, N);
    assert.equal(seen[0], runId(N - 1), 'newest first by default');
    assert.equal(seen[N - 1], runId(0));
  });

  it('filters by true category, label, workflow and time range', async () => {
    const cat = await gql(h.url, PAGE, { first: 500, filter: { category: 'hdd' } });
    assert.equal(cat.data?.runs.totalCount, N / 4);
    assert.ok(cat.data?.runs.edges.every((e: any) => e.node.category === 'hdd'));
    const label = await gql(h.url, PAGE, { first: 500, filter: { label: 'loss_1', workflow: 'mini' } });
    assert.equal(label.data?.runs.edges.length, N / 4);
    const none = await gql(h.url, PAGE, { first: 500, filter: { workflow: 'nowcast-clustering-8' } });
    assert.equal(none.data?.runs.edges.length, 0);
    // Runs 10..19 start in [T0 + 10 STEP, T0 + 20 STEP) (start = ready time of the first job = t0).
    const from = new Date((T0 + 10 * STEP) * 1000).toISOString();
    const to = String((T0 + 20 * STEP) * 1000); // epoch ms also accepted
    const range = await gql(h.url, PAGE, { first: 500, filter: { from, to }, orderBy: { by: 'TIME', direction: 'ASC' } });
    assert.equal(range.errors, undefined, range.raw);
    assert.deepEqual(range.data?.runs.edges.map((e: any) => e.node.id), Array.from({ length: 10 }, (_, k) => runId(10 + k)));
    assert.equal(range.data?.runs.edges[0].node.startedAt, from);
  });

  it('filters by predicted category and score, sorts by score, after scoring with a named model', async () => {
    const score = await gql(h.url, 'mutation($m: String) { scoreRuns(model: $m) { runsScored } }', { m: h.binaryModel.id }, auth());
    assert.equal(score.data?.scoreRuns.runsScored, N, score.raw);
    const model = h.binaryModel.id;
    const all = await gql(h.url, PAGE, { first: 500, filter: { model }, orderBy: { by: 'SCORE', direction: 'DESC' } });
    assert.equal(all.errors, undefined, all.raw);
    const scores = all.data?.runs.edges.map((e: any) => e.node.prediction.score) as number[];
    // The node's prediction field uses the active (multiclass) model; the sort used `model`.
    const ranked = await gql(h.url, `query($f: RunFilter) { runs(filter: $f, first: 500, orderBy: {by: SCORE}) { nodes { id prediction(model: "${model}") { score predicted } } } }`, { f: { model } });
    const rs = ranked.data?.runs.nodes.map((n: any) => n.prediction.score) as number[];
    assert.equal(rs.length, N);
    for (let i = 1; i < rs.length; i++) assert.ok((rs[i - 1] as number) >= (rs[i] as number), 'sorted by score, descending');
    assert.equal(scores.length, N);

    const anomalous = await gql(h.url, `query($f: RunFilter) { runs(filter: $f, first: 500) { totalCount nodes { prediction(model: "${model}") { predicted score } } } }`, { f: { model, predictedCategory: 'anomalous' } });
    assert.equal(anomalous.errors, undefined, anomalous.raw);
    const expected = ranked.data?.runs.nodes.filter((n: any) => n.prediction.predicted === 'anomalous').length;
    assert.equal(anomalous.data?.runs.totalCount, expected);
    assert.ok(anomalous.data?.runs.nodes.every((n: any) => n.prediction.predicted === 'anomalous'));

    const band = await gql(h.url, `query($f: RunFilter) { runs(filter: $f, first: 500) { nodes { prediction(model: "${model}") { score } } } }`, { f: { model, minScore: 0.25, maxScore: 0.75 } });
    const inBand = rs.filter((s) => s >= 0.25 && s <= 0.75).length;
    assert.equal(band.data?.runs.nodes.length, inBand);
    assert.ok(band.data?.runs.nodes.every((n: any) => n.prediction.score >= 0.25 && n.prediction.score <= 0.75));
  });

  it('answers bad filter values with BAD_USER_INPUT naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ filter: { minScore: 1.5 } }, 'filter.minScore'],
      [{ filter: { category: 'disk' } }, 'filter.category'],
      [{ filter: { model: 'nope@1' } }, 'filter.model'],
      [{ filter: { predictedCategory: 'weird' } }, 'filter.predictedCategory'],
      [{ after: 'not-a-cursor' }, 'after'],
      [{ first: 501 }, 'first'],
      [{ first: -1 }, 'first'],
    ];
    for (const [vars, field] of cases) {
      const r = await gql(h.url, PAGE, { first: 10, ...vars });
      const e = errorOf(r);
      assert.equal(e.code, 'BAD_USER_INPUT', `${field}: ${r.raw}`);
      assert.equal(e.field, field, r.raw);
      assert.ok(e.message.startsWith(field), e.message);
    }
    const badTime = await gql(h.url, PAGE, { first: 10, filter: { from: 'yesterday' } });
    assert.equal(errorOf(badTime).code, 'BAD_USER_INPUT');
    assert.match(errorOf(badTime).message, /filter|from|Time/);
  });
});

describe('run(id)', () => {
  const RUN = `query($id: ID!) { run(id: $id) {
    id workflow label category level startedAt jobCount
    jobs { id name index type label category runtime features { name value } prediction { predicted score model { id level } } }
    edges { source target sourceJob targetJob }
    prediction { predicted score stored scoredAt probabilities { class probability } model { id version level task classes active } }
  } }`;

  it('gives the true label, jobs with features and per-job predictions, edges, and the prediction', async () => {
    const id = runId(5); // cpu_2
    const r = await gql(h.url, RUN, { id });
    assert.equal(r.errors, undefined, r.raw);
    const run = r.data?.run;
    assert.equal(run.id, id);
    assert.equal(run.label, 'cpu_2');
    assert.equal(run.category, 'cpu');
    assert.equal(run.level, 2);
    assert.equal(run.jobCount, 3);
    assert.deepEqual(run.jobs.map((j: any) => j.type), ['auxiliary', 'compute', 'auxiliary']);
    assert.deepEqual(run.jobs.map((j: any) => j.index), [0, 1, 2]);
    assert.ok(run.jobs.every((j: any) => j.label === 'cpu_2' && j.category === 'cpu'));
    assert.equal(run.jobs[1].runtime, 40 + (5 % 5));
    assert.deepEqual(run.jobs[0].features.map((f: any) => f.name), FEATURE_NAMES);
    const rt = run.jobs[1].features.find((f: any) => f.name === 'runtime');
    assert.equal(rt.value, run.jobs[1].runtime, 'features are raw');
    assert.equal(run.jobs[1].prediction.model.id, h.nodeModel.id);
    assert.equal(run.jobs[1].prediction.model.level, 'node');
    assert.deepEqual(run.edges, [
      { source: 0, target: 1, sourceJob: run.jobs[0].id, targetJob: run.jobs[1].id },
      { source: 1, target: 2, sourceJob: run.jobs[1].id, targetJob: run.jobs[2].id },
    ]);
    const p = run.prediction;
    assert.equal(p.model.id, h.graphModel.id);
    assert.equal(p.model.active, true);
    assert.equal(p.model.version, h.graphModel.id.split('@')[1]);
    assert.deepEqual(p.probabilities.map((c: any) => c.class), ['normal', 'cpu', 'hdd', 'loss']);
    const sum = p.probabilities.reduce((a: number, c: any) => a + c.probability, 0);
    assert.ok(Math.abs(sum - 1) < 1e-4, `probabilities sum to 1 (${sum})`);
    const best = p.probabilities.reduce((a: any, c: any) => (c.probability > a.probability ? c : a));
    assert.equal(p.predicted, best.class);
    assert.ok(Math.abs(p.score - (1 - p.probabilities[0].probability)) < 1e-6, 'score = 1 - P(normal)');
    assert.equal(p.stored, false, 'not scored yet with the active model: computed live');
    assert.equal(p.scoredAt, null);
  });

  it('reads the stored prediction once the run is scored, with the same verdict', async () => {
    const id = runId(7);
    const live = await gql(h.url, RUN, { id });
    const s = await gql(h.url, 'mutation { scoreRuns(filter: {label: "loss_1"}) { runsScored model { id } } }', {}, auth());
    assert.equal(s.data?.scoreRuns.runsScored, N / 4, s.raw);
    assert.equal(s.data?.scoreRuns.model.id, h.graphModel.id);
    const stored = await gql(h.url, RUN, { id });
    const a = live.data?.run.prediction;
    const b = stored.data?.run.prediction;
    assert.equal(b.stored, true);
    assert.ok(typeof b.scoredAt === 'string' && !Number.isNaN(Date.parse(b.scoredAt)));
    assert.equal(b.predicted, a.predicted);
    assert.ok(Math.abs(b.score - a.score) < 1e-6);
  });

  it('gives null for an unknown run and a prediction by a named model', async () => {
    const r = await gql(h.url, 'query($id: ID!, $m: String) { run(id: $id) { prediction(model: $m) { model { id task } probabilities { class } } } }', { id: 'normal/nope', m: null });
    assert.equal(r.data?.run, null);
    const b = await gql(h.url, 'query($id: ID!, $m: String) { run(id: $id) { prediction(model: $m) { model { id task } probabilities { class } } } }', { id: runId(1), m: h.binaryModel.id });
    assert.equal(b.data?.run.prediction.model.task, 'binary');
    assert.deepEqual(b.data?.run.prediction.probabilities.map((c: any) => c.class), ['normal', 'anomalous']);
    const wrongLevel = await gql(h.url, 'query($id: ID!, $m: String) { run(id: $id) { prediction(model: $m) { score } } }', { id: runId(1), m: h.nodeModel.id });
    assert.equal(errorOf(wrongLevel).code, 'BAD_USER_INPUT');
    assert.equal(errorOf(wrongLevel).field, 'model');
  });
});

describe('anomalySeries', () => {
  it('counts runs per bucket and true category, every bucket present', async () => {
    // 120 runs, one per 10 min: 20 h. Hourly buckets: 6 runs per full bucket.
    const r = await gql(h.url, `{ anomalySeries(from: "${new Date(T0 * 1000).toISOString()}", to: "${new Date((T0 + N * STEP) * 1000).toISOString()}", interval: "1h", by: TRUE_LABEL) {
      intervalSeconds categories points { time timestamp category count } buckets { time total anomalous counts { category count } } } }`);
    assert.equal(r.errors, undefined, r.raw);
    const s = r.data?.anomalySeries;
    assert.equal(s.intervalSeconds, 3600);
    assert.deepEqual(s.categories, ['normal', 'cpu', 'hdd', 'loss']);
    assert.equal(s.buckets.length, 20);
    assert.ok(s.buckets.every((b: any) => b.total === 6));
    assert.equal(s.buckets.reduce((a: number, b: any) => a + b.anomalous, 0), (3 * N) / 4);
    assert.equal(s.points.length, 20 * 4);
    const normal = s.points.filter((p: any) => p.category === 'normal').reduce((a: number, p: any) => a + p.count, 0);
    assert.equal(normal, N / 4);
    assert.equal(s.points[0].time, new Date(T0 * 1000).toISOString());
    assert.equal(s.points[0].timestamp, T0 * 1000);
  });

  it('answers the README Grafana panel query (epoch-ms $__from/$__to, predicted by the active model)', async () => {
    // As the GraphQL data source sends it once Grafana substituted $__from, $__to and $__interval.
    const query = `query {
  anomalySeries(workflow: "mini", from: "${T0 * 1000}", to: "${(T0 + N * STEP) * 1000}", interval: "2h") {
    points { Time: time category count }
  }
}`;
    const r = await gql(h.url, query);
    assert.equal(r.errors, undefined, r.raw);
    const pts = r.data?.anomalySeries.points;
    assert.ok(pts.length > 0);
    assert.ok(pts.every((p: any) => typeof p.Time === 'string' && !Number.isNaN(Date.parse(p.Time))));
    const cats = new Set(pts.map((p: any) => p.category));
    assert.deepEqual([...cats].sort(), ['cpu', 'hdd', 'loss', 'normal', 'unscored']);
    const total = pts.reduce((a: number, p: any) => a + p.count, 0);
    assert.equal(total, N);
    // Loss runs were scored with the active model above; the rest count as unscored.
    assert.equal(pts.filter((p: any) => p.category === 'unscored').reduce((a: number, p: any) => a + p.count, 0), N - N / 4);
  });

  it('refuses a bad interval or range with BAD_USER_INPUT', async () => {
    for (const [args, field] of [
      ['interval: "5 parsecs"', 'interval'],
      ['interval: "1s"', 'interval'],
      [`interval: "1h", from: "${(T0 + 100) * 1000}", to: "${T0 * 1000}"`, 'from'],
    ] as const) {
      const from = args.includes('from:') ? '' : `from: "${T0 * 1000}", to: "${(T0 + 365 * 86400) * 1000}", `;
      const r = await gql(h.url, `{ anomalySeries(${from}${args}, by: TRUE_LABEL) { intervalSeconds } }`);
      assert.equal(errorOf(r).code, 'BAD_USER_INPUT', r.raw);
      assert.equal(errorOf(r).field, field);
    }
  });
});

describe('labelledSubgraphs', () => {
  it('gives PyG-ready graphs: x [N, F], edgeIndex [2, E], labels, in pages', async () => {
    const Q = `query($after: String) { labelledSubgraphs(first: 40, after: $after, filter: {workflow: "mini"}) {
      featureNames featureScaling classes pageInfo { hasNextPage endCursor }
      nodes { runId label category y yBinary numNodes jobIds jobTypes nodeY edgeIndex x(fill: -1) } } }`;
    const first = await gql(h.url, Q);
    assert.equal(first.errors, undefined, first.raw);
    const c = first.data?.labelledSubgraphs;
    assert.deepEqual(c.featureNames, FEATURE_NAMES);
    assert.equal(c.featureScaling, 'raw');
    assert.deepEqual(c.classes, ['normal', 'cpu', 'hdd', 'loss']);
    assert.equal(c.nodes.length, 40);
    const g = c.nodes[2]; // run 2: hdd_50
    assert.equal(g.runId, runId(2));
    assert.equal(g.category, 'hdd');
    assert.equal(g.y, 2);
    assert.equal(g.yBinary, 1);
    assert.equal(g.numNodes, 3);
    assert.equal(g.x.length, 3);
    assert.ok(g.x.every((row: number[]) => row.length === FEATURE_NAMES.length && row.every((v) => typeof v === 'number')));
    assert.deepEqual(g.edgeIndex, [[0, 1], [1, 2]]);
    assert.deepEqual(g.nodeY, [2, 2, 2]);
    assert.deepEqual(g.jobTypes, ['auxiliary', 'compute', 'auxiliary']);
    assert.equal(g.jobIds[1], `${runId(2)}/work_ID01`);
    const stageIn = FEATURE_NAMES.indexOf('stage_in_delay');
    assert.equal(g.x[0][stageIn], -1, 'missing values take the fill value');
    assert.equal(g.x[1][FEATURE_NAMES.indexOf('runtime')], 25 + (2 % 4));
    const labels = [LABELS[0], LABELS[1]];
    assert.deepEqual(c.nodes.slice(0, 2).map((n: any) => n.label), labels);
    const rest = await gql(h.url, Q, { after: c.pageInfo.endCursor });
    assert.equal(rest.data?.labelledSubgraphs.nodes[0].runId, runId(40));
  });
});

describe('models', () => {
  it('lists the registry with metrics and the active models', async () => {
    const r = await gql(h.url, '{ models { id name version level task classes active registeredAt metrics { test { n accuracy f1 confusion } val { accuracy } } } }');
    assert.equal(r.errors, undefined, r.raw);
    const ms = r.data?.models as any[];
    assert.equal(ms.length, 3);
    const byId = new Map(ms.map((m) => [m.id, m]));
    assert.equal(byId.get(h.graphModel.id).active, true);
    assert.equal(byId.get(h.nodeModel.id).active, true);
    assert.equal(byId.get(h.binaryModel.id).active, false);
    const g = byId.get(h.graphModel.id);
    assert.ok(g.metrics.test.n > 0 && g.metrics.test.accuracy >= 0 && g.metrics.test.accuracy <= 1);
    assert.equal(g.metrics.test.confusion.length, 4);
    const one = await gql(h.url, 'query($id: ID!) { model(id: $id) { id task active } }', { id: h.binaryModel.id });
    assert.deepEqual(one.data?.model, { id: h.binaryModel.id, task: 'binary', active: false });
    const missing = await gql(h.url, '{ model(id: "nope@0") { id } }');
    assert.equal(missing.data?.model, null);
    const node = await gql(h.url, '{ models(level: "node") { id } }');
    assert.deepEqual(node.data?.models, [{ id: h.nodeModel.id }]);
  });
});

describe('run state, source and sub-workflows', () => {
  /** A one-job-per-name run as a Pegasus reader gives it (unlabelled, with state and source). */
  const sourceRun = (id: string, workflow: string, names: string[], state: SourceRun['state'], parent: SourceRun['parent'] = null): SourceRun => ({
    id,
    source: `/submit/${id}`,
    kind: 'stampede-db',
    workflow,
    truth: null,
    instance: id,
    runNumber: 1,
    state,
    startedAt: T0 + 10 * STEP,
    endedAt: state === 'running' ? null : T0 + 11 * STEP,
    jobs: names.map((name, index) => ({ id: `${id}/${name}`, runId: id, name, template: name, index, type: name.startsWith('sub') ? 'subwf' : 'compute', submit: T0 + index, executeStart: T0 + index + 1, executeEnd: T0 + index + 5 })),
    edges: names.slice(1).map((_, i) => [i, i + 1] as [number, number]),
    parent,
    contentHash: `${id}:${names.join(',')}:${state}`,
    missingColumns: [],
    unstoredColumns: [],
    derived: [],
    sentinelValues: 0,
  });

  it('gives a run its state, source format and file, and links a sub-workflow to its parent run and job both ways', async () => {
    const catalog = await TemplateCatalog.load(h.graph);
    await writeRunBatch(h.graph, [sourceRun('outer/p1', 'outer', ['pre', 'sub_inner'], 'failed'), sourceRun('inner/c1', 'inner', ['a', 'b'], 'running', { runId: 'outer/p1', jobName: 'sub_inner' })], catalog);
    const q = `query($id: ID!) { run(id: $id) { id state kind source parentRunId parentJob parent { id state } subworkflows { id state parentJob } } }`;
    const child = await gql(h.url, q, { id: 'inner/c1' });
    assert.equal(child.errors, undefined, child.raw);
    assert.deepEqual(child.data?.run, { id: 'inner/c1', state: 'running', kind: 'stampede-db', source: '/submit/inner/c1', parentRunId: 'outer/p1', parentJob: 'sub_inner', parent: { id: 'outer/p1', state: 'failed' }, subworkflows: [] });
    const parent = await gql(h.url, q, { id: 'outer/p1' });
    assert.equal(parent.errors, undefined, parent.raw);
    assert.deepEqual(parent.data?.run.subworkflows, [{ id: 'inner/c1', state: 'running', parentJob: 'sub_inner' }]);
    assert.equal(parent.data?.run.parent, null);
    assert.equal(parent.data?.run.parentRunId, null);
    // A trace-CSV run has no parent and no sub-workflows; its state comes from its file.
    const csv = await gql(h.url, q, { id: runId(0) });
    assert.equal(csv.data?.run.kind, 'flowgad-csv');
    assert.equal(csv.data?.run.parent, null);
    assert.deepEqual(csv.data?.run.subworkflows, []);
  });
});
