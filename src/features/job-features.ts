/**
 * A job's feature vector, from the stored trace fields (graph/read-runs.ts). Raw values here;
 * scaling (scaler.ts) is fitted on the training split only.
 *
 *   x_job = [type one-hot (compute, transfer, auxiliary, subwf), is_clustered, 6 timestamps relative to the run's start,
 *            6 delays, bytes in/out, cpu time, exit status/code != 0, 4 missing-value flags]
 *
 * Missing values are NaN in the raw matrix; the scaler maps them to 0 (the training mean) and the
 * missing-value flags tell the model they were absent.
 */
import { JOB_TABLE_NUMBERS } from '../graph/job-table';
import { jobTableOf, tableOfRows, type JobField, type JobTable, type RunRecord } from '../graph/read-runs';

/** How a feature is scaled: none (one-hots, flags) or log1p then standardise (heavy tails). */
export type FeatureKind = 'raw' | 'log';

export interface FeatureSpec {
  name: string;
  kind: FeatureKind;
}

const f = (name: string, kind: FeatureKind): FeatureSpec => ({ name, kind });

export const FEATURES: readonly FeatureSpec[] = [
  f('type_compute', 'raw'),
  f('type_transfer', 'raw'),
  f('type_auxiliary', 'raw'),
  f('is_clustered', 'raw'),
  f('ready_rel', 'log'),
  f('submit_rel', 'log'),
  f('execute_start_rel', 'log'),
  f('execute_end_rel', 'log'),
  f('post_script_start_rel', 'log'),
  f('post_script_end_rel', 'log'),
  f('wms_delay', 'log'),
  f('queue_delay', 'log'),
  f('runtime', 'log'),
  f('post_script_delay', 'log'),
  f('stage_in_delay', 'log'),
  f('stage_out_delay', 'log'),
  f('stage_in_bytes', 'log'),
  f('stage_out_bytes', 'log'),
  f('cpu_time', 'log'),
  f('exit_nonzero', 'raw'),
  f('missing_stage_in', 'raw'),
  f('missing_stage_out', 'raw'),
  f('missing_cpu_time', 'raw'),
  f('missing_kickstart', 'raw'),
  // Last, so models trained before sub-workflow jobs existed read the columns they know (see selectFeatures).
  f('type_subwf', 'raw'),
];
export const NUM_FEATURES = FEATURES.length;
export const FEATURE_NAMES = FEATURES.map((s) => s.name);

const TIMESTAMPS: JobField[] = ['ready', 'submit', 'executeStart', 'executeEnd', 'postScriptStart', 'postScriptEnd'];
const DELAYS: JobField[] = ['wmsDelay', 'queueDelay', 'runtime', 'postScriptDelay', 'stageInDelay', 'stageOutDelay'];

/**
 * Raw features of every job of a run: x: [n, NUM_FEATURES], row-major, NaN = missing. Computed from
 * the run's job table (the one it was read from, or one packed from its rows): one definition of
 * the features whichever way the run was read.
 */
export function rawJobFeatures(run: RunRecord): Float32Array {
  return tableFeatures(jobTableOf(run) ?? tableOfRows(run.jobs));
}

const TC = Object.fromEntries(JOB_TABLE_NUMBERS.map((name, i) => [name, i])) as Record<(typeof JOB_TABLE_NUMBERS)[number], number>;
const TABLE_TIMESTAMPS = TIMESTAMPS.map((f) => TC[f as keyof typeof TC]);
const TABLE_DELAYS = DELAYS.map((f) => TC[f as keyof typeof TC]);

/** Features from a job table (NaN = missing; '' = no type or host). */
function tableFeatures(t: JobTable): Float32Array {
  const { n, values: v, types, hosts } = t;
  const K = JOB_TABLE_NUMBERS.length;
  const x = new Float32Array(n * NUM_FEATURES);
  let t0 = Infinity;
  for (let i = 0; i < n; i++) {
    const r = v[i * K + TC.ready] as number;
    const s = v[i * K + TC.submit] as number;
    if (r < t0) t0 = r;
    else if (Number.isNaN(r) && s < t0) t0 = s;
  }
  for (let i = 0; i < n; i++) {
    const b = i * K;
    const row = i * NUM_FEATURES;
    let k = 0;
    const type = types[i];
    x[row + k++] = type === 'compute' ? 1 : 0;
    x[row + k++] = type === 'transfer' ? 1 : 0;
    x[row + k++] = type === 'auxiliary' ? 1 : 0;
    x[row + k++] = v[b + TC.isClustered] as number;
    for (const c of TABLE_TIMESTAMPS) x[row + k++] = Math.max(0, (v[b + c] as number) - t0);
    for (const c of TABLE_DELAYS) x[row + k++] = v[b + c] as number;
    x[row + k++] = v[b + TC.stageInBytes] as number;
    x[row + k++] = v[b + TC.stageOutBytes] as number;
    x[row + k++] = v[b + TC.cpuTime] as number;
    const status = v[b + TC.kickstartStatus] as number;
    const code = v[b + TC.exitCode] as number;
    x[row + k++] = Number.isNaN(status) && Number.isNaN(code) ? NaN : status !== 0 && !Number.isNaN(status) ? 1 : code !== 0 && !Number.isNaN(code) ? 1 : 0;
    x[row + k++] = Number.isNaN(v[b + TC.stageInDelay] as number) ? 1 : 0;
    x[row + k++] = Number.isNaN(v[b + TC.stageOutDelay] as number) ? 1 : 0;
    x[row + k++] = Number.isNaN(v[b + TC.cpuTime] as number) ? 1 : 0;
    x[row + k++] = hosts[i] ? 0 : 1;
    x[row + k++] = type === 'subwf' ? 1 : 0;
  }
  return x;
}

/** Per (from, to) pair of name lists: the column of `from` of each name of `to` (null: one lacks), found once. */
const columns = new WeakMap<readonly string[], WeakMap<readonly string[], number[] | null>>();
export function featureColumns(from: readonly string[], to: readonly string[]): number[] | null {
  let byTo = columns.get(from);
  if (!byTo) columns.set(from, (byTo = new WeakMap()));
  let idx = byTo.get(to);
  if (idx === undefined) {
    const found = to.map((name) => from.indexOf(name));
    byTo.set(to, (idx = found.some((i) => i < 0) ? null : found));
  }
  return idx;
}

/**
 * The columns `to` of a raw feature matrix x: [n, from.length] (by name), for a model trained on
 * another feature set (an older one lacks later features). Null when `to` names a feature `from` lacks.
 */
export function selectFeatures(x: Float32Array, n: number, from: readonly string[], to: readonly string[]): Float32Array | null {
  const idx = featureColumns(from, to);
  if (idx === null) return null;
  const out = new Float32Array(n * to.length);
  for (let i = 0; i < n; i++) for (let k = 0; k < idx.length; k++) out[i * to.length + k] = x[i * from.length + (idx[k] as number)] as number;
  return out;
}
