/**
 * Stratified 60/20/20 splits, seeded. Graph level: runs are split within each stratum
 * (workflow × label), so every split has every workflow and anomaly level in proportion.
 * Job level has two protocols:
 *  - 'paper': jobs are sampled across runs (a job's run may have other jobs in other splits;
 *    message passing sees whole graphs, the loss and the metrics only the split's jobs);
 *  - 'run': split by run, so no run's jobs are in two splits (stricter, no leakage via neighbours).
 */
import { Rng } from '../nn/random';

export type SplitName = 'train' | 'val' | 'test';
export const FRACTIONS: Record<SplitName, number> = { train: 0.6, val: 0.2, test: 0.2 };

/** Assigns each item to a split, stratified by `stratum(item)`. Returns 0 train, 1 val, 2 test. */
export function stratifiedSplit<T>(items: readonly T[], stratum: (t: T) => string, seed: number): Uint8Array {
  const groups = new Map<string, number[]>();
  items.forEach((t, i) => {
    const k = stratum(t);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  const out = new Uint8Array(items.length);
  const rng = new Rng(seed);
  for (const key of [...groups.keys()].sort()) {
    const idx = groups.get(key) as number[];
    rng.shuffle(idx);
    const nTrain = Math.round(idx.length * FRACTIONS.train);
    const nVal = Math.round(idx.length * FRACTIONS.val);
    idx.forEach((i, r) => (out[i] = r < nTrain ? 0 : r < nTrain + nVal ? 1 : 2));
  }
  return out;
}

/** Job-level 'paper' protocol: every job gets a split, stratified by its run's workflow × label. */
export function jobSplit(numNodesPerGraph: readonly number[], strata: readonly string[], seed: number): Uint8Array[] {
  const flat: Array<{ g: number; stratum: string }> = [];
  numNodesPerGraph.forEach((n, g) => {
    for (let j = 0; j < n; j++) flat.push({ g, stratum: strata[g] as string });
  });
  const assign = stratifiedSplit(flat, (t) => t.stratum, seed);
  const out: Uint8Array[] = numNodesPerGraph.map((n) => new Uint8Array(n));
  let k = 0;
  numNodesPerGraph.forEach((n, g) => {
    for (let j = 0; j < n; j++) (out[g] as Uint8Array)[j] = assign[k++] as number;
  });
  return out;
}
