/**
 * Seeded randomness for the trace generator. Every (workflow, label) stream gets its own PRNG whose
 * seed mixes the user's seed with the stream's name, so generating one workflow alone gives the
 * same files as generating it among others. Integer arithmetic (mulberry32, FNV-1a) and V8's
 * deterministic Math functions: the same seed gives byte-identical files.
 */
import { Mulberry32 } from '../random/mulberry32';

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

export class GenRng extends Mulberry32 {
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
