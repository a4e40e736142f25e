/**
 * The packed training set: a gathered mini-batch is the disjoint union of its graphs with the
 * Â normalizedAdjacency builds for the union's edge list, its features propagated (Â X), and the
 * targets, masks and loss denominators of its rows; shards split a batch by node count.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { disjointUnion, normalizedAdjacency, Rng, spmm } from '../../src/nn';
import { gather, gatherMask, gatherTargets, GatherScratch, packGraphs } from '../../src/train/packed-graphs';
import { halfByNodes, lossDenominator } from '../../src/train/shard-step';
import { randomDag } from '../nn/gradcheck';

const F = 5;

function graphs(rng: Rng): Array<{ numNodes: number; x: Float32Array; edgeIndex: Int32Array; target: number; jobs: Int32Array; split: Uint8Array }> {
  return [6, 1, 40, 9].map((n, g) => ({
    numNodes: n,
    x: Float32Array.from({ length: n * F }, () => rng.normal()),
    edgeIndex: randomDag(rng, n),
    target: g % 2,
    jobs: Int32Array.from({ length: n }, (_, j) => (j + g) % 3),
    split: Uint8Array.from({ length: n }, (_, j) => j % 3),
  }));
}

describe('packed graphs', () => {
  it('gathers the union of the listed graphs, its Â and Â X, as normalising the union would', () => {
    for (const direction of ['forward', 'reverse', 'both'] as const) {
      const gs = graphs(new Rng(3));
      const pack = packGraphs(gs.map((g) => ({ ...g, x: () => g.x })), F, direction, 'graph');
      const order = [2, 0, 3, 1];
      const { batch, adj } = gather(pack, order, new GatherScratch());
      const union = disjointUnion(order.map((k) => gs[k] as (typeof gs)[number]), F);
      const want = normalizedAdjacency(union.numNodes, union.src, union.dst, direction);
      for (const m of ['a', 'at'] as const) {
        assert.deepEqual(Array.from(adj[m].rowPtr), Array.from(want[m].rowPtr), `${direction} ${m} rows`);
        assert.deepEqual(Array.from(adj[m].col), Array.from(want[m].col), `${direction} ${m} columns`);
        assert.deepEqual(Array.from(adj[m].val), Array.from(want[m].val), `${direction} ${m} values`);
      }
      assert.deepEqual(Array.from(batch.batch), Array.from(union.batch));
      assert.deepEqual(Array.from(batch.ptr), Array.from(union.ptr));
      const ax = new Float32Array(union.numNodes * F);
      spmm(want.a, union.x, F, ax, true);
      batch.x.forEach((v, i) => assert.ok(Math.abs(v - (ax[i] as number)) < 1e-5, `Â X entry ${i}: ${v} vs ${ax[i]}`));
      assert.equal(batch.xPropagated, true);
    }
  });

  it('gathers targets, the loss mask and the loss denominator of the rows', () => {
    const gs = graphs(new Rng(4));
    const inputs = gs.map((g) => ({ ...g, x: () => g.x, nodeTargets: () => g.jobs, nodeSplit: g.split }));
    const s = new GatherScratch();
    const byGraph = packGraphs(inputs, F, 'forward', 'graph');
    assert.deepEqual(Array.from(gatherTargets(byGraph, [3, 0], s)), [1, 0]);
    assert.equal(gatherMask(byGraph, [3, 0], 0), undefined);
    assert.equal(lossDenominator(byGraph, [3, 0, 1], Float32Array.from([0.5, 2])), 2 + 0.5 + 2);
    const byJob = packGraphs(inputs, F, 'forward', 'node');
    assert.deepEqual(Array.from(gatherTargets(byJob, [1, 0], s)), [1, 0, 1, 2, 0, 1, 2]);
    assert.deepEqual(Array.from(gatherMask(byJob, [1, 0], 0) as Uint8Array), [1, 1, 0, 0, 1, 0, 0]);
    // Training rows (split 0) of graphs 1 and 0: jobs 0 of graph 1, jobs 0 and 3 of graph 0.
    assert.equal(lossDenominator(byJob, [1, 0], undefined), 3);
  });

  it('splits a batch into two shards of about equal node counts', () => {
    const pack = packGraphs(graphs(new Rng(5)).map((g) => ({ ...g, x: () => g.x })), F, 'forward', 'graph');
    assert.equal(halfByNodes(pack, [2, 0, 3, 1]), 1, '40 | 6 + 9 + 1');
    assert.equal(halfByNodes(pack, [0, 3, 1, 2]), 3, '6 + 9 + 1 | 40');
    assert.equal(halfByNodes(pack, [1]), 1, 'one graph: one shard');
  });
});
