/**
 * Step-scoped buffers and per-graph Â: training reuses memory between steps and builds a
 * mini-batch's Â by copying its graphs' — with the same numbers, bit for bit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Adam, Rng, adjacencyUnion, alloc, backward, crossEntropy, disjointUnion, EDGE_DIRECTIONS, normalizedAdjacency, scoped, type GraphData } from '../../src/nn';
import { randomDag } from './gradcheck';
import { TinyGcn, twoClassGraphs } from './tiny-model';

describe('alloc / scoped', () => {
  it('hands out zeroed buffers, and inside a scope reuses the memory of an earlier scope', () => {
    const first = scoped(() => {
      const a = alloc(5000);
      a.fill(7);
      return a.buffer;
    });
    scoped(() => {
      const b = alloc(4500); // the same capacity class (4096 < n ≤ 8192)
      assert.equal(b.buffer, first, 'memory reused');
      assert.ok(b.every((v) => v === 0), 'zeroed');
      assert.equal(b.length, 4500);
      const c = alloc(4500);
      assert.notEqual(c.buffer, b.buffer, 'two live buffers never share memory');
      // Nested scopes take back only their own.
      const inner = scoped(() => alloc(4500).buffer);
      assert.notEqual(inner, b.buffer);
      assert.notEqual(inner, c.buffer);
    });
    const outside = alloc(5000);
    assert.notEqual(outside.buffer, first, 'outside a scope: a fresh array');
  });

  it('a training step inside a scope gives the same weights as without, bit for bit', () => {
    const run = (useScope: boolean): Float32Array[] => {
      const data = twoClassGraphs(new Rng(99), 30, 3);
      const batch = disjointUnion(data.graphs, 3);
      const adj = normalizedAdjacency(batch.numNodes, batch.src, batch.dst, 'forward');
      const rng = new Rng(5);
      const model = new TinyGcn(rng, 3, 64, 2, 0.3);
      const opt = new Adam(model.params, { lr: 0.01 });
      for (let s = 0; s < 6; s++) {
        const step = (): void => {
          opt.zeroGrad();
          const loss = crossEntropy(model.forward(batch, adj, true, rng), data.labels);
          backward(loss);
          opt.step();
        };
        if (useScope) scoped(step);
        else step();
      }
      return model.params.map((p) => p.data.slice());
    };
    const plain = run(false);
    // Twice scoped: the second run gets buffers the first one used.
    assert.deepEqual(run(true), plain);
    assert.deepEqual(run(true), plain);
  });
});

describe('adjacencyUnion', () => {
  it('equals normalizedAdjacency of the disjoint union, entry for entry, in every direction', () => {
    const rng = new Rng(3);
    const graphs: GraphData[] = Array.from({ length: 7 }, () => {
      const n = 1 + rng.int(12);
      const edgeIndex = randomDag(rng, n);
      return { numNodes: n, x: new Float32Array(n), edgeIndex };
    });
    // A self-loop and a duplicate edge in one graph (replaced / kept, as the union does).
    graphs.push({ numNodes: 3, x: new Float32Array(3), edgeIndex: Int32Array.from([0, 1, 1, 2, 1, 1, 2, 2]) });
    const batch = disjointUnion(graphs, 1);
    for (const direction of EDGE_DIRECTIONS) {
      const whole = normalizedAdjacency(batch.numNodes, batch.src, batch.dst, direction);
      const union = adjacencyUnion(graphs.map((g) => normalizedAdjacency(g.numNodes, g.edgeIndex, direction)));
      assert.deepEqual(union, whole, direction);
    }
  });
});
