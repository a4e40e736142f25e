/**
 * Training and testing the normal-only detector (models/normal-only.ts) on stored runs.
 *
 * Which runs it learns from is decided here, and only here, from the truth:
 *   pool  = normal runs, plus runs of unknown truth when `assumeNormal` (an operator's "these
 *           mostly went fine"); anomalous runs never enter it
 *   pool split per workflow (seeded): 20 % test, the rest shuffled; of that `budget` runs per
 *           workflow (all when absent): 75 % fit the profile, 25 % set calibration and threshold
 *   test  = the pool's test runs of known truth + the test split of the anomalous runs
 *           (stratified by workflow × label, the same 60/20/20 as the supervised trainer)
 * The fit itself (fitNormalOnly) receives features and job names only: no label reaches it, and
 * anomalous runs, whatever their labels, cannot change the model (test/train/normal-only.test.ts).
 */
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

export interface NormalOnlySplit {
  train: number[];
  validation: number[];
  test: number[];
}

/** Sample indices per role (see the module comment). */
export function normalOnlySplit(samples: readonly GraphSample[], cfg: Pick<NormalOnlyConfig, 'seed' | 'assumeNormal' | 'budget'>): NormalOnlySplit {
  const pool: number[] = [];
  const anomalous: number[] = [];
  samples.forEach((s, i) => {
    if (unknownTruth(s)) {
      if (cfg.assumeNormal) pool.push(i);
    } else if (s.category === 'normal') pool.push(i);
    else anomalous.push(i);
  });
  const poolSplit = stratifiedSplit(pool.map((i) => samples[i] as GraphSample), (s) => s.workflow, cfg.seed);
  const out: NormalOnlySplit = { train: [], validation: [], test: [] };
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

export function trainNormalOnly(samples: readonly GraphSample[], cfg: NormalOnlyConfig): NormalOnlyResult {
  const t0 = performance.now();
  const split = normalOnlySplit(samples, cfg);
  const pick = (idx: number[]): GraphSample[] => idx.map((i) => samples[i] as GraphSample);
  // Only features and job names go in: the fit cannot see a label.
  const strip = (s: GraphSample): ProfileInput => ({ workflow: s.workflow, jobNames: s.jobNames, x: s.x, hosts: s.hosts });
  const state = fitNormalOnly(pick(split.train).map(strip), pick(split.validation).map(strip), { level: cfg.level, falseAlarmRate: cfg.falseAlarmRate });
  const test = summarize(scoreItems(state, pick(split.test)), ['normal', 'anomalous']);
  return { state, config: cfg, split, test, seconds: (performance.now() - t0) / 1000 };
}

