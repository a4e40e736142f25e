/**
 * The normal-only detector: trained on runs that went fine (no labelled anomaly needed), it scores
 * each job and run by how far they deviate from the normal profile (normal-profile.ts).
 *
 *   z: [n, L]        robust deviations of a run's jobs (normal-profile.ts `deviations`)
 *   s_j = (1/L) Σ_f max(z_jf, 0)                 a job's own deviation: only slower / bigger counts
 *   c_j = mean of s_k over the jobs k of the run on j's host (j alone when its host is unknown)
 *                                                job score: anomalies strike a machine (a throttled
 *                                                CPU, a slow disk), so its other jobs are evidence too
 *                                                (measured on Flow-Bench: job ROC-AUC 0.78 → 0.82,
 *                                                0.82 → 0.88); the run mean of c equals that of s
 *   r   = ((1/n) Σ_j s_j − c_w) / d_w            run score, centred and scaled per workflow w by the
 *                                                validation normal runs' median and robust σ (so
 *                                                runs of different workflows are comparable)
 *   anomalous ⇔ score > τ, τ = the (1 − α) quantile of the validation normal runs' (or jobs')
 *   scores: α is the false-alarm rate on normal data the user asks for (default 5 %).
 *   P(anomalous) = σ((score − τ) / T)             a monotone map for the shared `probabilities`
 *                                                output; T keeps float32 from saturating.
 *
 * Measured alternatives (docs/detection.md): max instead of mean over features or jobs, |z| or z²
 * instead of max(z, 0), timestamps as extra features: none beat this on flowgad.
 */
import type { ModelLevel } from '../model-identity';
import { deviations, fitProfile, type NormalProfile, type ProfileInput, type ProfileOptions } from './normal-profile';

export type DetectorLevel = ModelLevel;

export interface Calibration {
  center: number;
  scale: number;
}

export interface NormalOnlyState {
  kind: 'normal-only';
  level: DetectorLevel;
  profile: NormalProfile;
  /** Run-score calibration per workflow, and for workflows never seen ("*"). */
  calibration: Record<string, Calibration>;
  falseAlarmRate: number;
  threshold: number;
  temperature: number;
  /** How many runs it was fitted and thresholded on. */
  trainRuns: number;
  validationRuns: number;
}

export interface RunScores {
  /** [n] job scores. */
  jobs: Float64Array;
  /** Calibrated run score. */
  run: number;
}

export function jobScores(z: Float32Array, L: number): Float64Array {
  const n = z.length / L;
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let q = 0; q < L; q++) s += Math.max(z[j * L + q] as number, 0);
    out[j] = s / L;
  }
  return out;
}

function rawRunScore(js: Float64Array): number {
  let s = 0;
  for (const v of js) s += v;
  return js.length ? s / js.length : 0;
}

export function calibrationOf(st: Pick<NormalOnlyState, 'calibration'>, workflow: string): Calibration {
  return st.calibration[workflow] ?? (st.calibration['*'] as Calibration);
}

/** Context group of each job, 0-based per run: one per host, one per job whose host is unknown. */
export function contextGroups(hosts: ReadonlyArray<string | null> | undefined, n: number): Int32Array {
  const out = new Int32Array(n);
  const ids = new Map<string, number>();
  let next = 0;
  for (let j = 0; j < n; j++) {
    const h = hosts?.[j];
    if (h === null || h === undefined) out[j] = next++;
    else {
      let id = ids.get(h);
      if (id === undefined) ids.set(h, (id = next++));
      out[j] = id;
    }
  }
  return out;
}

/** c_j: the mean own score over j's context group. */
export function contextScores(own: Float64Array, groups: Int32Array): Float64Array {
  const sum = new Map<number, [number, number]>();
  own.forEach((v, j) => {
    const a = sum.get(groups[j] as number) ?? [0, 0];
    a[0] += v;
    a[1]++;
    sum.set(groups[j] as number, a);
  });
  return Float64Array.from(own, (_, j) => {
    const [s, c] = sum.get(groups[j] as number) as [number, number];
    return s / c;
  });
}

/** Scores of one run's jobs (c_j) and of the run, in float64 (the ONNX graph computes the same in float32). */
export function scoreRun(st: NormalOnlyState, run: ProfileInput): RunScores {
  const z = deviations(st.profile, run).z;
  const own = jobScores(z, st.profile.columns.length);
  const jobs = contextScores(own, contextGroups(run.hosts, own.length));
  const c = calibrationOf(st, run.workflow);
  return { jobs, run: (rawRunScore(jobs) - c.center) / c.scale };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = Math.min(sorted.length - 1, Math.max(0, q * (sorted.length - 1)));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

function robust(values: number[]): Calibration {
  const s = values.slice().sort((a, b) => a - b);
  const center = quantile(s, 0.5);
  const mad = quantile(
    s.map((v) => Math.abs(v - center)).sort((a, b) => a - b),
    0.5,
  );
  return { center, scale: Math.max(1.4826 * mad, 1e-3) };
}

export interface NormalOnlyOptions extends ProfileOptions {
  level: DetectorLevel;
  /** α: the share of validation normal runs (jobs) allowed above the threshold. */
  falseAlarmRate: number;
}

/**
 * Fits on `train` and calibrates/thresholds on `validation`: both are taken to be normal runs.
 * No labels are passed in: the caller decides which runs are normal (or of unknown truth, assumed
 * mostly normal) and nothing here can read a label.
 */
export function fitNormalOnly(train: readonly ProfileInput[], validation: readonly ProfileInput[], opts: NormalOnlyOptions): NormalOnlyState {
  if (train.length === 0) throw new Error('the normal-only detector needs at least one normal training run');
  if (!(opts.falseAlarmRate > 0 && opts.falseAlarmRate < 1)) throw new Error(`false-alarm rate ${opts.falseAlarmRate}: expected a value in (0, 1)`);
  const profile = fitProfile(train, opts);
  const L = profile.columns.length;
  // Validation falls back to the training runs when there are none (tiny budgets): the threshold is then optimistic.
  const val = validation.length ? validation : train;
  const raw = val.map((r) => {
    const own = jobScores(deviations(profile, r).z, L);
    return { workflow: r.workflow, jobs: contextScores(own, contextGroups(r.hosts, own.length)) };
  });
  const calibration: Record<string, Calibration> = {};
  const byWf = new Map<string, number[]>();
  for (const r of raw) {
    const v = byWf.get(r.workflow) ?? [];
    v.push(rawRunScore(r.jobs));
    byWf.set(r.workflow, v);
  }
  for (const [w, v] of [...byWf.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) calibration[w] = robust(v);
  calibration['*'] = robust([...byWf.values()].flat());
  const st: NormalOnlyState = { kind: 'normal-only', level: opts.level, profile, calibration, falseAlarmRate: opts.falseAlarmRate, threshold: 0, temperature: 1, trainRuns: train.length, validationRuns: validation.length };
  const scores = opts.level === 'graph' ? raw.map((r) => { const c = calibrationOf(st, r.workflow); return (rawRunScore(r.jobs) - c.center) / c.scale; }) : raw.flatMap((r) => [...r.jobs]);
  const sorted = scores.sort((a, b) => a - b);
  st.threshold = quantile(sorted, 1 - opts.falseAlarmRate);
  // σ((s − τ)/T): T = the spread of normal scores, so the probability moves over the scores seen.
  st.temperature = Math.max(quantile(sorted, 0.9) - quantile(sorted, 0.1), 0.05);
  return st;
}

/** P(anomalous) of a score, as the ONNX graph computes it. */
export function anomalyProbability(st: Pick<NormalOnlyState, 'threshold' | 'temperature'>, score: number): number {
  return 1 / (1 + Math.exp(-(score - st.threshold) / st.temperature));
}
