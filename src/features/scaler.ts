/**
 * Feature scaling, fitted on the training split only (the paper's reference code fits min-max on
 * all data, which leaks the test set). Two parts, concatenated:
 *
 *   global   z = (log1p(max(v, 0)) − μ_f) / σ_f            'log' features (heavy tails)
 *            z = v                                        'raw' features (one-hots, flags)
 *   relative r = (log1p(max(v, 0)) − μ_{w,j,f}) / σ_{w,j,f} 'log' features, per template job j of
 *                                                          workflow w: how far this job is from
 *                                                          the same job in normal training runs
 *   missing (NaN) → 0 (the mean); the missing-value flags carry the absence.
 *
 * The relative part is our addition to the paper's features (validation says it helps: see the
 * reproduce report). Stored with the model so inference applies exactly the same transform.
 */
import type { FeatureSpec } from './job-features';

export interface ScalerState {
  features: string[];
  kinds: Array<'raw' | 'log'>;
  mean: number[];
  std: number[];
  /** Per "<workflow>#<template index>": mean and std of each 'log' feature, in feature order. */
  relative: Record<string, { mean: number[]; std: number[] }>;
}

export interface ScalerInput {
  workflow: string;
  /** [n, F] raw features; row j is template job j. */
  x: Float32Array;
  /** Rows to fit on (job-level splits); all rows when absent. */
  rows?: Uint8Array;
  /** Whether the run is a reference (normal) run: only those set the per-job baselines. */
  reference?: boolean;
}

class Moments {
  sum: Float64Array;
  sq: Float64Array;
  n: Float64Array;
  constructor(f: number) {
    this.sum = new Float64Array(f);
    this.sq = new Float64Array(f);
    this.n = new Float64Array(f);
  }
  add(j: number, t: number): void {
    this.sum[j] = (this.sum[j] as number) + t;
    this.sq[j] = (this.sq[j] as number) + t * t;
    this.n[j] = (this.n[j] as number) + 1;
  }
  finish(): { mean: number[]; std: number[] } {
    const mean: number[] = [];
    const std: number[] = [];
    for (let j = 0; j < this.sum.length; j++) {
      const c = this.n[j] as number;
      const m = c > 0 ? (this.sum[j] as number) / c : 0;
      const v = c > 1 ? (this.sq[j] as number) / c - m * m : 0;
      mean.push(m);
      // A constant feature would divide by zero: leave it centred, unscaled.
      std.push(v > 1e-8 ? Math.sqrt(v) : 1);
    }
    return { mean, std };
  }
}

export function logIndices(kinds: ReadonlyArray<'raw' | 'log'>): number[] {
  return kinds.flatMap((k, j) => (k === 'log' ? [j] : []));
}

/** Number of scaled features: the global part plus one relative feature per 'log' feature. */
export function scaledWidth(s: Pick<ScalerState, 'kinds'>): number {
  return s.kinds.length + logIndices(s.kinds).length;
}

export function fitScaler(specs: readonly FeatureSpec[], inputs: Iterable<ScalerInput>): ScalerState {
  const F = specs.length;
  const kinds = specs.map((s) => s.kind);
  const logs = logIndices(kinds);
  const global = new Moments(F);
  const rel = new Map<string, Moments>();
  for (const { workflow, x, rows, reference } of inputs) {
    const n = x.length / F;
    for (let r = 0; r < n; r++) {
      if (rows && !rows[r]) continue;
      const key = `${workflow}#${r}`;
      let m = rel.get(key);
      if (!m && reference !== false) rel.set(key, (m = new Moments(logs.length)));
      logs.forEach((j, q) => {
        const v = x[r * F + j] as number;
        if (Number.isNaN(v)) return;
        const t = Math.log1p(Math.max(v, 0));
        global.add(j, t);
        if (reference !== false) (m as Moments).add(q, t);
      });
    }
  }
  const g = global.finish();
  const relative: ScalerState['relative'] = {};
  for (const [k, m] of [...rel.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) relative[k] = m.finish();
  return { features: specs.map((s) => s.name), kinds, mean: g.mean, std: g.std, relative };
}

type RelativeStats = ScalerState['relative'][string];
/** Per scaler and workflow, the relative statistics of template row r (null: none), found once. */
const relativeRows = new WeakMap<ScalerState, Map<string, Array<RelativeStats | null>>>();
function relativeRow(s: ScalerState, workflow: string, r: number): RelativeStats | null {
  let byWorkflow = relativeRows.get(s);
  if (!byWorkflow) relativeRows.set(s, (byWorkflow = new Map()));
  let rows = byWorkflow.get(workflow);
  if (!rows) byWorkflow.set(workflow, (rows = []));
  let rel = rows[r];
  if (rel === undefined) rows[r] = rel = s.relative[`${workflow}#${r}`] ?? null;
  return rel;
}

/** Per scaler: which features are 'log' ones and their indices (read once per scaler, not per run). */
const kindsOf = new WeakMap<ScalerState, { isLog: boolean[]; L: number }>();
function kindInfo(s: ScalerState): { isLog: boolean[]; L: number } {
  let k = kindsOf.get(s);
  if (!k) kindsOf.set(s, (k = { isLog: s.kinds.map((kind) => kind === 'log'), L: logIndices(s.kinds).length }));
  return k;
}

/** Scales x: [n, F] of one run of `workflow` into [n, scaledWidth]. */
export function applyScaler(s: ScalerState, workflow: string, x: Float32Array): Float32Array {
  const n = x.length / s.features.length;
  const out = new Float32Array(n * (s.features.length + kindInfo(s).L));
  applyScalerInto(s, workflow, x, out, 0);
  return out;
}

/**
 * Where the scaler's features are in a wider raw matrix: row width and, per scaler feature, its
 * column (features/job-features.ts featureColumns; a model trained on fewer features).
 */
export interface FeatureSource {
  width: number;
  columns: readonly number[];
}

/**
 * applyScaler writing into `out` from row `at` on (a batch's feature matrix [N, scaledWidth]),
 * without an array per run. Rows of `out` are written whole. `source`: x is [n, source.width] and
 * the scaler's feature j is its column source.columns[j] (no copy of the selected columns).
 */
export function applyScalerInto(s: ScalerState, workflow: string, x: Float32Array, out: Float32Array, at: number, source?: FeatureSource): void {
  const F = s.features.length;
  const { isLog, L } = kindInfo(s);
  const W = F + L;
  const width = source?.width ?? F;
  const col = source?.columns;
  const n = x.length / width;
  // log1p(max(v, 0)) of each 'log' feature of a row, shared by its global and relative parts.
  const t = new Float64Array(L);
  for (let r = 0; r < n; r++) {
    const row = r * width;
    const o = (at + r) * W;
    for (let j = 0, q = 0; j < F; j++) {
      const v = x[row + (col ? (col[j] as number) : j)] as number;
      if (!isLog[j]) {
        out[o + j] = Number.isNaN(v) ? 0 : v;
        continue;
      }
      const tv = Number.isNaN(v) ? NaN : Math.log1p(Math.max(v, 0));
      t[q++] = tv;
      out[o + j] = Number.isNaN(v) ? 0 : (tv - (s.mean[j] as number)) / (s.std[j] as number);
    }
    // A template job never seen in training (or a new workflow) gets no relative signal.
    const rel = relativeRow(s, workflow, r);
    if (!rel) {
      out.fill(0, o + F, o + W);
      continue;
    }
    for (let q = 0; q < L; q++) {
      const tv = t[q] as number;
      if (Number.isNaN(tv)) {
        out[o + F + q] = 0;
        continue;
      }
      const z = (tv - (rel.mean[q] as number)) / (rel.std[q] as number);
      // Clip: a job 1000σ away says no more than one 10σ away, and keeps activations sane.
      out[o + F + q] = Math.max(-10, Math.min(10, z));
    }
  }
}
