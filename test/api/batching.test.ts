/**
 * Batching: a query over 500 runs' predictions makes a handful of model calls and Cypher
 * queries, not 500 — counted on the model runtime and on the Graph wrapper.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auth, gql, startHarness, type Harness } from './harness';

const N = 500;
let h: Harness;
before(async () => {
  // Complexity is not what this file tests: the default limit refuses 500 runs with their jobs.
  h = await startHarness(N, { maxComplexity: 10_000_000 });
});
after(async () => {
  await h?.close();
});

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

  it('after scoreRuns the same query reads stored predictions: no model call at all', async () => {
    const s = await gql(h.url, 'mutation { scoreRuns { runsScored } }', {}, auth());
    assert.equal(s.data?.scoreRuns.runsScored, N);
    const r = await counted(`{ runs(first: ${N}) { nodes { id prediction { stored score } } } }`);
    assert.ok(r.data.runs.nodes.every((n: any) => n.prediction.stored === true));
    assert.equal(r.calls, 0);
    assert.ok(r.cypher >= 2 && r.cypher <= 3, `Cypher queries: ${r.cypher}`);
  });

  it('500 labelled subgraphs: two Cypher queries (page, run records)', async () => {
    const r = await counted(`{ labelledSubgraphs(first: ${N}) { nodes { runId y edgeIndex x } } }`);
    assert.equal(r.data.labelledSubgraphs.nodes.length, N);
    assert.equal(r.cypher, 2, `Cypher queries: ${r.cypher}`);
  });
});
