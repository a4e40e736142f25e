/**
 * Training and testing the normal-only detector (models/normal-only.ts) on stored runs.
 *
 * Which runs it learns from is decided here, and only here, from the truth:
 *   pool  = normal runs, plus runs of unknown truth when `assumeNormal` (an operator's "these
 *           mostly went fine"), except those that failed or are still running (left out, listed in
 *           `split.leftOut`); anomalous runs never enter it
 *   pool per workflow ≥ MIN_NORMAL_RUNS, else training refuses (BAD_INPUT)
 *   pool split per workflow (seeded): 20 % test, the rest shuffled; of that `budget` runs per
 *           workflow (all when absent): 75 % fit the profile, 25 % set calibration and threshold
 *   test  = the pool's test runs of known truth + the test split of the anomalous runs
 *           (stratified by workflow × label, the same 60/20/20 as the supervised trainer)
 * The fit itself (fitNormalOnly) receives features and job names only: no label reaches it, and
 * anomalous runs, whatever their labels, cannot change the model (test/train/normal-only.test.ts).
 */
import { WfadError } from '../errors';
import { jobCategoryOf, jobTargets, type GraphSample } from '../features/dataset';
import { fitNormalOnly, scoreRun, type DetectorLevel, type NormalOnlyState } from '../models/normal-only';
import { Rng } from '../nn/random';
import { summarize, type DetectionSummary, type ScoredItem } from './detection-report';
import type { ProfileInput } from '../models/normal-profile';
import { stratifiedSplit } from './split';
import { stratumOf } from './trainer';

export interface NormalOnlyConfig {
  level: DetectorLevel;
  seed: number;
  falseAlarmRate: number;
  assumeNormal: boolean;
  /** Normal runs per workflow to learn from (fit + threshold); all when null. */
  budget: number | null;
}

export const NORMAL_ONLY_DEFAULTS: NormalOnlyConfig = { level: 'graph', seed: 0, falseAlarmRate: 0.05, assumeNormal: false, budget: null };

/** Unknown truth: no category stored (an operator's unlabelled run). */
export const unknownTruth = (s: Pick<GraphSample, 'category'>): boolean => s.category === null || s.category === undefined || s.category === '' || s.category === 'unknown';

/**
 * Fewest normal runs of a workflow the detector is trained on. The split needs them: 20 % go to
 * test, and of the rest a quarter, at least MIN_HELD_OUT_RUNS, set calibration and threshold
 * (never seen by the fit); 10 leaves 8 → 6 fit, 2 held out. Far from the ~25–50 runs a useful
 * detector needs (docs/detection.md), but below it there is no threshold worth the name.
 */
export const MIN_NORMAL_RUNS = 10;
/** Fewest held-out normal runs per workflow for its calibration (a robust spread needs two). */
export const MIN_HELD_OUT_RUNS = 2;

/** Run states `--assume-normal` never takes as normal: a failed run, a run still under way. */
export const NOT_NORMAL_STATES: readonly string[] = ['failed', 'running'];

export interface LeftOutRun {
  runId: string;
  workflow: string;
  state: string;
}

export interface NormalOnlySplit {
  train: number[];
  validation: number[];
  test: number[];
  /** Runs of unknown truth `assumeNormal` did not take: they failed or are still running. */
  leftOut: LeftOutRun[];
}

/** Sample indices per role (see the module comment). */
export function normalOnlySplit(samples: readonly GraphSample[], cfg: Pick<NormalOnlyConfig, 'seed' | 'assumeNormal' | 'budget'>): NormalOnlySplit {
  const pool: number[] = [];
  const anomalous: number[] = [];
  const leftOut: LeftOutRun[] = [];
  samples.forEach((s, i) => {
    if (unknownTruth(s)) {
      if (!cfg.assumeNormal) return;
      if (s.state && NOT_NORMAL_STATES.includes(s.state)) leftOut.push({ runId: s.runId, workflow: s.workflow, state: s.state });
      else pool.push(i);
    } else if (s.category === 'normal') pool.push(i);
    else anomalous.push(i);
  });
  const poolSplit = stratifiedSplit(pool.map((i) => samples[i] as GraphSample), (s) => s.workflow, cfg.seed);
  const out: NormalOnlySplit = { train: [], validation: [], test: [], leftOut };
  const rest = new Map<string, number[]>();
  pool.forEach((i, k) => {
    const s = samples[i] as GraphSample;
    if (poolSplit[k] === 2) {
      if (!unknownTruth(s)) out.test.push(i);
      return;
    }
    const r = rest.get(s.workflow) ?? [];
    r.push(i);
    rest.set(s.workflow, r);
  });
  const rng = new Rng(cfg.seed ^ 0x2545f491);
  for (const w of [...rest.keys()].sort()) {
    const idx = rng.shuffle((rest.get(w) as number[]).slice()).slice(0, cfg.budget ?? undefined);
    const nVal = idx.length >= 4 ? Math.round(idx.length / 4) : 0;
    out.validation.push(...idx.slice(0, nVal));
    out.train.push(...idx.slice(nVal));
  }
  const aSplit = stratifiedSplit(anomalous.map((i) => samples[i] as GraphSample), stratumOf, cfg.seed);
  anomalous.forEach((i, k) => aSplit[k] === 2 && out.test.push(i));
  out.test.sort((a, b) => a - b);
  return out;
}

export interface NormalOnlyResult {
  state: NormalOnlyState;
  config: NormalOnlyConfig;
  split: NormalOnlySplit;
  test: DetectionSummary;
  seconds: number;
}

/** The detector's items (runs or jobs) for the given samples, with truth for the summary. */
export function scoreItems(st: NormalOnlyState, samples: readonly GraphSample[]): ScoredItem[] {
  const items: ScoredItem[] = [];
  for (const s of samples) {
    const sc = scoreRun(st, s);
    if (st.level === 'graph') {
      items.push({ workflow: s.workflow, category: s.category, target: s.yMulti > 0 ? 1 : 0, predicted: sc.run > st.threshold ? 1 : 0, score: sc.run });
      continue;
    }
    const t = jobTargets(s, 'binary');
    sc.jobs.forEach((v, j) => {
      items.push({ workflow: s.workflow, category: jobCategoryOf(s, j), target: t[j] as number, predicted: v > st.threshold ? 1 : 0, score: v });
    });
  }
  return items;
}

/**
 * Refuses a split the detector cannot be fitted and thresholded on: per workflow, fewer than
 * MIN_NORMAL_RUNS normal runs, or (a small --normal-runs budget) fewer than MIN_HELD_OUT_RUNS held out.
 */
export function checkNormalOnlySplit(samples: readonly GraphSample[], split: NormalOnlySplit, cfg: Pick<NormalOnlyConfig, 'assumeNormal' | 'budget'>): void {
  const count = (idx: readonly number[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const i of idx) {
      const w = (samples[i] as GraphSample).workflow;
      m.set(w, (m.get(w) ?? 0) + 1);
    }
    return m;
  };
  const pool = new Map<string, number>();
  for (const s of samples) pool.set(s.workflow, pool.get(s.workflow) ?? 0);
  const left = new Set(split.leftOut.map((l) => l.runId));
  const inPool = (s: GraphSample): boolean => s.category === 'normal' || (cfg.assumeNormal && unknownTruth(s) && !left.has(s.runId));
  for (const [w, n] of count(samples.flatMap((s, i) => (inPool(s) ? [i] : [])))) pool.set(w, n);
  const held = count(split.validation);
  const what = cfg.assumeNormal ? 'normal runs (labelled normal, or of unknown truth that succeeded: --assume-normal)' : 'runs labelled normal';
  for (const [w, n] of [...pool.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const out = split.leftOut.filter((l) => l.workflow === w);
    const leftNote = out.length ? `; ${out.length} run(s) of unknown truth left out (${[...new Set(out.map((l) => l.state))].join(', ')})` : '';
    const todo = cfg.assumeNormal
      ? 'ingest more runs of it that went fine'
      : 'ingest more runs of it under a folder named normal/, or add --assume-normal to learn from its runs of unknown truth';
    if (n < MIN_NORMAL_RUNS) {
      throw new WfadError('BAD_INPUT', `workflow "${w}": ${n} ${what} found, the normal-only detector needs at least ${MIN_NORMAL_RUNS} (to fit its profile and hold some out for the threshold; ~25–50 for a useful detector)${leftNote}; ${todo}`);
    }
    if ((held.get(w) ?? 0) < MIN_HELD_OUT_RUNS) {
      throw new WfadError('BAD_INPUT', `workflow "${w}": ${held.get(w) ?? 0} held-out normal runs for the threshold (of ${n} ${what}${cfg.budget !== null ? `, at most ${cfg.budget} used: --normal-runs` : ''}), the normal-only detector needs at least ${MIN_HELD_OUT_RUNS}; ${cfg.budget !== null ? 'raise --normal-runs (6 or more) or ' : ''}${todo}`);
    }
  }
}

export function trainNormalOnly(samples: readonly GraphSample[], cfg: NormalOnlyConfig): NormalOnlyResult {
  const t0 = performance.now();
  const split = normalOnlySplit(samples, cfg);
  checkNormalOnlySplit(samples, split, cfg);
  const pick = (idx: number[]): GraphSample[] => idx.map((i) => samples[i] as GraphSample);
  // Only features and job names go in: the fit cannot see a label.
  const strip = (s: GraphSample): ProfileInput => ({ workflow: s.workflow, jobNames: s.jobNames, x: s.x, hosts: s.hosts });
  const state = fitNormalOnly(pick(split.train).map(strip), pick(split.validation).map(strip), { level: cfg.level, falseAlarmRate: cfg.falseAlarmRate });
  const test = summarize(scoreItems(state, pick(split.test)), ['normal', 'anomalous']);
  return { state, config: cfg, split, test, seconds: (performance.now() - t0) / 1000 };
}

