/**
 * What the Pegasus monitoring database (the "stampede" schema, `<name>-0.stampede.db`, written by
 * pegasus-monitord) means, as far as wfad reads it. Mirrors Pegasus's own
 * `packages/pegasus-python/src/Pegasus/db/schema.py`; the per-job figures follow the definitions of
 * pegasus-statistics (`Pegasus/db/workflow/stampede_statistics.py`, `get_job_statistics`) and the
 * trace columns of the research datasets (columns.ts), named the same way.
 *
 * Tables and the columns read:
 *
 *   dbversion      (id, version)                  schema version; the row with the highest id counts
 *                                                 (Pegasus `admin_loader.get_version`).
 *   workflow       (wf_id, wf_uuid, dax_label, submit_dir, parent_wf_id, root_wf_id)
 *                  one row per (sub-)workflow run; `dax_label` is the workflow's name,
 *                  `parent_wf_id` is null for the root workflow.
 *   workflowstate  (wf_id, state, timestamp, status)
 *                  WORKFLOW_STARTED / WORKFLOW_TERMINATED per DAGMan (re)start; status 0 = success.
 *                  No TERMINATED after the last STARTED: the run is still in progress (or the
 *                  monitor stopped before it ended).
 *   job            (job_id, wf_id, exec_job_id, type_desc, clustered)
 *                  one row per DAG node; `exec_job_id` is the node name in the .dag file.
 *   job_edge       (wf_id, parent_exec_job_id, child_exec_job_id)   the DAG.
 *   job_instance   (job_instance_id, job_id, host_id, job_submit_seq, site, user, local_duration,
 *                   subwf_id, exitcode)
 *                  one row per submission of a job (retries add rows, ordered by job_submit_seq);
 *                  `exitcode` is raw (wait status: exit code << 8 | signal); `local_duration` is
 *                  JOB_TERMINATED − EXECUTE as monitord computes it; `subwf_id` is the workflow a
 *                  dax/dag job ran.
 *   jobstate       (job_instance_id, state, timestamp, jobstate_submit_seq)
 *                  the instance's HTCondor/DAGMan events, in jobstate_submit_seq order.
 *   invocation     (job_instance_id, task_submit_seq, remote_duration, remote_cpu_time, exitcode,
 *                   transformation, executable, argv)
 *                  kickstart records: task_submit_seq ≥ 1 the job's tasks (several when clustered),
 *                  −1 the PRE script, −2 the POST script.
 *   host           (host_id, hostname)            where an instance ran.
 */

/** Schema versions whose tables and columns mean what this module says (Pegasus 4.7 … 5.x). */
export const KNOWN_DB_VERSIONS = { min: 8, max: 14 } as const;

/** Every table and column the reader uses; a database lacking one is not read. */
export const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  dbversion: ['id', 'version'],
  workflow: ['wf_id', 'wf_uuid', 'dax_label', 'submit_dir', 'parent_wf_id', 'root_wf_id'],
  workflowstate: ['wf_id', 'state', 'timestamp', 'status'],
  job: ['job_id', 'wf_id', 'exec_job_id', 'type_desc', 'clustered'],
  job_edge: ['wf_id', 'parent_exec_job_id', 'child_exec_job_id'],
  job_instance: ['job_instance_id', 'job_id', 'host_id', 'job_submit_seq', 'site', 'user', 'local_duration', 'subwf_id', 'exitcode'],
  jobstate: ['job_instance_id', 'state', 'timestamp', 'jobstate_submit_seq'],
  invocation: ['job_instance_id', 'task_submit_seq', 'remote_duration', 'remote_cpu_time', 'exitcode', 'transformation', 'executable', 'argv'],
  host: ['host_id', 'hostname'],
};

export type JobType = 'compute' | 'transfer' | 'auxiliary' | 'subwf';

/**
 * `job.type_desc` → the trace column `type`. The enum of schema.py (`job_type_desc`); a value
 * outside it (a newer Pegasus, `unknown`) is typed from the job's name instead (`typeFromName`),
 * and the run reports that derivation.
 */
export const TYPE_BY_DESC: Readonly<Record<string, JobType>> = {
  compute: 'compute',
  'staged-compute': 'compute',
  'stage-in-tx': 'transfer',
  'stage-out-tx': 'transfer',
  'inter-site-tx': 'transfer',
  'create-dir': 'auxiliary',
  cleanup: 'auxiliary',
  registration: 'auxiliary',
  chmod: 'auxiliary',
  dax: 'subwf',
  dag: 'subwf',
};

/**
 * HTCondor `+pegasus_job_class` in a job's .sub file (Pegasus `Job.java` class numbers), for
 * submit directories read without a database.
 */
export const TYPE_BY_JOB_CLASS: Readonly<Record<number, JobType>> = {
  1: 'compute',
  2: 'transfer', // stage-in
  3: 'transfer', // stage-out
  4: 'auxiliary', // replica registration
  5: 'transfer', // inter-site
  6: 'auxiliary', // create-dir
  7: 'compute', // staged compute
  8: 'auxiliary', // cleanup
  9: 'auxiliary', // chmod
  10: 'subwf', // dax
  11: 'subwf', // dag
};

/**
 * The type Pegasus's job-name prefixes imply (the planner names every job it adds this way); the
 * last resort when neither type_desc nor the job class is known. Same rule as the trace
 * generator of the research datasets: anything not auxiliary, transfer or sub-workflow is compute.
 */
export function typeFromName(name: string): JobType {
  if (/^(stage_in|stage_out|stage_inter|stage_worker)_/.test(name)) return 'transfer';
  if (/^(create_dir|cleanup|clean_up|register|chmod)_/.test(name)) return 'auxiliary';
  if (/^(pegasus-plan|subdax|subdag)_/.test(name)) return 'subwf';
  return 'compute';
}

/** The job states (jobstate.state, jobstate.log column 3) the reader uses. */
export const STATE = {
  submit: 'SUBMIT',
  execute: 'EXECUTE',
  gridSubmit: ['GRID_SUBMIT', 'GLOBUS_SUBMIT'],
  terminated: 'JOB_TERMINATED',
  /** monitord takes these as the main job's end when JOB_TERMINATED never came (PM-805, PM-877). */
  endInstead: ['JOB_ABORTED', 'SUBMIT_FAILED', 'GLOBUS_SUBMIT_FAILED', 'GRID_SUBMIT_FAILED'],
  success: 'JOB_SUCCESS',
  failure: 'JOB_FAILURE',
  held: 'JOB_HELD',
  released: 'JOB_RELEASED',
  aborted: 'JOB_ABORTED',
  preStarted: 'PRE_SCRIPT_STARTED',
  preTerminated: 'PRE_SCRIPT_TERMINATED',
  preDone: ['PRE_SCRIPT_SUCCESS', 'PRE_SCRIPT_FAILED', 'PRE_SCRIPT_FAILURE'],
  postStarted: 'POST_SCRIPT_STARTED',
  postTerminated: 'POST_SCRIPT_TERMINATED',
  postSuccess: 'POST_SCRIPT_SUCCESS',
  postFailed: ['POST_SCRIPT_FAILED', 'POST_SCRIPT_FAILURE'],
} as const;
