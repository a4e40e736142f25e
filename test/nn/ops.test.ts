/**
 * Gradient checks (central differences) for every differentiable op, alone and composed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EDGE_DIRECTIONS,
  Rng,
  Tensor,
  addBias,
  concatCols,
  crossEntropy,
  disjointUnion,
  dropout,
  gcnConv,
  gcnPropagate,
  linear,
  matmul,
  meanPool,
  normalizedAdjacency,
  relu,
  type GraphData,
} from '../../src/nn';
import { gradCheck, randLeaf, randLeafAwayFromZero, randomDag } from './gradcheck';

describe('gradients: dense ops', () => {
  it('matmul, both inputs, small (scalar kernels)', () => {
    const rng = new Rng(1);
    const x = randLeaf(rng, 5, 3);
    const w = randLeaf(rng, 3, 4);
    gradCheck('matmul', () => matmul(x, w), { x, w });
  });

  it('matmul, both inputs, SIMD-sized with ragged edges ([37, 29] × [29, 19])', () => {
    const rng = new Rng(2);
    const x = randLeaf(rng, 37, 29);
    const w = randLeaf(rng, 29, 19);
    gradCheck('matmul', () => matmul(x, w), { x, w }, { maxEntries: 60 });
  });

  it('matmul, both inputs, SIMD blocks ([64, 32] × [32, 16])', () => {
    const rng = new Rng(3);
    const x = randLeaf(rng, 64, 32);
    const w = randLeaf(rng, 32, 16);
    gradCheck('matmul', () => matmul(x, w), { x, w });
  });

  it('addBias, both inputs', () => {
    const rng = new Rng(4);
    const x = randLeaf(rng, 6, 5);
    const b = randLeaf(rng, 1, 5);
    gradCheck('addBias', () => addBias(x, b), { x, b });
  });

  it('linear = addBias(matmul)', () => {
    const rng = new Rng(5);
    const x = randLeaf(rng, 7, 4);
    const w = randLeaf(rng, 4, 3);
    const b = randLeaf(rng, 1, 3);
    gradCheck('linear', () => linear(x, w, b), { x, w, b });
  });

  it('relu, inputs away from the kink', () => {
    const rng = new Rng(6);
    const x = randLeafAwayFromZero(rng, 8, 6);
    gradCheck('relu', () => relu(x), { x });
  });

  it('dropout with a fixed mask (re-seeded rng), and identity when not training', () => {
    const rng = new Rng(7);
    const x = randLeaf(rng, 10, 8);
    gradCheck('dropout', () => dropout(x, 0.4, true, new Rng(99)), { x });
    const y = dropout(x, 0.4, true, new Rng(99));
    const kept = y.data.filter((v) => v !== 0).length;
    assert.ok(kept > 20 && kept < 70, `kept ${kept} of 80`);
    for (let i = 0; i < y.data.length; i++) {
      const v = y.data[i] as number;
      if (v !== 0) assert.ok(Math.abs(v - (x.data[i] as number) / 0.6) < 1e-6, 'kept entries are scaled by 1/(1-p)');
    }
    assert.equal(dropout(x, 0.4, false, new Rng(99)), x);
    assert.ok(dropout(x, 1, true, new Rng(1)).data.every((v) => v === 0));
    assert.throws(() => dropout(x, 1.5, true, new Rng(1)), RangeError);
  });

  it('concatCols, every part', () => {
    const rng = new Rng(8);
    const a = randLeaf(rng, 5, 3);
    const b = randLeaf(rng, 5, 2);
    const c = randLeaf(rng, 5, 4);
    gradCheck('concatCols', () => concatCols([a, b, c]), { a, b, c });
    const y = concatCols([a, b]);
    assert.deepEqual(y.shape, [5, 5]);
    assert.equal(y.data[3], b.data[0]);
  });
});

describe('gradients: graph ops', () => {
  const rng = new Rng(10);
  const n = 12;
  const edgeIndex = randomDag(rng, n);

  for (const direction of EDGE_DIRECTIONS) {
    it(`gcnPropagate (Â X), direction ${direction}`, () => {
      const adj = normalizedAdjacency(n, edgeIndex, direction);
      const x = randLeaf(new Rng(11), n, 5);
      gradCheck(`propagate ${direction}`, () => gcnPropagate(x, adj), { x });
    });
  }

  for (const [fin, fout, label] of [
    [3, 8, 'propagate first'],
    [9, 4, 'matmul first'],
    [12, 16, 'propagate first, SIMD product'],
    [20, 16, 'matmul first, SIMD product'],
  ] as const) {
    for (const activation of ['relu', 'none'] as const) {
      it(`gcnConv ${fin}→${fout} (${label}), ${activation}: X, W, b`, () => {
        const r = new Rng(fin * 100 + fout);
        const adj = normalizedAdjacency(n, edgeIndex, 'both');
        const x = randLeaf(r, n, fin);
        const w = randLeaf(r, fin, fout);
        const b = randLeaf(r, 1, fout);
        gradCheck(`gcnConv ${label}`, () => gcnConv(x, w, b, adj, activation), { x, w, b }, { eps: 2e-3, rtol: 2e-2, atol: 2e-3, kinks: activation === 'relu' });
      });
    }
  }

  it('gcnConv of a constant input (no gradient to X) takes the propagate-first path; bias optional', () => {
    const r = new Rng(21);
    const adj = normalizedAdjacency(n, edgeIndex, 'forward');
    const x = new Tensor(randLeaf(r, n, 6).data, n, 6);
    const w = randLeaf(r, 6, 5);
    gradCheck('gcnConv const X', () => gcnConv(x, w, null, adj, 'none'), { w });
    assert.equal(x.grad, null);
  });

  it('gcnConv equals relu(addBias(propagate(matmul)))', () => {
    const r = new Rng(22);
    const adj = normalizedAdjacency(n, edgeIndex, 'reverse');
    for (const [fin, fout] of [
      [5, 16],
      [16, 5],
    ] as const) {
      const x = randLeaf(r, n, fin);
      const w = randLeaf(r, fin, fout);
      const b = randLeaf(r, 1, fout);
      const fused = gcnConv(x, w, b, adj);
      const plain = relu(addBias(gcnPropagate(matmul(x, w), adj), b));
      for (let i = 0; i < fused.data.length; i++) assert.ok(Math.abs((fused.data[i] as number) - (plain.data[i] as number)) < 1e-5);
    }
  });

  it('meanPool, contiguous and shuffled batch vectors', () => {
    const r = new Rng(12);
    const h = randLeaf(r, 9, 4);
    const sorted = Int32Array.from([0, 0, 0, 1, 1, 2, 2, 2, 2]);
    gradCheck('meanPool', () => meanPool(h, sorted, 3), { h });
    const shuffled = Int32Array.from([2, 0, 1, 2, 0, 1, 2, 0, 2]);
    gradCheck('meanPool shuffled', () => meanPool(h, shuffled, 3), { h });
  });
});

describe('gradients: loss', () => {
  it('crossEntropy, unweighted', () => {
    const r = new Rng(13);
    const z = randLeaf(r, 6, 4, -2, 2);
    const y = Int32Array.from([0, 3, 1, 1, 2, 0]);
    gradCheck('crossEntropy', () => crossEntropy(z, y), { z });
  });

  it('crossEntropy with class weights', () => {
    const r = new Rng(14);
    const z = randLeaf(r, 6, 3, -2, 2);
    const y = Int32Array.from([0, 2, 1, 1, 2, 0]);
    const w = Float32Array.from([0.2, 1.5, 3]);
    gradCheck('crossEntropy weighted', () => crossEntropy(z, y, w), { z });
  });

  it('crossEntropy with class weights and a row mask', () => {
    const r = new Rng(15);
    const z = randLeaf(r, 6, 3, -2, 2);
    const y = Int32Array.from([0, 2, 1, 1, 2, 0]);
    const mask = Uint8Array.from([1, 0, 1, 1, 0, 1]);
    gradCheck('crossEntropy masked', () => crossEntropy(z, y, Float32Array.from([1, 2, 0.5]), mask), { z });
  });
});

describe('gradients: a composed model', () => {
  // Batch of 3 graphs → 2-layer GCN → mean pool → linear → cross-entropy, every parameter checked.
  const rng = new Rng(30);
  const F = 4;
  const H = 6;
  const graphs: GraphData[] = [5, 7, 4].map((n) => ({
    numNodes: n,
    x: Float32Array.from({ length: n * F }, () => rng.uniform(-1, 1)),
    edgeIndex: randomDag(rng, n),
  }));
  const batch = disjointUnion(graphs, F);
  const x = new Tensor(batch.x, batch.numNodes, F);
  const targets = Int32Array.from([0, 1, 1]);

  const adj = normalizedAdjacency(batch.numNodes, batch.src, batch.dst, 'both');
  const draw = (seed: number): Record<'w1' | 'b1' | 'w2' | 'b2' | 'w3' | 'b3', Tensor> => {
    const r = new Rng(seed);
    return {
      w1: randLeaf(r, F, H),
      b1: randLeaf(r, 1, H, -0.1, 0.1),
      w2: randLeaf(r, H, H),
      b2: randLeaf(r, 1, H, -0.1, 0.1),
      w3: randLeaf(r, H, 2),
      b3: randLeaf(r, 1, 2, -0.1, 0.1),
    };
  };
  // A check point away from ReLU kinks: the first seed whose pre-activations all have |z| ≥ 5e-3
  // (perturbing one weight by ε = 2e-3 moves a pre-activation by about ε·|h| < 5e-3).
  const margin = (p: ReturnType<typeof draw>): number => {
    const z1 = addBias(gcnPropagate(matmul(x, p.w1), adj), p.b1);
    const z2 = addBias(gcnPropagate(matmul(relu(z1), p.w2), adj), p.b2);
    return Math.min(...[...z1.data, ...z2.data].map(Math.abs));
  };
  let seed = 31;
  while (margin(draw(seed)) < 5e-3) seed++;

  for (const fused of [false, true]) {
    it(`2-layer GCN + meanPool + linear + CE (${fused ? 'gcnConv' : 'separate ops'})`, () => {
      const p = draw(seed);
      const layer = (h: Tensor, w: Tensor, b: Tensor): Tensor => (fused ? gcnConv(h, w, b, adj) : relu(addBias(gcnPropagate(matmul(h, w), adj), b)));
      const model = (): Tensor => {
        const h2 = layer(layer(x, p.w1, p.b1), p.w2, p.b2);
        return crossEntropy(linear(meanPool(h2, batch.batch, batch.numGraphs), p.w3, p.b3), targets);
      };
      gradCheck('model', model, p, { eps: 2e-3, rtol: 2e-2, atol: 2e-3, kinks: true });
    });
  }
});
