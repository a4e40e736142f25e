/**
 * Turns one (sub-)workflow as a Pegasus source tells it (`ReadWorkflow`: jobs with the events of
 * their last instance, the DAG by job name) into the run shape `SourceRun`, or a rejection.
 * Shared by the stampede-database and the jobstate.log readers, so both derive the same figures
 * the same way.
 *
 * Derived here, for every source:
 *   ready     root jobs: the DAGMan start preceding the job's submission (workflowstate
 *             WORKFLOW_STARTED / jobstate.log DAGMAN_STARTED; a rescue restart is a new start);
 *             other jobs: the latest parent end (POST script end, else execute end), as the
 *             research traces define it; null while a parent has no end.
 *   wmsDelay  (preScriptStart, else submit) − ready, as the research traces define it.
 */
import { createHash } from 'node:crypto';
import { COLUMNS } from '../columns';
import { cycleText, findCycle } from '../dag';
import { templateJobName } from '../names';
import type { Derivation, JobValue, RunState, SourceJob, SourceKind, SourceRun } from '../run-shape';
import { timeline, type JobEvent } from './job-timeline';
import type { JobType } from './stampede-schema';
import { reject, type PegasusRejection } from './rejection';

export interface ReadJob {
  /** DAG node name (exec_job_id). */
  name: string;
  type: JobType;
  /** How the type was found when not from an authoritative field, else null. */
  typeHow: string | null;
  isClustered: number | null;
  /** Number of instances (submissions); 0 = never ran. */
  instances: number;
  /** Events of the last instance. */
  events: JobEvent[];
  localDuration: number | null;
  exitRaw: number | null;
  /** Exit code as a regular value (rawToRegular), null when unknown. */
  exitCode: number | null;
  site: string | null;
  hostname: string | null;
  user: string | null;
  cpuTime: number | null;
  kickstartDuration: number | null;
  transformations: string | null;
  executables: string | null;
  argv: string | null;
}

export interface ReadWorkflow {
  kind: SourceKind;
  /** What reports show: the database file or the submit dir, relative to what the user named. */
  source: string;
  uuid: string;
  /** dax_label: the workflow's name. */
  label: string;
  runNumber: number | null;
  /** DAGMan (re)starts, ascending. */
  starts: number[];
  /** The run's end when its last event is a termination, else null (in progress). */
  terminal: { ts: number; status: number } | null;
  jobs: ReadJob[];
  /** [parent, child] by job name. */
  edges: Array<[string, string]>;
  /** A sub-workflow: its parent's run id and the parent's job that ran it. */
  parent: { runId: string; jobName: string } | null;
  /** Trace columns this source cannot fill at all. */
  missingColumns: string[];
}

/** Run id: stable across re-ingests and across sources of the same run. */
export const runIdOf = (label: string, uuid: string): string => `${label}/${uuid}`;

export function buildRun(w: ReadWorkflow): SourceRun | PegasusRejection {
  const ctx = { file: w.source, workflow: w.label };
  const byName = new Map<string, number>();
  for (const j of w.jobs) {
    if (byName.has(j.name)) return reject(ctx, 'BAD_DAG', `job "${j.name}" is defined twice`, { job: j.name });
    byName.set(j.name, byName.size);
  }
  // Jobs in template-name order: the same jobs get the same indices in every run of a workflow.
  const order = w.jobs.map((j, i) => ({ j, i, t: templateJobName(j.name, w.label) })).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  const indexOf = new Map(order.map((o, k) => [o.j.name, k]));

  const seen = new Set<string>();
  const edges: Array<[number, number]> = [];
  for (const [p, c] of w.edges) {
    for (const n of [p, c]) {
      if (!indexOf.has(n)) return reject(ctx, 'BAD_DAG', `the DAG names job "${n}" (edge ${p} → ${c}), which is not one of the run's ${w.jobs.length} jobs`, { job: n });
    }
    if (seen.has(`${p}\u0000${c}`)) continue;
    seen.add(`${p}\u0000${c}`);
    edges.push([indexOf.get(p) as number, indexOf.get(c) as number]);
  }
  const cycle = findCycle(order.length, edges);
  if (cycle) {
    const names = cycle.map((k) => (order[k] as { j: ReadJob }).j.name);
    return reject(ctx, 'BAD_DAG', `the DAG has a cycle: ${cycleText(names)}`, { job: names[0] });
  }

  const runId = runIdOf(w.label, w.uuid);
  const parents: number[][] = order.map(() => []);
  for (const [p, c] of edges) parents[c]?.push(p);
  const jobs: SourceJob[] = order.map(({ j, t }, index) => {
    const tl = timeline(j.events, j.localDuration, j.exitRaw);
    const rec: Record<string, JobValue> = {};
    for (const s of COLUMNS) rec[s.prop] = null;
    Object.assign(rec, {
      type: j.type,
      isClustered: j.isClustered,
      preScriptStart: tl.preScriptStart,
      preScriptEnd: tl.preScriptEnd,
      submit: tl.submit,
      executeStart: tl.executeStart,
      executeEnd: tl.executeEnd,
      postScriptStart: tl.postScriptStart,
      postScriptEnd: tl.postScriptEnd,
      preScriptDelay: tl.preScriptDelay,
      queueDelay: tl.queueDelay,
      runtime: tl.runtime,
      postScriptDelay: tl.postScriptDelay,
      kickstartUser: j.user,
      kickstartSite: j.site,
      kickstartHostname: j.hostname,
      kickstartTransformations: j.transformations,
      kickstartExecutables: j.executables,
      kickstartExecutablesArgv: j.argv,
      cpuTime: j.cpuTime,
      exitCode: j.exitCode,
      // Beyond the trace columns:
      // A job with no instance in a run still under way has not run YET: no final state.
      state: j.instances === 0 ? (w.terminal ? 'never_ran' : null) : tl.state,
      retries: Math.max(0, j.instances - 1),
      kickstartDuration: j.kickstartDuration,
    });
    return Object.assign(rec, { id: `${runId}/${j.name}`, runId, name: j.name, template: t, index }) as SourceJob;
  });

  let readyCount = 0;
  jobs.forEach((job, i) => {
    const ps = parents[i] as number[];
    let ready: number | null = null;
    if (ps.length === 0) {
      const submit = (job.preScriptStart ?? job.submit) as number | null;
      for (const s of w.starts) if (submit === null ? ready === null : s <= submit) ready = s;
    } else {
      const ends = ps.map((p) => parentEnd(jobs[p] as SourceJob));
      if (ends.every((e) => e !== null)) ready = Math.max(...(ends as number[]));
    }
    job.ready = ready;
    if (ready !== null) readyCount++;
    const from = (job.preScriptStart ?? job.submit) as number | null;
    job.wmsDelay = ready === null || from === null ? null : from - ready;
  });

  const derived: Derivation[] = [];
  const count = (prop: string, how: string, n: number): void => void (n > 0 && derived.push({ prop, how, count: n }));
  count('ready', 'no ready event exists: the latest parent end (post script end, else execute end); root jobs: the DAGMan start', readyCount);
  count('wmsDelay', '(pre script start, else submit) − ready', jobs.filter((j) => j.wmsDelay !== null).length);
  const runtimeDerived = order.filter(({ j }, k) => j.localDuration === null && (jobs[k] as SourceJob).runtime !== null).length;
  count('runtime', 'no local_duration recorded: JOB_TERMINATED − last EXECUTE, as pegasus-monitord computes it', runtimeDerived);
  const typeHows = new Map<string, number>();
  for (const j of w.jobs) if (j.typeHow) typeHows.set(j.typeHow, (typeHows.get(j.typeHow) ?? 0) + 1);
  for (const [how, n] of typeHows) count('type', how, n);

  const state: RunState = w.terminal === null ? 'running' : w.terminal.status === 0 ? 'succeeded' : 'failed';
  const startedAt = w.starts[0] ?? null;
  const endedAt = w.terminal?.ts ?? null;
  const contentHash = createHash('sha256')
    .update(JSON.stringify({ workflow: w.label, runId, state, startedAt, endedAt, parent: w.parent, edges, jobs: jobs.map((j) => Object.keys(j).sort().map((k) => [k, j[k]])) }))
    .digest('hex');

  return {
    id: runId,
    source: w.source,
    kind: w.kind,
    workflow: w.label,
    truth: null,
    instance: w.uuid,
    runNumber: w.runNumber,
    state,
    startedAt,
    endedAt,
    jobs,
    edges,
    parent: w.parent,
    contentHash,
    missingColumns: w.missingColumns,
    unstoredColumns: [],
    derived,
    sentinelValues: 0,
  };
}

/** When a parent was done: its POST script's end when it has one (even if still running), else its execute end. */
function parentEnd(p: SourceJob): number | null {
  return (p.postScriptStart !== null ? p.postScriptEnd : p.executeEnd) as number | null;
}
