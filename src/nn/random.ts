/**
 * The trainer's seeded PRNG (mulberry32, src/random): the same seed gives bit-for-bit the same
 * weights, dropout masks, shuffles and splits, on every machine (no platform randomness).
 */
import { Mulberry32 } from '../random/mulberry32';

export class Rng extends Mulberry32 {
  private spare: number | null = null;

  /** Normal(mean, std) by Box–Muller; the second variate of each pair is kept for the next call. */
  normal(mean = 0, std = 1): number {
    let z = this.spare;
    if (z === null) {
      // 1 − u keeps the log argument in (0, 1]: u = 0 is a possible draw.
      const r = Math.sqrt(-2 * Math.log(1 - this.next()));
      const theta = 2 * Math.PI * this.next();
      z = r * Math.cos(theta);
      this.spare = r * Math.sin(theta);
    } else this.spare = null;
    return mean + std * z;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i] as T;
      a[i] = a[j] as T;
      a[j] = t;
    }
    return a;
  }

  /** Glorot/Xavier uniform init for a [fanIn, fanOut] weight: U(-a, a), a = sqrt(6 / (fanIn + fanOut)). */
  glorot(fanIn: number, fanOut: number): Float32Array {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * this.next() - 1) * a;
    return w;
  }
}

/** Glorot/Xavier-uniform [fanIn, fanOut] weights drawn from `rng` (PyG's `glorot`, torch's `xavier_uniform_`). */
export function glorotUniform(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  return rng.glorot(fanIn, fanOut);
}
