/**
 * Why a run was scored as it was: its jobs ranked by how far they are from their normal behaviour,
 * each with the measurements that deviate most.
 *
 *   s_j            = (1/L) Σ_f max(z_jf, 0)        the job's deviation score (normal-only.ts)
 *   contribution_j = s_j / Σ_k s_k                 its share of the run's total deviation
 *   features_j     = the f with the largest |z_jf|: {name, value (raw), normal (the baseline
 *                    median, raw units), deviation z_jf (robust σ, signed: + = above normal)}
 *
 * For the normal-only detector this is exactly what its run score adds up. For a supervised GCN it
 * is the same comparison with the normal profile of its training runs: what in the run is unusual,
 * not a gradient attribution of the network (documented in docs/detection.md).
 */
import { NUM_FEATURES } from '../features/job-features';
import { jobScores } from './normal-only';
import { deviations, hasBaseline, logValue, rawValue, type Deviations, type NormalProfile, type ProfileInput } from './normal-profile';

export interface FeatureDeviation {
  name: string;
  /** The job's raw value (seconds, bytes); null when missing. */
  value: number | null;
  /** The baseline's median in raw units; null when the normal runs had no value for it (no baseline). */
  normal: number | null;
  /** Robust z: how many σ above (+) or below (−) normal, clipped to the profile's ±clip. */
  deviation: number;
}

export interface JobContribution {
  /** Job name (template order index when the run has no names). */
  job: string;
  index: number;
  /** Share of the run's total deviation, in [0, 1]. */
  contribution: number;
  /** The job's deviation score s_j. */
  score: number;
  /** Which baseline the job was compared with: job, group, type (see normal-profile.ts). */
  baseline: string;
  features: FeatureDeviation[];
}

export interface ExplainOptions {
  /** Jobs listed (highest contribution first); default 10. */
  topJobs?: number;
  /** Features per job; default 3. */
  topFeatures?: number;
}

export function explainRun(p: NormalProfile, run: ProfileInput, opts: ExplainOptions = {}, dev: Deviations = deviations(p, run)): JobContribution[] {
  const L = p.columns.length;
  const s = jobScores(dev.z, L);
  let total = 0;
  for (const v of s) total += v;
  if (!(total > 0)) return [];
  const order = Array.from(s.keys())
    .filter((j) => (s[j] as number) > 0)
    .sort((a, b) => (s[b] as number) - (s[a] as number) || a - b)
    .slice(0, opts.topJobs ?? 10);
  return order.map((j) => {
    const stats = dev.stats[j];
    const feats = Array.from({ length: L }, (_, q) => q)
      .filter((q) => dev.z[j * L + q] !== 0)
      .sort((a, b) => Math.abs(dev.z[j * L + b] as number) - Math.abs(dev.z[j * L + a] as number) || a - b)
      .slice(0, opts.topFeatures ?? 3)
      .map((q) => {
        const c = p.columns[q] as number;
        const t = logValue(run.x, j, c);
        const m = stats?.median[q];
        return {
          name: p.features[q] as string,
          value: Number.isNaN(t) ? null : c >= 0 ? (run.x[j * NUM_FEATURES + c] as number) : Number(rawValue(c, t).toPrecision(6)),
          normal: !hasBaseline(m) ? null : Number(rawValue(c, m).toPrecision(6)),
          deviation: Number((dev.z[j * L + q] as number).toFixed(3)),
        };
      });
    return {
      job: run.jobNames?.[j] ?? String(j),
      index: j,
      contribution: Number(((s[j] as number) / total).toFixed(4)),
      score: Number((s[j] as number).toFixed(4)),
      baseline: dev.level[j] as string,
      features: feats,
    };
  });
}
