/**
 * Mutations over HTTP: keys refused and accepted; ingestRun (validated like the file ingest),
 * scoreRuns, activateModel, trainModel as a background job polled with trainingJob(id).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auth, errorOf, gql, KEY2, pushedRun, runId, startHarness, T0, type Harness } from './harness';

let h: Harness;
before(async () => {
  h = await startHarness(40);
});
after(async () => {
  await h?.close();
});

/** A run as a live monitor pushes it: the mini workflow's three jobs. */

const INGEST = 'mutation($input: RunInput!) { ingestRun(input: $input) { stored run { id label category jobCount startedAt prediction { predicted stored } } } }';

describe('API keys', () => {
  it('refuses mutations without a key or with a wrong one, and accepts either configured key', async () => {
    const m = 'mutation($id: ID!) { activateModel(id: $id) { id active } }';
    const vars = { id: h.graphModel.id };
    const none = await gql(h.url, m, vars);
    assert.equal(errorOf(none).code, 'UNAUTHENTICATED', none.raw);
    assert.equal(none.data, null);
    const wrong = await gql(h.url, m, vars, { authorization: 'Bearer not-a-key' });
    assert.equal(errorOf(wrong).code, 'UNAUTHENTICATED');
    const basic = await gql(h.url, m, vars, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    assert.equal(errorOf(basic).code, 'UNAUTHENTICATED');
    for (const key of [undefined, KEY2]) {
      const ok = await gql(h.url, m, vars, auth(key));
      assert.equal(ok.errors, undefined, ok.raw);
      assert.deepEqual(ok.data?.activateModel, { id: h.graphModel.id, active: true });
    }
    // Reads stay open by default.
    const read = await gql(h.url, '{ workflows { name } }');
    assert.equal(read.errors, undefined);
  });
});

describe('ingestRun', () => {
  it('stores a pushed run like a trace file; the same push again stores nothing', async () => {
    const input = pushedRun('LIVE0001');
    const r = await gql(h.url, INGEST, { input }, auth());
    assert.equal(r.errors, undefined, r.raw);
    const res = r.data?.ingestRun;
    assert.equal(res.stored, true);
    assert.equal(res.run.id, 'normal/mini-LIVE0001-run0001');
    assert.equal(res.run.jobCount, 3);
    assert.equal(res.run.startedAt, new Date((T0 + 10_000_000) * 1000).toISOString());
    assert.equal(res.run.prediction.stored, true, 'a fresh run is scored on arrival by the active model');
    const again = await gql(h.url, INGEST, { input }, auth());
    assert.equal(again.data?.ingestRun.stored, false);
    const count = await gql(h.url, '{ runs(filter: {workflow: "mini"}) { totalCount } }');
    assert.equal(count.data?.runs.totalCount, 41);
  });

  it('a changed run is a CONFLICT naming deleteRun; deleteRun (with a key) removes it whole, and the changed run is then stored', async () => {
    const changed = pushedRun('LIVE0001', 30);
    const conflict = await gql(h.url, INGEST, { input: changed }, auth());
    assert.equal(errorOf(conflict).code, 'BAD_USER_INPUT', conflict.raw);
    assert.match(errorOf(conflict).message, /already stored with different content; to replace it, delete it first \(wfad delete normal\/mini-LIVE0001-run0001 --yes, or the deleteRun mutation\)/);
    const DELETE = 'mutation($id: ID!) { deleteRun(id: $id) { id deleted jobs predictions } }';
    const none = await gql(h.url, DELETE, { id: 'normal/mini-LIVE0001-run0001' });
    assert.equal(errorOf(none).code, 'UNAUTHENTICATED');
    const del = await gql(h.url, DELETE, { id: 'normal/mini-LIVE0001-run0001' }, auth());
    assert.equal(del.errors, undefined, del.raw);
    assert.deepEqual(del.data?.deleteRun, { id: 'normal/mini-LIVE0001-run0001', deleted: true, jobs: 3, predictions: 1 });
    assert.equal((await gql(h.url, '{ run(id: "normal/mini-LIVE0001-run0001") { id } }')).data?.run, null);
    const again = await gql(h.url, DELETE, { id: 'normal/mini-LIVE0001-run0001' }, auth());
    assert.deepEqual(again.data?.deleteRun, { id: 'normal/mini-LIVE0001-run0001', deleted: false, jobs: 0, predictions: 0 });
    const stored = await gql(h.url, INGEST, { input: changed }, auth());
    assert.equal(stored.data?.ingestRun.stored, true, stored.raw);
    const count = await gql(h.url, '{ runs(filter: {workflow: "mini"}) { totalCount } }');
    assert.equal(count.data?.runs.totalCount, 41);
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, as the file ingest would', async () => {
    const bad = (mutate: (r: any) => void): Record<string, unknown> => {
      const r = pushedRun('LIVE0002') as any;
      mutate(r);
      return r;
    };
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [bad((r) => (r.jobs[1].runtime = -3)), 'input.jobs[1].runtime', /runtime=.*must not be negative/],
      [bad((r) => (r.jobs[1].type = 'gpu')), 'input.jobs[1].type', /is not one of compute, transfer, auxiliary/],
      [bad((r) => (r.jobs[0].submit = 0)), 'input.jobs[0].submit', /positive epoch time/],
      [bad((r) => (r.label = 'cpu_fast')), 'input.label', /unknown label/],
      [bad((r) => (r.jobs.pop(), (r.edges = null))), 'input.jobs', /job set does not match/],
      [bad((r) => (r.jobs[2].name = 'work_ID01')), 'input.jobs[1].name', /duplicate job/],
      [bad((r) => (r.instance = 'a/b')), 'input.instance', /letters, digits/],
      [bad((r) => (r.jobs[0].name = 'create_dir_OTHER_0_condorpool')), 'input.instance', /instance/],
      [bad((r) => (r.edges = [...r.edges, { parent: 'cleanup_LIVE0002_0_condorpool', child: 'create_dir_LIVE0002_0_condorpool' }])), 'input.edges', /the DAG has a cycle: /],
      [bad((r) => (r.edges = [{ parent: 'work_ID99', child: 'work_ID01' }])), 'input.edges[0]', /"work_ID99", which is not a job of the run/],
      [bad((r) => (r.edges = [...r.edges, r.edges[0]])), 'input.edges', /is listed twice/],
      [bad((r) => ((r.workflow = 'nowhere'), (r.edges = null))), 'input.workflow', /no workflow "nowhere" is stored: send the run's edges/],
    ];
    for (const [input, field, why] of cases) {
      const r = await gql(h.url, INGEST, { input }, auth());
      const e = errorOf(r);
      assert.equal(e.code, 'BAD_USER_INPUT', `${field}: ${r.raw}`);
      assert.equal(e.field, field, r.raw);
      assert.match(e.message, why);
    }
    // A required field missing is refused by GraphQL itself, naming it.
    const missing = bad((r) => delete r.jobs[0].submit);
    const r = await gql(h.url, INGEST, { input: missing }, auth());
    assert.equal(errorOf(r).code, 'BAD_USER_INPUT');
    assert.match(errorOf(r).message, /submit/);
    // Different content under a stored id: refused, not merged.
    const conflict = await gql(h.url, INGEST, { input: pushedRun('LIVE0001', 99) }, auth());
    assert.equal(errorOf(conflict).code, 'BAD_USER_INPUT');
    assert.match(errorOf(conflict).message, /already stored with different content/);
    const count = await gql(h.url, '{ runs(filter: {workflow: "mini"}) { totalCount } }');
    assert.equal(count.data?.runs.totalCount, 41, 'nothing stored by refused pushes');
  });
});

describe('scoreRuns and activateModel', () => {
  it('stores predictions for a filter; activateModel switches the default model', async () => {
    const s = await gql(h.url, 'mutation { scoreRuns(filter: {category: "cpu"}) { runsScored jobsScored model { id } } }', {}, auth());
    assert.equal(s.errors, undefined, s.raw);
    assert.equal(s.data?.scoreRuns.runsScored, 10);
    const stored = await gql(h.url, `{ runs(filter: {category: "cpu"}, first: 50) { nodes { prediction { stored } } } }`);
    assert.ok(stored.data?.runs.nodes.every((n: any) => n.prediction.stored === true));
    const other = await gql(h.url, `{ runs(filter: {category: "hdd"}, first: 50) { nodes { prediction { stored } } } }`);
    assert.ok(other.data?.runs.nodes.every((n: any) => n.prediction.stored === false));

    const jobs = await gql(h.url, 'mutation($m: String) { scoreRuns(model: $m, filter: {label: "normal"}) { runsScored jobsScored } }', { m: h.nodeModel.id }, auth());
    assert.deepEqual(jobs.data?.scoreRuns, { runsScored: 11, jobsScored: 33 });
    const job = await gql(h.url, 'query($id: ID!) { run(id: $id) { jobs { prediction { stored model { id } } } } }', { id: runId(0) });
    assert.ok(job.data?.run.jobs.every((j: any) => j.prediction.stored && j.prediction.model.id === h.nodeModel.id));

    const act = await gql(h.url, 'mutation($id: ID!) { activateModel(id: $id) { id active } }', { id: h.binaryModel.id }, auth());
    assert.equal(act.data?.activateModel.active, true);
    const models = await gql(h.url, '{ models(level: "graph") { id active } }');
    const active = models.data?.models.filter((m: any) => m.active).map((m: any) => m.id);
    // One active model per (level, task): the binary and the multiclass graph model are both active.
    assert.deepEqual(active.sort(), [h.binaryModel.id, h.graphModel.id].sort());
    const bad = await gql(h.url, 'mutation { activateModel(id: "nope@0") { id } }', {}, auth());
    assert.equal(errorOf(bad).code, 'BAD_USER_INPUT');
    assert.equal(errorOf(bad).field, 'id');
    const badScore = await gql(h.url, 'mutation { scoreRuns(model: "nope@0") { runsScored } }', {}, auth());
    assert.equal(errorOf(badScore).field, 'model');
    const badLimit = await gql(h.url, 'mutation { scoreRuns(limit: 0) { runsScored } }', {}, auth());
    assert.equal(errorOf(badLimit).code, 'BAD_USER_INPUT');
    assert.equal(errorOf(badLimit).field, 'limit');
    const capped = await gql(h.url, 'mutation { scoreRuns(limit: 3, filter: {category: "hdd"}) { runsScored } }', {}, auth());
    assert.equal(capped.data?.scoreRuns.runsScored, 3);
  });
});

describe('trainModel', () => {
  it('trains in the background while the API keeps answering, then registers the model', async () => {
    const start = await gql(
      h.url,
      'mutation($c: TrainModelInput!) { trainModel(config: $c) { id status progress maxEpochs } }',
      { c: { workflow: 'mini', level: 'graph', task: 'multiclass', epochs: 30, patience: 30, hidden: 16, activate: true } },
      auth(),
    );
    assert.equal(start.errors, undefined, start.raw);
    const job = start.data?.trainModel;
    assert.ok(['QUEUED', 'RUNNING'].includes(job.status));
    assert.equal(job.maxEpochs, 30);
    const POLL = 'query($id: ID!) { trainingJob(id: $id) { id status progress epoch runs error modelId model { id active task } } }';
    let state: any;
    let answeredWhileRunning = 0;
    const deadline = Date.now() + 240_000;
    for (;;) {
      const r = await gql(h.url, POLL, { id: job.id });
      state = r.data?.trainingJob;
      if (state.status === 'SUCCEEDED' || state.status === 'FAILED') break;
      // Reads are answered while training runs in its worker thread.
      const w = await gql(h.url, '{ workflows { name } }');
      if (w.data?.workflows.length === 1) answeredWhileRunning++;
      assert.ok(state.progress >= 0 && state.progress <= 1);
      assert.ok(Date.now() < deadline, 'training finished in time');
      await new Promise((r2) => setTimeout(r2, 100));
    }
    assert.equal(state.status, 'SUCCEEDED', state.error);
    assert.equal(state.progress, 1);
    assert.equal(state.runs, 41);
    assert.ok(state.epoch >= 1);
    assert.ok(answeredWhileRunning >= 1, 'the API answered during training');
    assert.equal(state.model.id, state.modelId);
    assert.equal(state.model.active, true);
    assert.equal(state.model.task, 'multiclass');
    const run = await gql(h.url, 'query($id: ID!) { run(id: $id) { prediction { model { id } probabilities { class } } } }', { id: runId(3) });
    assert.equal(run.data?.run.prediction.model.id, state.modelId, 'the new active model answers');
  });

  it('refuses a bad config with BAD_USER_INPUT naming the field', async () => {
    const M = 'mutation($c: TrainModelInput!) { trainModel(config: $c) { id } }';
    for (const [c, field] of [
      [{ workflow: 'mini', level: 'edge' }, 'config.level'],
      [{ workflow: 'mini', epochs: 0 }, 'config.epochs'],
      [{ workflow: 'mini', lr: 5 }, 'config.lr'],
      [{ workflow: 'nowhere' }, 'config.workflow'],
    ] as const) {
      const r = await gql(h.url, M, { c }, auth());
      assert.equal(errorOf(r).code, 'BAD_USER_INPUT', r.raw);
      assert.equal(errorOf(r).field, field);
    }
    const unknown = await gql(h.url, '{ trainingJob(id: "nope") { id } }');
    assert.equal(unknown.data?.trainingJob, null);
  });
});

describe('ingestRun: unlabelled runs, new workflows, template versions', () => {
  const RUN_Q = 'query($id: ID!) { run(id: $id) { id label category jobs { name label category hostname } edges { source target } } }';

  it('stores a run without a label as unlabelled; runs(filter: {labelled}) selects', async () => {
    const input = pushedRun('LIVE0100') as any;
    delete input.label;
    input.jobs[1].kickstartHostname = ' w1 ';
    const r = await gql(h.url, INGEST, { input }, auth());
    assert.equal(r.errors, undefined, r.raw);
    assert.equal(r.data?.ingestRun.run.id, 'unlabelled/mini-LIVE0100-run0001');
    assert.equal(r.data?.ingestRun.run.label, null);
    assert.equal(r.data?.ingestRun.run.category, null);
    const run = (await gql(h.url, RUN_Q, { id: 'unlabelled/mini-LIVE0100-run0001' })).data?.run;
    assert.ok(run.jobs.every((j: any) => j.label === null && j.category === null), JSON.stringify(run.jobs));
    assert.equal(run.jobs[1].hostname, ' w1 ', 'pushed values are stored as sent, not trimmed');
    const count = async (labelled: boolean): Promise<number> => (await gql(h.url, '{ runs(filter: {workflow: "mini", labelled: %s}) { totalCount } }'.replace('%s', String(labelled)))).data?.runs.totalCount;
    assert.equal(await count(false), 1);
    assert.equal(await count(true), 41);
  });

  it('learns a new workflow from the edges of its first run, and stores a run with another DAG as a new template version', async () => {
    const first = { ...(pushedRun('NEW0001') as any), workflow: 'pushed-wf', label: 'normal' };
    const r1 = await gql(h.url, INGEST, { input: first }, auth());
    assert.equal(r1.errors, undefined, r1.raw);
    assert.equal(r1.data?.ingestRun.stored, true);
    // Same DAG, jobs listed in another order and no edges: matched to the learned template.
    const second = { ...(pushedRun('NEW0002') as any), workflow: 'pushed-wf', runNumber: 2, edges: null };
    second.jobs.reverse();
    const r2 = await gql(h.url, INGEST, { input: second }, auth());
    assert.equal(r2.errors, undefined, r2.raw);
    // A wider DAG: one more compute job between work_ID01 and cleanup.
    const third = { ...(pushedRun('NEW0003') as any), workflow: 'pushed-wf', runNumber: 3 };
    const extra = { ...third.jobs[1], name: 'work_ID02' };
    third.jobs.splice(2, 0, extra);
    third.edges = [
      { parent: 'create_dir_NEW0003_0_condorpool', child: 'work_ID01' },
      { parent: 'work_ID01', child: 'work_ID02' },
      { parent: 'work_ID02', child: 'cleanup_NEW0003_0_condorpool' },
    ];
    const r3 = await gql(h.url, INGEST, { input: third }, auth());
    assert.equal(r3.errors, undefined, r3.raw);
    assert.equal(r3.data?.ingestRun.stored, true);
    const edges = async (id: string): Promise<string[]> => {
      const run = (await gql(h.url, RUN_Q, { id })).data?.run;
      return run.edges.map((e: any) => `${run.jobs[e.source].name}>${run.jobs[e.target].name}`).sort();
    };
    assert.deepEqual(await edges('normal/pushed-wf-NEW0002-run0002'), ['create_dir_NEW0002_0_condorpool>work_ID01', 'work_ID01>cleanup_NEW0002_0_condorpool']);
    assert.deepEqual(await edges('normal/pushed-wf-NEW0003-run0003'), ['create_dir_NEW0003_0_condorpool>work_ID01', 'work_ID01>work_ID02', 'work_ID02>cleanup_NEW0003_0_condorpool']);
    const wf = (await gql(h.url, '{ workflows(name: "pushed-wf") { name jobs edges runCount } }')).data?.workflows[0];
    assert.deepEqual(wf, { name: 'pushed-wf', jobs: 4, edges: 3, runCount: 3 }, 'the workflow shows its newest template');
  });
});
