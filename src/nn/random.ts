/**
 * A seeded PRNG (mulberry32): the same seed gives bit-for-bit the same weights, dropout masks,
 * shuffles and splits, on every machine (integer arithmetic only, no platform randomness).
 */
export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

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

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
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
