/**
 * The one run shape every reader produces and the only one the store (src/graph) writes.
 *
 * Readers, one per source format, each in its own module:
 *   - flowgad CSV traces        `data/<label>/<workflow>-<instance>-runNNNN.csv` + `adjacency_list_dags/`
 *   - Flow-Bench CSV traces     `data/<label>/<workflow>-runNNNN.csv`, per-job truth in `anomaly_type`
 *   - Pegasus stampede DB       `<submit dir>/<name>-0.stampede.db` (SQLite, written by pegasus-monitord)
 *   - Pegasus jobstate.log      `<submit dir>/jobstate.log` + `<name>-0.dag` when there is no DB
 *   - pushed JSON               GraphQL `ingestRun`, live monitors
 * All of them end in a `SourceRun`; nothing below ingest/ knows which reader made it.
 *
 * Conventions every reader keeps:
 *   - a value the source does not have is null (stored as an absent property), never 0;
 *   - job property names are those of `columns.ts` (`type`, `submit`, `runtime`, `cpuTime`, …);
 *     properties a source has beyond them keep their own camelCase name and are stored too;
 *   - unknown truth is null: an unlabelled run, or a job without its own truth.
 */
import type { Category } from './labels';

export type JobValue = string | number | null;

/** Ground truth of a run or a job: `normal`, `cpu_2`, `hdd_10`, `loss_0.1`, … */
export interface Truth {
  label: string;
  category: Category;
  /** The anomaly's strength; null for normal. */
  level: number | null;
}

export type SourceKind = 'flowgad-csv' | 'flowbench-csv' | 'stampede-db' | 'jobstate-log' | 'json';

/** How a run ended, as far as its source tells. */
export type RunState = 'succeeded' | 'failed' | 'running';

/** A job's final state (Pegasus: the last jobstate of its last instance). */
export type JobState = 'succeeded' | 'failed' | 'held' | 'aborted' | 'never_ran';

/**
 * One job. Flat, as stored on the `:Job` node: identity fields plus measured properties
 * (`type`, `submit`, `executeStart`, …, null when missing) plus, where the source has per-job
 * truth, `label`/`category`/`level` of the job itself.
 */
export type SourceJob = Record<string, JobValue> & {
  /** `<run id>/<name>`. */
  id: string;
  runId: string;
  /** The job's name in this run (the DAG node name, Pegasus `exec_job_id`). */
  name: string;
  /** The instance-independent name (template job): equal across runs of one workflow. */
  template: string;
  /** Position in `SourceRun.jobs`; edges refer to it. */
  index: number;
};

/** A value the reader computed instead of reading it, and how (reported in the ingest summary). */
export interface Derivation {
  prop: string;
  how: string;
  count: number;
}

export interface SourceRun {
  /** Unique run id; the same input always gives the same id (re-ingest is a no-op). */
  id: string;
  /** File or folder shown in reports, relative to what the user named. */
  source: string;
  kind: SourceKind;
  workflow: string;
  /** The run's truth; null = unknown (unlabelled). */
  truth: Truth | null;
  instance: string;
  runNumber: number | null;
  state: RunState;
  startedAt: number | null;
  endedAt: number | null;
  /** Jobs; jobs[i].index === i. */
  jobs: SourceJob[];
  /** The run's own DAG: [parent, child] indices into `jobs`. */
  edges: Array<[number, number]>;
  /** A sub-workflow's run: its parent run and the parent's `subwf` job that ran it. */
  parent: { runId: string; jobName: string } | null;
  /** Canonical hash of the content (not of the bytes): equal content, equal hash. */
  contentHash: string;
  /**
   * Digest of the exact input (bytes, where it was found, how it was read), where the reader
   * makes one: an unchanged input is recognised before parsing on the next ingest.
   */
  sourceDigest?: string;
  /** Optional input columns/fields the source lacks entirely (their values are missing). */
  missingColumns: string[];
  /** Input columns/fields read but not stored, with why: listed, never dropped silently. */
  unstoredColumns: Array<{ column: string; reason: string }>;
  derived: Derivation[];
  /** Sentinel values (e.g. kickstart cpu time -1) stored as missing. */
  sentinelValues: number;
  /** Things the user should know about this run that are not rejections (e.g. "stored unlabelled: folder is not a label"). */
  notes?: string[];
  /** Source columns/fields beyond the known ones, stored as job properties under `prop`. */
  extraColumns?: Array<{ column: string; prop: string }>;
}
