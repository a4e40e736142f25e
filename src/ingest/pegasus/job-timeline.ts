/**
 * One job's figures from the events of its LAST instance (job_submit_seq highest: the attempt
 * that decided the job; earlier attempts only count as retries). The same events come from the
 * stampede `jobstate` table or from `jobstate.log`, so both sources share this module.
 *
 * Definitions (pegasus-statistics, `stampede_statistics.get_job_statistics`, unless said):
 *   submit          first SUBMIT
 *   executeStart    first EXECUTE
 *   executeEnd      JOB_TERMINATED; when it never came, JOB_ABORTED / *SUBMIT_FAILED, else the
 *                   POST script's end (pegasus-monitord `Job.set_job_state`, PM-805/877/1016)
 *   queueDelay      min(GRID_SUBMIT, GLOBUS_SUBMIT, EXECUTE) − SUBMIT           ("CondorQTime")
 *   runtime         job_instance.local_duration when the database has it          ("Runtime"),
 *                   else executeEnd − last EXECUTE (how monitord computes local_duration)
 *   preScriptStart  PRE_SCRIPT_STARTED; preScriptEnd PRE_SCRIPT_TERMINATED (else its SUCCESS/FAILURE)
 *   preScriptDelay  preScriptEnd − preScriptStart                 (`get_job_states` pre_duration)
 *   postScriptStart POST_SCRIPT_STARTED; postScriptEnd POST_SCRIPT_TERMINATED (else SUCCESS/FAILURE)
 *   postScriptDelay POST_SCRIPT_TERMINATED − max(POST_SCRIPT_STARTED, JOB_TERMINATED)  ("Post")
 * The research traces' `execute_end` is DAGMan's later JOB_SUCCESS report instead of
 * JOB_TERMINATED; wfad follows Pegasus here (docs/pegasus-submit-dirs.md says so).
 */
import type { JobState } from '../run-shape';
import { STATE } from './stampede-schema';

export interface JobEvent {
  state: string;
  ts: number;
  /** Order within the instance (jobstate_submit_seq, or the line number in jobstate.log). */
  seq: number;
}

export interface Timeline {
  submit: number | null;
  executeStart: number | null;
  executeEnd: number | null;
  preScriptStart: number | null;
  preScriptEnd: number | null;
  postScriptStart: number | null;
  postScriptEnd: number | null;
  queueDelay: number | null;
  runtime: number | null;
  preScriptDelay: number | null;
  postScriptDelay: number | null;
  /** Final state; null while the job is still under way (its run is in progress). */
  state: JobState | null;
}

const diff = (end: number | null, start: number | null): number | null => (end === null || start === null ? null : end - start);

/**
 * @param events the last instance's events (any order; sorted by seq here)
 * @param localDuration job_instance.local_duration, null when the source has none
 * @param exitRaw the instance's raw exit status when the source has one (decides the state only
 *   when its events do not)
 */
export function timeline(events: readonly JobEvent[], localDuration: number | null, exitRaw: number | null): Timeline {
  const evs = [...events].sort((a, b) => a.seq - b.seq || a.ts - b.ts);
  const has = (s: string): boolean => evs.some((e) => e.state === s);
  const first = (...states: readonly string[]): number | null => {
    let t: number | null = null;
    for (const e of evs) if (states.includes(e.state) && (t === null || e.ts < t)) t = e.ts;
    return t;
  };
  const last = (...states: readonly string[]): number | null => {
    let t: number | null = null;
    for (const e of evs) if (states.includes(e.state)) t = e.ts;
    return t;
  };

  const submit = first(STATE.submit);
  const executeStart = first(STATE.execute);
  const terminated = last(STATE.terminated);
  const postTerminated = last(STATE.postTerminated);
  const postDone = last(STATE.postSuccess, ...STATE.postFailed);
  const executeEnd = terminated ?? last(...STATE.endInstead) ?? postDone;
  const preScriptStart = first(STATE.preStarted);
  const preScriptEnd = last(STATE.preTerminated) ?? last(...STATE.preDone);
  const postScriptStart = last(STATE.postStarted);
  const postScriptEnd = postTerminated ?? postDone;
  const firstRun = first(...STATE.gridSubmit, STATE.execute);
  const postFrom = postScriptStart === null ? null : Math.max(postScriptStart, terminated ?? postScriptStart);

  return {
    submit,
    executeStart,
    executeEnd,
    preScriptStart,
    preScriptEnd,
    postScriptStart,
    postScriptEnd,
    queueDelay: diff(firstRun, submit),
    runtime: localDuration ?? diff(executeEnd, last(STATE.execute)),
    preScriptDelay: diff(preScriptEnd, preScriptStart),
    postScriptDelay: diff(postScriptEnd, postFrom),
    state: finalState(evs, has, exitRaw),
  };
}

/**
 * succeeded | failed | aborted | held from the events, in the order DAGMan decides: the POST
 * script's verdict when there is one (Pegasus's pegasus-exitcode runs there), else the job's own
 * JOB_SUCCESS/JOB_FAILURE; a job removed by HTCondor (JOB_ABORTED, e.g. after a hold) that failed
 * is `aborted`; a job whose last event is a hold is `held`. No verdict yet: null (in progress).
 */
function finalState(evs: readonly JobEvent[], has: (s: string) => boolean, exitRaw: number | null): JobState | null {
  const fail = (): JobState => (has(STATE.aborted) ? 'aborted' : 'failed');
  let post: string | null = null;
  let job: string | null = null;
  for (const e of evs) {
    if (e.state === STATE.postSuccess || (STATE.postFailed as readonly string[]).includes(e.state)) post = e.state;
    if (e.state === STATE.success || e.state === STATE.failure) job = e.state;
  }
  if (post !== null) return post === STATE.postSuccess ? 'succeeded' : fail();
  const postPending = has(STATE.postStarted);
  if (job !== null && !postPending) return job === STATE.success ? 'succeeded' : fail();
  const lastEv = evs[evs.length - 1];
  if (lastEv?.state === STATE.held) return 'held';
  if (has(STATE.aborted) && !postPending) return 'aborted';
  if (exitRaw !== null && !postPending) return exitRaw === 0 ? 'succeeded' : fail();
  return null;
}

/**
 * Pegasus `utils.raw_to_regular`: a wait status as the exit code (0…127), a signal as its
 * negative number, a launch failure (negative raw value) as −128.
 */
export function rawToRegular(raw: number): number {
  if (raw < 0) return -128;
  if ((raw & 127) > 0) return -(raw & 127);
  return raw >> 8;
}
