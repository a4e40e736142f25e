/**
 * Element-wise ops.
 *
 *   relu:    y = max(x, 0);             dx = dy · [x > 0]
 *   dropout: y = x · m / (1 − p),  m ~ Bernoulli(1 − p) in training; identity otherwise
 *            (inverted dropout: the expected activation is unchanged, so evaluation needs no scaling)
 *
 * Loops are branch-free: signs of activations are random, and a mispredicted branch per element
 * costs more than the arithmetic (`+(v > 0)` compiles to a flag read, not a jump).
 */
import { alloc } from './arena';
import { Tensor, result } from './autograd';
import type { Rng } from './random';

export function relu(x: Tensor): Tensor {
  const xd = x.data;
  const y = alloc(xd.length);
  for (let i = 0; i < y.length; i++) {
    const v = xd[i] as number;
    y[i] = 0.5 * (v + Math.abs(v)); // max(v, 0), exactly
  }
  return result(y, x.rows, x.cols, [x], (out) => {
    const dy = out.grad as Float32Array;
    if (x.grad === null) {
      const dx = x.gradBuffer();
      for (let i = 0; i < dy.length; i++) dx[i] = (dy[i] as number) * +((y[i] as number) > 0);
    } else {
      const dx = x.grad;
      for (let i = 0; i < dy.length; i++) dx[i] = (dx[i] as number) + (dy[i] as number) * +((y[i] as number) > 0);
    }
  });
}

/** Inverted dropout with drop probability p; draws one `rng` number per element in training. */
export function dropout(x: Tensor, p: number, training: boolean, rng: Rng): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout: p = ${p} is not in [0, 1]`);
  if (!training || p === 0) return x;
  const keep = 1 - p;
  const scale = keep > 0 ? 1 / keep : 0;
  const xd = x.data;
  const mask = new Uint8Array(xd.length);
  const y = alloc(xd.length);
  for (let i = 0; i < y.length; i++) {
    const m = +(rng.next() < keep);
    mask[i] = m;
    y[i] = (xd[i] as number) * m * scale;
  }
  return result(y, x.rows, x.cols, [x], (out) => {
    const dy = out.grad as Float32Array;
    const dx = x.gradBuffer();
    for (let i = 0; i < dy.length; i++) dx[i] = (dx[i] as number) + (dy[i] as number) * (mask[i] as number) * scale;
  });
}
