/**
 * The checks every SourceRun passes before it is stored, whatever reader made it: jobs indexed in
 * order with unique names, edges between jobs of the run, no self-loop, no cycle. A reader that
 * builds its DAG from its source (a `.dag` file, a database's edge table, a pushed edge list) may
 * carry the source's faults here; they become a named rejection, never a half-stored run.
 */
import type { Rejection } from './rejection';
import type { SourceRun } from './run-shape';
import { cycleText, findCycle } from './dag';

export function checkSourceRun(run: SourceRun): Rejection | null {
  const where = { file: run.source, workflow: run.workflow, ...(run.truth ? { label: run.truth.label } : {}) };
  if (run.jobs.length === 0) return { ...where, code: 'BAD_DAG', reason: `run ${run.id} has no jobs` };
  const seen = new Map<string, number>();
  for (const [i, j] of run.jobs.entries()) {
    if (j.index !== i) return { ...where, code: 'BAD_DAG', job: j.name, reason: `job "${j.name}" has index ${j.index} at position ${i}` };
    const prev = seen.get(j.name);
    if (prev !== undefined) return { ...where, code: 'DUPLICATE_JOB', job: j.name, reason: `job "${j.name}" appears twice (positions ${prev} and ${i})` };
    seen.set(j.name, i);
  }
  const n = run.jobs.length;
  const pairs = new Set<string>();
  for (const [p, c] of run.edges) {
    if (!Number.isInteger(p) || !Number.isInteger(c) || p < 0 || c < 0 || p >= n || c >= n) {
      return { ...where, code: 'BAD_DAG', reason: `edge ${p} → ${c} names a job the run does not have (${n} jobs)` };
    }
    if (p === c) return { ...where, code: 'BAD_DAG', job: run.jobs[p]?.name, reason: `job "${run.jobs[p]?.name}" depends on itself` };
    const k = `${p}>${c}`;
    if (pairs.has(k)) return { ...where, code: 'BAD_DAG', reason: `edge "${run.jobs[p]?.name}" → "${run.jobs[c]?.name}" is listed twice` };
    pairs.add(k);
  }
  const cycle = findCycle(n, run.edges);
  if (cycle) {
    return { ...where, code: 'BAD_DAG', reason: `the run's DAG has a cycle: ${cycleText(cycle.map((i) => run.jobs[i]?.name ?? String(i)))}` };
  }
  return null;
}
