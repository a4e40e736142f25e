/**
 * The store with SourceRuns from any reader, against the real Neo4j: `stored` is what the database
 * created, runs carrying their own DAG found template versions, jobs get their own truth,
 * unlabelled runs carry none, sub-workflow runs are linked to their parent whichever comes first,
 * and workflows stored before template versions are adopted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Graph } from '../../src/graph/driver';
import { migrate } from '../../src/graph/migrations';
import { readRuns } from '../../src/graph/read-runs';
import { writeRunBatch } from '../../src/graph/runs';
import { TemplateCatalog } from '../../src/graph/templates';
import type { SourceJob, SourceRun, Truth } from '../../src/ingest/run-shape';
import { count, testGraph, wipe } from '../helpers/neo4j';

const NORMAL: Truth = { label: 'normal', category: 'normal', level: null };
const CPU2: Truth = { label: 'cpu_2', category: 'cpu', level: 2 };

/** A run of `names` (jobs in this order) with edges by name; job truth by name where given. */
function run(id: string, workflow: string, names: string[], edges: Array<[string, string]>, truth: Truth | null, jobTruth: Record<string, Truth> = {}, parent: SourceRun['parent'] = null): SourceRun {
  const jobs: SourceJob[] = names.map((name, index) => ({
    id: `${id}/${name}`,
    runId: id,
    name,
    template: name,
    index,
    type: name.startsWith('sub') ? 'subwf' : 'compute',
    submit: 100 + index,
    executeStart: 101 + index,
    executeEnd: 110 + index,
    ...(jobTruth[name] ? { label: jobTruth[name].label, category: jobTruth[name].category, level: jobTruth[name].level } : {}),
  }));
  const at = new Map(names.map((n, i) => [n, i]));
  return {
    id,
    source: `test/${id}`,
    kind: 'json',
    workflow,
    truth,
    instance: 'I1',
    runNumber: 1,
    state: 'succeeded',
    startedAt: 100,
    endedAt: 200,
    jobs,
    edges: edges.map(([p, c]) => [at.get(p) as number, at.get(c) as number]),
    parent,
    contentHash: `${id}:${names.join(',')}:${JSON.stringify(edges)}:${truth?.label ?? '-'}`,
    missingColumns: [],
    unstoredColumns: [],
    derived: [],
    sentinelValues: 0,
  };
}

describe('storing SourceRuns', () => {
  let graph: Graph;
  before(async () => {
    graph = testGraph();
    await wipe(graph);
    await migrate(graph);
  });
  after(async () => graph?.close());

  it('reports as stored exactly the runs the database created, for a workflow never seen before', async () => {
    const catalog = await TemplateCatalog.load(graph);
    const a = run('s/a', 'fresh-wf', ['x', 'y'], [['x', 'y']], NORMAL);
    const res = await writeRunBatch(graph, [a, { ...a }], catalog);
    assert.deepEqual(res.stored, ['s/a']);
    assert.deepEqual(res.unchanged, ['s/a'], 'the same run twice in one batch is stored once');
    assert.equal(await count(graph, "MATCH (:Workflow {name: 'fresh-wf'})-[:HAS_RUN]->(r:Run {id: 's/a'}) RETURN count(r)"), 1);
    assert.equal(res.jobs, 2);
    assert.equal(res.edges, 1);
  });

  it('stores a run whose DAG differs under a new template version, with its own edges; the same DAG in another job order reuses a version', async () => {
    const catalog = await TemplateCatalog.load(graph);
    const v1 = run('t/1', 'grow', ['a', 'b', 'c'], [['a', 'b'], ['b', 'c']], NORMAL);
    const v2 = run('t/2', 'grow', ['a', 'b', 'b2', 'c'], [['a', 'b'], ['a', 'b2'], ['b', 'c'], ['b2', 'c']], CPU2, { b2: NORMAL });
    const v1again = run('t/3', 'grow', ['c', 'a', 'b'], [['a', 'b'], ['b', 'c']], null);
    const res = await writeRunBatch(graph, [v1, v2, v1again], catalog);
    assert.equal(res.stored.length, 3);
    assert.equal(await count(graph, "MATCH (:Workflow {name: 'grow'})-[:HAS_TEMPLATE]->(t:Template) RETURN count(t)"), 2);
    assert.equal(await count(graph, "MATCH (:Run {id: 't/2'})-[:USES_TEMPLATE]->(t:Template) RETURN t.version"), 2);
    const recs = new Map((await readRuns(graph, { workflows: ['grow'] })).map((r) => [r.id, r]));
    const edgesOf = (id: string): string[] => {
      const r = recs.get(id);
      assert.ok(r);
      const out: string[] = [];
      for (let e = 0; e < r.edges.length; e += 2) out.push(`${r.jobNames[r.edges[e] as number]}>${r.jobNames[r.edges[e + 1] as number]}`);
      return out.sort();
    };
    assert.deepEqual(edgesOf('t/2'), ['a>b', 'a>b2', 'b2>c', 'b>c']);
    assert.deepEqual(edgesOf('t/3'), ['a>b', 'b>c']);
    assert.deepEqual(recs.get('t/3')?.jobNames, ['a', 'b', 'c'], "jobs in the template's order");
    assert.equal(await count(graph, "MATCH (:Run {id: 't/3'})-[:HAS_JOB]->(a:Job {name: 'a'})-[:FEEDS]->(b:Job {name: 'b'}) RETURN count(*)"), 1);
    // Per-job truth: the job's own where given, else the run's; none for an unlabelled run.
    assert.deepEqual(recs.get('t/2')?.jobLabels, ['cpu_2', 'cpu_2', 'normal', 'cpu_2']);
    assert.equal(recs.get('t/3')?.label, null);
    assert.deepEqual(recs.get('t/3')?.jobLabels, [null, null, null]);
    assert.equal(await count(graph, "MATCH (r:Run {id: 't/3'}) WHERE r.label IS NULL AND r.category IS NULL AND r.level IS NULL RETURN count(r)"), 1);
    assert.deepEqual((await readRuns(graph, { workflows: ['grow'], labelled: false })).map((r) => r.id), ['t/3']);
  });

  it('links a sub-workflow run to its parent run and subwf job, whether the parent is stored before, after or in the same batch', async () => {
    const parent = (id: string): SourceRun => run(id, 'outer', ['pre', 'sub_1'], [['pre', 'sub_1']], null);
    const child = (id: string, p: string): SourceRun => run(id, 'inner', ['k1', 'k2'], [['k1', 'k2']], null, {}, { runId: p, jobName: 'sub_1' });
    let catalog = await TemplateCatalog.load(graph);
    await writeRunBatch(graph, [parent('p/1')], catalog);
    await writeRunBatch(graph, [child('c/1', 'p/1')], catalog);
    await writeRunBatch(graph, [child('c/2', 'p/2')], catalog); // parent not stored yet
    catalog = await TemplateCatalog.load(graph);
    await writeRunBatch(graph, [parent('p/2')], catalog);
    await writeRunBatch(graph, [child('c/3', 'p/3'), parent('p/3')], catalog); // child listed first
    for (const [c, p] of [['c/1', 'p/1'], ['c/2', 'p/2'], ['c/3', 'p/3']]) {
      assert.equal(await count(graph, 'MATCH (:Run {id: $p})-[:HAS_JOB]->(:Job {name: "sub_1"})-[:RUNS]->(s:Run {id: $c})-[:SUBWORKFLOW_OF]->(:Run {id: $p}) RETURN count(s)', { c, p }), 1, `${c} → ${p}`);
    }
  });

  it('adopts a workflow stored before template versions: its DAG becomes version 1 of its runs', async () => {
    await graph.write((tx) =>
      tx.run(
        `CREATE (w:Workflow {name: 'legacy', jobs: 2, edges: 1, templateJobs: ['u', 'v'], templateEdges: [0, 1], templateHash: 'x'})
         CREATE (w)-[:HAS_RUN]->(r:Run {id: 'l/1', workflow: 'legacy', label: 'normal', category: 'normal', jobCount: 2, contentHash: 'h'})
         CREATE (r)-[:HAS_JOB]->(u:Job {id: 'l/1/u', name: 'u', index: 0}), (r)-[:HAS_JOB]->(v:Job {id: 'l/1/v', name: 'v', index: 1}), (u)-[:FEEDS]->(v)`,
      ),
    );
    const catalog = await TemplateCatalog.load(graph);
    assert.equal(catalog.versions('legacy').length, 1);
    assert.equal(await count(graph, "MATCH (:Run {id: 'l/1'})-[:USES_TEMPLATE]->(t:Template {version: 1}) RETURN count(t)"), 1);
    const again = await writeRunBatch(graph, [run('l/2', 'legacy', ['v', 'u'], [['u', 'v']], NORMAL)], catalog);
    assert.deepEqual(again.stored, ['l/2']);
    assert.equal(await count(graph, "MATCH (:Workflow {name: 'legacy'})-[:HAS_TEMPLATE]->(t) RETURN count(t)"), 1, 'the same DAG: no new version');
  });
});
