/**
 * Runs → graph samples for the models: node features, `edge_index` and labels.
 *
 *   x: [n, F] raw features (scaled later), edgeIndex: [2, E] (row 0 = source, row 1 = target),
 *   yMulti ∈ {0 normal, 1 cpu, 2 hdd, 3 loss}, yBinary = yMulti > 0.
 *
 * Job-level truth: each job's own category where the data has one (Flow-Bench traces mark the
 * jobs that ran on a throttled worker), else the run's (the paper's job-level ground truth).
 */
import type { RunRecord } from '../graph/read-runs';
import { rawJobFeatures } from './job-features';

export const MULTICLASS = ['normal', 'cpu', 'hdd', 'loss'] as const;
export const BINARY = ['normal', 'anomalous'] as const;
export type Task = 'binary' | 'multiclass';

export interface GraphSample {
  runId: string;
  workflow: string;
  label: string;
  category: string;
  level: number | null;
  numNodes: number;
  /** [n, F] row-major raw features (NaN = missing). */
  x: Float32Array;
  /** [2, E]: sources in [0, E), targets in [E, 2E). */
  edgeIndex: Int32Array;
  yMulti: number;
  /** Job names in template order (per-job baselines and explanations key on them). */
  jobNames?: readonly string[];
  /** Per job: its own category ('normal', 'cpu', …), or null where only the run's is known. */
  jobCategory?: ReadonlyArray<string | null> | null;
}

export function classesOf(task: Task): readonly string[] {
  return task === 'binary' ? BINARY : MULTICLASS;
}

export function targetOf(s: Pick<GraphSample, 'yMulti'>, task: Task): number {
  return task === 'binary' ? (s.yMulti > 0 ? 1 : 0) : s.yMulti;
}

/** Category → class index of the multiclass task; -1 when unknown. */
export function categoryIndex(category: string | null | undefined): number {
  return MULTICLASS.indexOf(category as (typeof MULTICLASS)[number]);
}

/** Per job: its target (own truth where known, else the run's). */
export function jobTargets(s: Pick<GraphSample, 'yMulti' | 'numNodes' | 'jobCategory'>, task: Task): Int32Array {
  const run = targetOf(s, task);
  const out = new Int32Array(s.numNodes).fill(run);
  const own = s.jobCategory;
  if (!own) return out;
  for (let j = 0; j < s.numNodes; j++) {
    const c = categoryIndex(own[j]);
    if (c >= 0) out[j] = task === 'binary' ? (c > 0 ? 1 : 0) : c;
  }
  return out;
}

export function toSample(run: RunRecord): GraphSample {
  const E = run.edges.length / 2;
  const edgeIndex = new Int32Array(2 * E);
  for (let e = 0; e < E; e++) {
    edgeIndex[e] = run.edges[2 * e] as number;
    edgeIndex[E + e] = run.edges[2 * e + 1] as number;
  }
  const yMulti = MULTICLASS.indexOf(run.category as (typeof MULTICLASS)[number]);
  if (yMulti < 0) throw new Error(`run ${run.id}: unknown category ${run.category}`);
  return {
    runId: run.id,
    workflow: run.workflow,
    label: run.label,
    category: run.category,
    level: run.level,
    numNodes: run.jobs.length,
    x: rawJobFeatures(run),
    edgeIndex,
    yMulti,
    jobNames: run.jobNames,
    jobCategory: null,
  };
}
