/**
 * mulberry32: a 32-bit seeded PRNG in integer arithmetic only, so a seed gives the same stream on
 * every machine. One implementation under the trainer's Rng (src/nn/random.ts: init, dropout,
 * shuffles, splits), the trace generator's GenRng (src/generate/random.ts), the fuzzers' case
 * choices (test/fuzz) and the soak's request mix. A seed of 0 is replaced by a fixed constant.
 */
export class Mulberry32 {
  private state: number;

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

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
