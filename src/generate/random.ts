/**
 * Seeded randomness for the trace generator. Every (workflow, label) stream gets its own PRNG whose
 * seed mixes the user's seed with the stream's name, so generating one workflow alone gives the
 * same files as generating it among others. Integer arithmetic (mulberry32, FNV-1a) and V8's
 * deterministic Math functions: the same seed gives byte-identical files.
 */

/** FNV-1a over the parts, then a murmur3 finaliser: a well-mixed 32-bit stream seed. */
export function streamSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0) as number;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class GenRng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box–Muller, one variate per call: simpler to keep streams aligned). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Log-normal with the given median and log-space sigma: median · e^(σ·z). */
  lognormal(median: number, sigma: number): number {
    return sigma > 0 ? median * Math.exp(sigma * this.normal()) : median;
  }

  /** Pareto(xm, α): heavy-tailed, P(X > x) = (xm / x)^α for x ≥ xm. */
  pareto(xm: number, alpha: number): number {
    return xm / Math.pow(1 - this.next(), 1 / alpha);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}
