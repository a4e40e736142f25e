/**
 * How each job of a workflow normally behaves: robust statistics of its measurements over normal
 * runs, and how far a job of another run deviates from them.
 *
 *   t_f       = log1p(max(v_f, 0))                    measurement f of a job (a 'log' feature)
 *   t_ratio   = log1p(runtime) − log1p(cpu_time)       runtime not spent computing (a throttled CPU
 *                                                      or a slow disk stretch runtime, not cpu time)
 *   m_{k,f}   = median of t_f over the normal runs' jobs with key k
 *   s_{k,f}   = max(1.4826 · MAD_{k,f}, minScale)      robust σ; the floor keeps a job that never
 *                                                      varied from turning 1 % into 100σ
 *   z_f       = clip((t_f − m_{k,f}) / s_{k,f}, ±clip)
 *
 * Keys, most specific first, so that a run of another template version or a new job still gets a
 * baseline (and a workflow never seen gets the job-type one):
 *   job    "<workflow>|<job name, instance ids removed>"
 *   group  "<workflow>|~<transformation>" (the name without its _ID… / _PID… counters)
 *   type   "~<compute|transfer|auxiliary>" over every workflow
 * A job with none of them (type unknown, no training job of its type) gets z = 0 and level 'none'.
 */
import { auxKey } from '../ingest/names';
import { FEATURES, NUM_FEATURES } from '../features/job-features';

/** Derived: runtime over cpu time, in log space (value shown as the ratio (1 + runtime) / (1 + cpu time)). */
export const RATIO = 'runtime_vs_cpu_time';

/** The measurements a job is compared on: a job's own timings, volumes and cpu time. */
export const DEVIATION_FEATURES = [
  'wms_delay',
  'queue_delay',
  'runtime',
  'post_script_delay',
  'stage_in_delay',
  'stage_out_delay',
  'stage_in_bytes',
  'stage_out_bytes',
  'cpu_time',
  RATIO,
] as const;

export type BaselineLevel = 'job' | 'group' | 'type' | 'none';
export const BASELINE_LEVELS: readonly BaselineLevel[] = ['job', 'group', 'type', 'none'];

export interface BaselineStats {
  /**
   * Per deviation feature, in log1p space; NaN when no normal job had the value (a job that never
   * ran in the normal runs). A saved model holds such a NaN as null (JSON): read both as "no
   * baseline" (`hasBaseline`), never as a number.
   */
  median: number[];
  scale: number[];
  /** Normal jobs the statistics are over. */
  n: number;
}

export interface NormalProfile {
  /** Deviation feature names, in z column order. */
  features: string[];
  /** Their columns in the raw job feature matrix (features/job-features.ts). */
  columns: number[];
  baselines: Record<string, BaselineStats>;
  minScale: number;
  clip: number;
}

/** A run as the profile sees it: workflow, job names (template order) and raw features [n, F]. */
export interface ProfileInput {
  workflow: string;
  jobNames?: readonly string[];
  /** [n, NUM_FEATURES] raw features, NaN = missing. */
  x: Float32Array;
  /** Per job: the host it ran on (null = unknown); the detector's job scores use it as context. */
  hosts?: ReadonlyArray<string | null>;
}

const TYPE_COLUMNS = ['type_compute', 'type_transfer', 'type_auxiliary'].map((n) => FEATURES.findIndex((f) => f.name === n));
const TYPE_NAMES = ['compute', 'transfer', 'auxiliary'];

/** "individuals_ID0000003" → "individuals", "merge_gunzip_PID1_ID2" → "merge_gunzip". */
export function transformationOf(name: string): string {
  return auxKey(name).replace(/(_(P?ID|ID)\d+)+$/, '');
}

/** The baseline keys of job j of a run, most specific first. */
export function baselineKeys(workflow: string, name: string | undefined, x: Float32Array, j: number): Array<[BaselineLevel, string]> {
  const keys: Array<[BaselineLevel, string]> = [];
  if (name !== undefined) {
    keys.push(['job', `${workflow}|${auxKey(name)}`]);
    keys.push(['group', `${workflow}|~${transformationOf(name)}`]);
  }
  const t = TYPE_COLUMNS.findIndex((c) => x[j * NUM_FEATURES + c] === 1);
  if (t >= 0) keys.push(['type', `~${TYPE_NAMES[t] as string}`]);
  return keys;
}

const RUNTIME = FEATURES.findIndex((f) => f.name === 'runtime');
const CPU_TIME = FEATURES.findIndex((f) => f.name === 'cpu_time');
/** Column of a deviation feature in the raw matrix; -1 = the derived runtime/cpu-time ratio. */
function columnOf(name: string): number {
  return name === RATIO ? -1 : FEATURES.findIndex((f) => f.name === name);
}

/** t of job j for a raw column (or the derived ratio, column -1); NaN when missing. */
export function logValue(x: Float32Array, j: number, column: number): number {
  if (column >= 0) {
    const v = x[j * NUM_FEATURES + column] as number;
    return Number.isNaN(v) ? NaN : Math.log1p(Math.max(v, 0));
  }
  const r = x[j * NUM_FEATURES + RUNTIME] as number;
  const c = x[j * NUM_FEATURES + CPU_TIME] as number;
  return Number.isNaN(r) || Number.isNaN(c) ? NaN : Math.log1p(Math.max(r, 0)) - Math.log1p(Math.max(c, 0));
}

/** A log-space value back in the user's units: expm1 for measurements, exp for the ratio. */
export function rawValue(column: number, t: number): number {
  return column >= 0 ? Math.expm1(t) : Math.exp(t);
}

/** A baseline value that can be compared with: NaN, null (NaN saved as JSON) and ±∞ cannot. */
export function hasBaseline(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export interface ProfileOptions {
  minScale?: number;
  clip?: number;
}

/** Fits the profile on normal runs only (it is given no labels: every input is taken as normal). */
export function fitProfile(runs: Iterable<ProfileInput>, opts: ProfileOptions = {}): NormalProfile {
  const columns = DEVIATION_FEATURES.map(columnOf);
  const L = columns.length;
  const values = new Map<string, number[][]>();
  for (const run of runs) {
    const n = run.x.length / NUM_FEATURES;
    for (let j = 0; j < n; j++) {
      for (const [, key] of baselineKeys(run.workflow, run.jobNames?.[j], run.x, j)) {
        let vs = values.get(key);
        if (!vs) values.set(key, (vs = Array.from({ length: L + 1 }, () => [])));
        (vs[L] as number[]).push(1);
        columns.forEach((c, q) => {
          const t = logValue(run.x, j, c);
          if (!Number.isNaN(t)) (vs[q] as number[]).push(t);
        });
      }
    }
  }
  const minScale = opts.minScale ?? 0.1;
  const baselines: Record<string, BaselineStats> = {};
  for (const key of [...values.keys()].sort()) {
    const vs = values.get(key) as number[][];
    const med: number[] = [];
    const scale: number[] = [];
    for (let q = 0; q < L; q++) {
      const v = vs[q] as number[];
      if (v.length === 0) {
        med.push(NaN);
        scale.push(NaN);
        continue;
      }
      const m = median(v);
      med.push(m);
      scale.push(Math.max(1.4826 * median(v.map((t) => Math.abs(t - m))), minScale));
    }
    baselines[key] = { median: med, scale, n: (vs[L] as number[]).length };
  }
  return { features: [...DEVIATION_FEATURES], columns, baselines, minScale, clip: opts.clip ?? 10 };
}

export interface Deviations {
  /** [n, L] clipped robust z per job and deviation feature (0 where missing or no baseline); always finite. */
  z: Float32Array;
  /** Per job: which baseline it was compared with. */
  level: BaselineLevel[];
  /** Per job: the baseline itself (null for 'none'), for explanations. */
  stats: Array<BaselineStats | null>;
}

/** How far each job of a run is from its normal behaviour. */
export function deviations(p: NormalProfile, run: ProfileInput): Deviations {
  const n = run.x.length / NUM_FEATURES;
  const L = p.columns.length;
  const z = new Float32Array(n * L);
  const level: BaselineLevel[] = [];
  const stats: Array<BaselineStats | null> = [];
  for (let j = 0; j < n; j++) {
    let found: [BaselineLevel, BaselineStats] | null = null;
    for (const [lv, key] of baselineKeys(run.workflow, run.jobNames?.[j], run.x, j)) {
      const b = p.baselines[key];
      if (b) {
        found = [lv, b];
        break;
      }
    }
    level.push(found ? found[0] : 'none');
    stats.push(found ? found[1] : null);
    if (!found) continue;
    const b = found[1];
    for (let q = 0; q < L; q++) {
      const t = logValue(run.x, j, p.columns[q] as number);
      const m = b.median[q];
      const sc = b.scale[q];
      // No baseline for this measurement (never seen in the normal runs): it contributes nothing.
      if (Number.isNaN(t) || !hasBaseline(m) || !hasBaseline(sc) || !(sc > 0)) continue;
      const d = (t - m) / sc;
      z[j * L + q] = Math.max(-p.clip, Math.min(p.clip, d));
    }
  }
  return { z, level, stats };
}
