/**
 * Seeds fix everything: the PRNG's streams, initial weights, dropout masks and so the weights
 * after training, bit for bit. Plus the PRNG's distributions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, glorotUniform } from '../../src/nn';
import { trainTiny } from './tiny-model';

describe('Rng', () => {
  it('the same seed gives the same stream; another seed another one', () => {
    const draw = (seed: number): number[] => {
      const r = new Rng(seed);
      return [r.next(), r.uniform(-3, 3), r.normal(), r.normal(), r.int(100)];
    };
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
  });

  it('uniform and int stay in range; normal has mean ≈ 0 and std ≈ 1', () => {
    const r = new Rng(7);
    let sum = 0;
    let sq = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = r.uniform(2, 5);
      assert.ok(u >= 2 && u < 5);
      const k = r.int(7);
      assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    const mean = sum / n;
    const std = Math.sqrt(sq / n - mean * mean);
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(std - 1) < 0.03, `std ${std}`);
    const shifted = new Rng(8);
    let m2 = 0;
    for (let i = 0; i < 5000; i++) m2 += shifted.normal(10, 0.5);
    assert.ok(Math.abs(m2 / 5000 - 10) < 0.05);
  });

  it('shuffle is a permutation', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const s = new Rng(3).shuffle(a.slice());
    assert.notDeepEqual(s, a);
    assert.deepEqual([...s].sort((x, y) => x - y), a);
  });

  it('glorot: U(−a, a) with a = sqrt(6 / (fanIn + fanOut)), same seed same weights', () => {
    const w = glorotUniform(new Rng(5), 30, 64);
    const a = Math.sqrt(6 / 94);
    assert.equal(w.length, 30 * 64);
    assert.ok(w.every((v) => Math.abs(v) <= a));
    assert.ok(Math.max(...w) > 0.9 * a && Math.min(...w) < -0.9 * a);
    assert.deepEqual(glorotUniform(new Rng(5), 30, 64), w);
    assert.notDeepEqual(glorotUniform(new Rng(6), 30, 64), w);
  });
});

describe('training determinism', () => {
  it('same seed: bit-identical initial weights and weights after Adam steps with dropout', () => {
    const a0 = trainTiny(11, 0).model.params.map((p) => p.data);
    const b0 = trainTiny(11, 0).model.params.map((p) => p.data);
    assert.deepEqual(a0, b0);
    const a = trainTiny(11, 5, { dropout: 0.3, weightDecay: 1e-3 });
    const b = trainTiny(11, 5, { dropout: 0.3, weightDecay: 1e-3 });
    assert.deepEqual(a.losses, b.losses);
    a.model.params.forEach((p, k) => assert.deepEqual(p.data, b.model.params[k]?.data, `parameter ${k}`));
    // and training moved them
    a.model.params.forEach((p, k) => {
      if (k % 2 === 0) assert.notDeepEqual(p.data, a0[k]);
    });
  });

  it('a different seed gives different weights', () => {
    const a = trainTiny(11, 5, { dropout: 0.3 });
    const c = trainTiny(12, 5, { dropout: 0.3 });
    assert.notDeepEqual(a.model.params[0]?.data, c.model.params[0]?.data);
    assert.notDeepEqual(a.losses, c.losses);
  });
});
