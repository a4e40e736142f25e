/**
 * Putting a run's jobs in another template's order. Features that depend on a job's template
 * position (the scaler's per-job baselines, keyed `<workflow>#<index>`) only mean the same thing
 * across two datasets when the same job sits at the same index; jobs are matched by name, with the
 * instance id of auxiliary jobs removed. The run keeps its own edges, renumbered.
 */
import type { RunRecord } from '../graph/read-runs';
import { auxKey } from '../ingest/names';

/** `order`: job names of the target template (any instance). Throws when the job sets differ. */
export function alignRun(run: RunRecord, order: readonly string[]): RunRecord {
  const pos = new Map(order.map((name, i) => [auxKey(name), i]));
  if (pos.size !== run.jobNames.length) throw new Error(`run ${run.id}: ${run.jobNames.length} jobs, target template has ${pos.size}`);
  // perm[i]: new index of the run's job i.
  const perm = run.jobNames.map((name) => {
    const p = pos.get(auxKey(name));
    if (p === undefined) throw new Error(`run ${run.id}: job ${name} is not in the target template`);
    return p;
  });
  const jobNames = new Array<string>(perm.length);
  const jobs = new Array<RunRecord['jobs'][number]>(perm.length);
  perm.forEach((p, i) => {
    jobNames[p] = run.jobNames[i] as string;
    jobs[p] = run.jobs[i] as RunRecord['jobs'][number];
  });
  return { ...run, jobNames, jobs, edges: run.edges.map((v) => perm[v] as number) };
}
