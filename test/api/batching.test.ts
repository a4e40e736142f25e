/**
 * Batching: a query over 500 runs' predictions makes a handful of model calls and Cypher
 * queries, not 500 — counted on the model runtime and on the Graph wrapper.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLoaders } from '../../src/api/loaders';
import { auth, gql, runId, startHarness, type GqlResponse, type Harness } from './harness';

const N = 500;
let h: Harness;
before(async () => {
  // Complexity is not what this file tests: the default limit refuses 500 runs with their jobs.
  // The registry is read once, not again whenever 2 s have passed: the counts below stay those of the requests on a slow machine too.
  h = await startHarness(N, { maxComplexity: 10_000_000, registryTtlMs: 600_000 });
});
after(async () => {
  await h?.close();
});

/** Turns the cross-request read cache off (every request reads Neo4j); returns how to restore it. */
function withoutCache(): () => void {
  const services = h.server.services;
  const cache = services.cache;
  services.cache = null;
  return () => void (services.cache = cache);
}

async function counted(query: string): Promise<{ data: any; cypher: number; calls: number; graphs: number }> {
  const q0 = h.queries.count;
  const c0 = await h.server.services.runtime.counters();
  const r = await gql(h.url, query);
  assert.equal(r.errors, undefined, r.raw);
  const c1 = await h.server.services.runtime.counters();
  return { data: r.data, cypher: h.queries.count - q0, calls: c1.calls - c0.calls, graphs: c1.graphs - c0.graphs };
}

describe('batching', () => {
  // Cypher per request: the runs page, the model registry (cached 2 s, so it may or may not be
  // read), the stored predictions, the run records of the runs predicted live.
  it('500 runs predicted live: one batched model call per 256 graphs and at most 4 Cypher queries', async () => {
    const r = await counted(`{ runs(first: ${N}) { nodes { id prediction { predicted score probabilities { class probability } } } } }`);
    assert.equal(r.data.runs.nodes.length, N);
    assert.ok(r.data.runs.nodes.every((n: any) => n.prediction && n.prediction.probabilities.length === 4));
    assert.equal(r.graphs, N, 'every run predicted once');
    assert.equal(r.calls, Math.ceil(N / 256), `model calls: ${r.calls}`);
    assert.ok(r.cypher >= 3 && r.cypher <= 4, `Cypher queries: ${r.cypher}`);
  });

  it('500 runs with jobs and job predictions: still a handful of queries and calls', async () => {
    const r = await counted(`{ runs(first: ${N}) { nodes { id prediction { score } jobs { id type prediction { predicted } } } } }`);
    assert.ok(r.data.runs.nodes.every((n: any) => n.jobs.length === 3 && n.jobs.every((j: any) => j.prediction)));
    // + the node model's stored job predictions (one lookup for all 1,500 jobs).
    assert.ok(r.cypher <= 5, `Cypher queries: ${r.cypher}`);
    assert.ok(r.calls <= 2 * Math.ceil(N / 256), `model calls: ${r.calls} (graph + node model)`);
    assert.equal(r.graphs, 2 * N);
  });

  it('after scoreRuns the same query reads stored predictions: no model call, the page and its predictions in one query', async () => {
    const s = await gql(h.url, 'mutation { scoreRuns { runsScored } }', {}, auth());
    assert.equal(s.data?.scoreRuns.runsScored, N);
    const r = await counted(`{ runs(first: ${N}) { nodes { id prediction { stored score } } } }`);
    assert.ok(r.data.runs.nodes.every((n: any) => n.prediction.stored === true));
    assert.equal(r.calls, 0);
    // The page with its stored predictions: runs with a start time, then (this page reaches past
    // the last of them) runs without one; + the registry, cached 2 s.
    assert.ok(r.cypher >= 1 && r.cypher <= 3, `Cypher queries: ${r.cypher}`);
  });

  it('a page asking only predicted and score gives the stored values; asking more fields gives them too', async () => {
    const noCache = withoutCache();
    try {
      const model = await h.server.services.registry.active('graph');
      assert.ok(model);
      const stored = async (ids: string[]): Promise<Map<string, any>> => {
        const res = await h.graph.read((tx) => tx.run('UNWIND $ids AS id MATCH (p:Prediction {id: id}) RETURN p.id AS id, p.predicted AS predicted, p.score AS score, p.probabilities AS probabilities, toString(p.scoredAt) AS scoredAt', { ids: ids.map((id) => `${id}|${model.id}`) }));
        return new Map(res.records.map((r) => [(r.get('id') as string).split('|')[0] as string, r.toObject()]));
      };
      const verdict = await counted('{ runs(first: 50) { nodes { id prediction { predicted score } } } }');
      // The page with its rows' verdicts, + the registry (cached 2 s): no prediction read per row.
      assert.ok(verdict.cypher >= 1 && verdict.cypher <= 2, `Cypher queries: ${verdict.cypher}`);
      const nodes = verdict.data.runs.nodes as any[];
      const want = await stored(nodes.map((n) => n.id));
      assert.equal(want.size, 50);
      for (const n of nodes) assert.deepEqual(n.prediction, { predicted: want.get(n.id).predicted, score: want.get(n.id).score }, n.id);

      // Other prediction fields, asked through an alias and a fragment beside the verdict: all read.
      const full = await counted(`{ runs(first: 50) { nodes { id v: prediction { predicted score } prediction { ...more } } } }
        fragment more on Prediction { stored scoredAt model { id } probabilities { class probability } }`);
      assert.ok(full.cypher >= 1 && full.cypher <= 2, `Cypher queries: ${full.cypher}`);
      for (const n of full.data.runs.nodes as any[]) {
        const w = want.get(n.id);
        assert.deepEqual(n.v, { predicted: w.predicted, score: w.score });
        assert.equal(n.prediction.stored, true);
        assert.equal(n.prediction.model.id, model.id);
        assert.equal(Date.parse(n.prediction.scoredAt), Date.parse(w.scoredAt));
        assert.deepEqual(n.prediction.probabilities.map((c: any) => c.probability), w.probabilities);
        assert.deepEqual(n.prediction.probabilities.map((c: any) => c.class), model.classes);
      }
      // The same through edges, in the same order as nodes.
      const edges = await counted('{ runs(first: 50) { edges { cursor node { id prediction { score } } } } }');
      assert.deepEqual(edges.data.runs.edges.map((e: any) => [e.node.id, e.node.prediction.score]), nodes.map((n) => [n.id, n.prediction.score]));
    } finally {
      noCache();
    }
  });

  it('with the read cache on, a page read for its verdicts alone leaves full predictions for the queries after it', async () => {
    assert.ok(h.server.services.cache, 'the read cache is on');
    h.server.services.cache.clearPredictions();
    const q = '{ runs(first: 30) { nodes { id prediction { predicted score } } } }';
    const first = await counted(q);
    assert.deepEqual((await counted(q)).data, first.data);
    const id = first.data.runs.nodes[4].id as string;
    const one = await gql(h.url, 'query($id: ID!) { run(id: $id) { prediction { predicted score probabilities { probability } } } }', { id });
    assert.equal(one.errors, undefined, one.raw);
    const p = one.data?.run.prediction;
    assert.deepEqual({ predicted: p.predicted, score: p.score }, first.data.runs.nodes[4].prediction);
    assert.equal(p.probabilities.length, 4);
    const page = await counted('{ runs(first: 30) { nodes { id prediction { score probabilities { probability } } } } }');
    assert.deepEqual(page.data.runs.nodes[4].prediction, { score: p.score, probabilities: p.probabilities });
  });

  it('a page asking predictions by a named model reads them with the page, and they match run(id)', async () => {
    const q = `query($m: String) { runs(first: 20) { nodes { id prediction(model: $m) { model { id } predicted score stored } } } }`;
    const noCache = withoutCache();
    try {
      const q0 = h.queries.count;
      const r = await gql(h.url, q, { m: h.binaryModel.id });
      assert.equal(r.errors, undefined, r.raw);
      // The page with the stored predictions (none: this model has not scored), the run records
      // of the runs it then predicts live, the registry (cached 2 s).
      assert.ok(h.queries.count - q0 <= 3, `Cypher queries: ${h.queries.count - q0}`);
      const nodes = r.data?.runs.nodes as any[];
      assert.ok(nodes.every((n) => n.prediction.model.id === h.binaryModel.id));
      // The same prediction asked alone (live: scoreRuns scored with the active model only).
      const one = await gql(h.url, 'query($id: ID!, $m: String) { run(id: $id) { prediction(model: $m) { predicted score stored } } }', { id: nodes[3].id, m: h.binaryModel.id });
      assert.deepEqual(one.data?.run.prediction, { predicted: nodes[3].prediction.predicted, score: nodes[3].prediction.score, stored: nodes[3].prediction.stored });
    } finally {
      noCache();
    }
  });

  it('run(id) with its stored prediction is one Cypher query (no cache); concurrent requests share queries', async () => {
    const noCache = withoutCache();
    try {
      const RUN = 'query($id: ID!) { run(id: $id) { id label prediction { predicted score stored } } }';
      const q0 = h.queries.count;
      const one = await gql(h.url, RUN, { id: runId(7) });
      assert.equal(one.errors, undefined, one.raw);
      assert.equal(one.data?.run.id, runId(7));
      assert.equal(one.data?.run.prediction.stored, true);
      assert.ok(h.queries.count - q0 <= 2, `Cypher queries for one run(id): ${h.queries.count - q0} (run + prediction, + the registry)`);

      const ids = Array.from({ length: 40 }, (_, i) => runId(i * 11));
      const all = await Promise.all(ids.map((id) => gql(h.url, RUN, { id })));
      all.forEach((r, i) => {
        assert.equal(r.errors, undefined, r.raw);
        assert.equal(r.data?.run.id, ids[i], 'each request gets its own run');
        assert.equal(r.data?.run.prediction.stored, true);
      });
      // Requests whose reads fall in one turn of the event loop share one query: 40 requests'
      // loaders asking at once.
      const model = await h.server.services.registry.active('graph');
      assert.ok(model);
      const q1 = h.queries.count;
      const rows = await Promise.all(ids.map((id) => createLoaders(h.server.services.shared, h.server.services.runtime, null).runWithPrediction(id, model)));
      assert.equal(h.queries.count - q1, 1, 'one query for 40 requests');
      assert.deepEqual(rows.map((r) => r?.id), ids);
      // An unknown id among known ones: null for it alone.
      const mixed = await Promise.all(['no-such-run', runId(3)].map((id) => gql(h.url, RUN, { id })));
      assert.equal(mixed[0]?.data?.run, null);
      assert.equal(mixed[1]?.data?.run.id, runId(3));
    } finally {
      noCache();
    }
  });

  it('the same page asked again within the page cache lifetime costs no query; storing or scoring in this process drops it', async () => {
    const q = '{ runs(first: 5, orderBy: { by: TIME, direction: ASC }) { nodes { id prediction { score } } } }';
    const first = await counted(q);
    const again = await counted(q);
    assert.equal(again.cypher, 0, `Cypher queries: ${again.cypher}`);
    assert.deepEqual(again.data, first.data);
    h.server.services.cache?.clearPages(); // what ingestRun does after storing a run
    assert.ok((await counted(q)).cypher >= 1, 'read again after clearPages');
    const restore = withoutCache();
    try {
      assert.ok((await counted(q)).cypher >= 1, 'no page cache without the read cache');
    } finally {
      restore();
    }
  });

  it('500 labelled subgraphs: two Cypher queries (page, run records)', async () => {
    const r = await counted(`{ labelledSubgraphs(first: ${N}) { nodes { runId y edgeIndex x } } }`);
    assert.equal(r.data.labelledSubgraphs.nodes.length, N);
    assert.equal(r.cypher, 2, `Cypher queries: ${r.cypher}`);
  });
  it('pages by time in (start, id) order in both directions, runs without a start time (key 0) included', async () => {
    // Runs without a start time, and at 0 and before it, beside the 500 timed ones.
    const extra = [
      { id: 'untimed-b', startedAt: null },
      { id: 'untimed-a', startedAt: null },
      { id: 'untimed-c', startedAt: null },
      { id: 'zero', startedAt: 0 },
      { id: 'negative', startedAt: -50 },
    ];
    await h.graph.write((tx) => tx.run("UNWIND $runs AS x CREATE (r:Run {id: x.id, workflow: 'mini', label: 'normal', category: 'normal', jobCount: 0}) SET r.startedAt = x.startedAt", { runs: extra }));
    try {
      const all = (await h.graph.read((tx) => tx.run('MATCH (r:Run) RETURN r.id AS id, coalesce(r.startedAt, 0) AS k'))).records.map((r) => ({ id: r.get('id') as string, k: r.get('k') as number }));
      const cmp = (a: { id: string; k: number }, b: { id: string; k: number }): number => a.k - b.k || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      for (const direction of ['DESC', 'ASC'] as const) {
        const want = [...all].sort(cmp).map((r) => r.id);
        if (direction === 'DESC') want.reverse();
        const seen: string[] = [];
        let after: string | null = null;
        for (let page = 0; page < 200; page++) {
          const r: GqlResponse<Record<string, any>> = await gql(h.url, 'query($after: String, $d: SortDirection) { runs(first: 7, after: $after, orderBy: { by: TIME, direction: $d }) { pageInfo { hasNextPage endCursor } nodes { id } } }', { after, d: direction });
          assert.equal(r.errors, undefined, r.raw);
          seen.push(...r.data?.runs.nodes.map((n: any) => n.id));
          if (!r.data?.runs.pageInfo.hasNextPage) break;
          after = r.data?.runs.pageInfo.endCursor;
        }
        assert.deepEqual(seen, want, direction);
      }
    } finally {
      await h.graph.write((tx) => tx.run('UNWIND $ids AS id MATCH (r:Run {id: id}) DETACH DELETE r', { ids: extra.map((x) => x.id) }));
    }
  });
});
