/**
 * Adam against its update rule computed by hand (float64), with and without weight decay.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Adam, parameter } from '../../src/nn';

/** torch.optim.Adam's step for one scalar, in float64. */
function adamRef(theta: number, grads: number[], lr: number, b1: number, b2: number, eps: number, wd: number): number {
  let m = 0;
  let v = 0;
  grads.forEach((g0, k) => {
    const t = k + 1;
    const g = g0 + wd * theta;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    theta -= (lr * (m / (1 - b1 ** t))) / (Math.sqrt(v / (1 - b2 ** t)) + eps);
  });
  return theta;
}

describe('Adam', () => {
  it('first step: θ − lr·ĝ/(|ĝ| + ε) with bias correction (≈ θ − lr·sign(g))', () => {
    const p = parameter(1, 3, Float32Array.from([1, -2, 0.5]));
    const opt = new Adam([p], { lr: 0.1 });
    p.grad = Float32Array.from([0.5, -0.1, 0]);
    opt.step();
    // m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε); a zero gradient does not move.
    const want = [1 - (0.1 * 0.5) / (0.5 + 1e-8), -2 + (0.1 * 0.1) / (0.1 + 1e-8), 0.5];
    want.forEach((w, i) => assert.ok(Math.abs((p.data[i] as number) - w) < 1e-6, `θ[${i}] = ${p.data[i]}, want ${w}`));
  });

  it('three steps with weight decay (L2 added to the gradient) and custom betas', () => {
    const grads = [
      [0.3, -1.2],
      [0.1, 0.4],
      [-0.2, 0.05],
    ];
    const theta0 = [0.7, -0.4];
    const cfg = { lr: 0.01, b1: 0.8, b2: 0.99, eps: 1e-6, wd: 0.05 };
    const p = parameter(1, 2, Float32Array.from(theta0));
    const opt = new Adam([p], { lr: cfg.lr, betas: [cfg.b1, cfg.b2], eps: cfg.eps, weightDecay: cfg.wd });
    for (const g of grads) {
      p.grad = Float32Array.from(g);
      opt.step();
    }
    theta0.forEach((t, i) => {
      const want = adamRef(t, grads.map((g) => g[i] as number), cfg.lr, cfg.b1, cfg.b2, cfg.eps, cfg.wd);
      assert.ok(Math.abs((p.data[i] as number) - want) < 1e-6, `θ[${i}] = ${p.data[i]}, want ${want}`);
    });
  });

  it('zeroGrad clears gradients; parameters without a gradient are left alone', () => {
    const a = parameter(1, 2, Float32Array.from([1, 2]));
    const b = parameter(1, 1, Float32Array.from([3]));
    const opt = new Adam([a, b], { lr: 0.1 });
    a.grad = Float32Array.from([1, 1]);
    opt.step();
    assert.equal(b.data[0], 3);
    opt.zeroGrad();
    assert.deepEqual(Array.from(a.grad), [0, 0]);
  });
});
