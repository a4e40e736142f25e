/**
 * Runs → graph samples for the models: node features, `edge_index` and labels.
 *
 *   x: [n, F] raw features (scaled later), edgeIndex: [2, E] (row 0 = source, row 1 = target),
 *   yMulti ∈ {0 normal, 1 cpu, 2 hdd, 3 loss}, yBinary = yMulti > 0.
 *
 *   jobY: [n] per-job targets (same classes) from per-job truth: the job's own where its source has
 *   it (Flow-Bench `anomaly_type`), else its run's (the paper's job-level ground truth); -1 unknown.
 *
 * Only runs of known truth become samples: training and evaluation skip unlabelled runs.
 */
import { JOB_FIELDS, jobTableOf, type RunRecord } from '../graph/read-runs';
import { categoryOf } from '../ingest/labels';
import { rawJobFeatures } from './job-features';
import type { ModelTask } from '../model-identity';

export const MULTICLASS = ['normal', 'cpu', 'hdd', 'loss'] as const;
export const BINARY = ['normal', 'anomalous'] as const;
export type Task = ModelTask;

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
  /** [n] per-job multiclass targets; -1 where the job's truth is unknown. */
  jobY: Int32Array;
  /** Job names in template order (per-job baselines and explanations key on them). */
  jobNames?: readonly string[];
  /** Per job: the host it ran on (kickstart hostname), null when unknown. */
  hosts?: ReadonlyArray<string | null>;
  /** How the run went ('succeeded', 'failed', 'running'); null/absent when not recorded. */
  state?: string | null;
}

/** A run of known truth (only those are training or evaluation samples). */
export function isLabelled(run: Pick<RunRecord, 'category'>): boolean {
  return run.category !== null;
}

/** The labelled runs as samples; unlabelled runs are skipped. */
export function labelledSamples(runs: readonly RunRecord[]): GraphSample[] {
  return runs.filter(isLabelled).map(toSample);
}

export function classesOf(task: Task): readonly string[] {
  return task === 'binary' ? BINARY : MULTICLASS;
}

export function targetOf(s: Pick<GraphSample, 'yMulti'>, task: Task): number {
  return task === 'binary' ? (s.yMulti > 0 ? 1 : 0) : s.yMulti;
}

/** Per job: its target (own truth where known, else the run's). */
export function jobTargets(s: Pick<GraphSample, 'yMulti' | 'numNodes' | 'jobY'>, task: Task): Int32Array {
  const run = targetOf(s, task);
  const out = new Int32Array(s.numNodes).fill(run);
  for (let j = 0; j < s.numNodes; j++) {
    const c = s.jobY?.[j] ?? -1;
    if (c >= 0) out[j] = task === 'binary' ? (c > 0 ? 1 : 0) : c;
  }
  return out;
}

/** Job j's own category where known, else the run's. */
export function jobCategoryOf(s: Pick<GraphSample, 'category' | 'jobY'>, j: number): string {
  const c = s.jobY?.[j] ?? -1;
  return c >= 0 ? (MULTICLASS[c] as string) : s.category;
}

/**
 * A run as a sample even when its truth is unknown (label and category '', yMulti -1, jobY -1):
 * for the normal-only detector, which may learn from unlabelled runs (`--assume-normal`).
 */
export function anySample(run: RunRecord): GraphSample {
  if (isLabelled(run)) return toSample(run);
  return { ...toSample({ ...run, label: 'normal', category: 'normal', jobLabels: run.jobs.map(() => null) }), label: '', category: '', yMulti: -1, jobY: new Int32Array(run.jobs.length).fill(-1) };
}

const HOST = JOB_FIELDS.indexOf('kickstartHostname');
/** Per job: the host it ran on, null when unknown. */
export function hostsOf(run: Pick<RunRecord, 'jobs'>): Array<string | null> {
  const table = jobTableOf(run);
  if (table) return table.hosts.map((h) => h || null);
  return run.jobs.map((j) => (typeof j[HOST] === 'string' && j[HOST] !== '' ? (j[HOST] as string) : null));
}

/** A run's flat edge list [parent, child, parent, child, …] as edgeIndex [2, E]: parents, then children. */
export function edgeIndexOf(edges: readonly number[]): Int32Array {
  const E = edges.length / 2;
  const edgeIndex = new Int32Array(2 * E);
  for (let e = 0; e < E; e++) {
    edgeIndex[e] = edges[2 * e] as number;
    edgeIndex[E + e] = edges[2 * e + 1] as number;
  }
  return edgeIndex;
}

export function toSample(run: RunRecord): GraphSample {
  const edgeIndex = edgeIndexOf(run.edges);
  if (run.label === null || run.category === null) throw new Error(`run ${run.id} is unlabelled: not a training or evaluation sample`);
  const yMulti = MULTICLASS.indexOf(run.category as (typeof MULTICLASS)[number]);
  if (yMulti < 0) throw new Error(`run ${run.id}: unknown category ${run.category}`);
  const jobY = Int32Array.from(run.jobs, (_, i) => {
    const c = categoryOf(run.jobLabels[i] ?? null);
    return c === null ? -1 : MULTICLASS.indexOf(c as (typeof MULTICLASS)[number]);
  });
  return {
    runId: run.id,
    workflow: run.workflow,
    label: run.label,
    category: run.category,
    jobY,
    level: run.level,
    numNodes: run.jobs.length,
    x: rawJobFeatures(run),
    edgeIndex,
    yMulti,
    jobNames: run.jobNames,
    hosts: hostsOf(run),
    state: run.state ?? null,
  };
}
