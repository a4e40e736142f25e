/**
 * The Panorama/Pegasus trace columns: how each CSV column maps to a Job property and how its
 * value is checked. Required columns are those without which a job cannot be placed in time;
 * the others may be absent (whole column) or empty (one cell) and are then stored as missing.
 */
export type ColumnKind =
  | 'jobType' // compute | transfer | auxiliary | subwf
  | 'flag' // 0 | 1
  | 'timestamp' // epoch seconds, > 0
  | 'duration' // seconds, >= 0
  | 'bytes' // >= 0
  | 'cpuTime' // seconds, >= 0; kickstart writes -1 when it has no record: stored as missing
  | 'code' // integer, may be negative (signals)
  | 'text';

export interface ColumnSpec {
  column: string;
  prop: string;
  kind: ColumnKind;
  required: boolean;
}

const c = (column: string, prop: string, kind: ColumnKind, required = false): ColumnSpec => ({ column, prop, kind, required });

export const COLUMNS: readonly ColumnSpec[] = [
  c('type', 'type', 'jobType', true),
  c('is_clustered', 'isClustered', 'flag'),
  c('ready', 'ready', 'timestamp'),
  c('pre_script_start', 'preScriptStart', 'timestamp'),
  c('pre_script_end', 'preScriptEnd', 'timestamp'),
  c('submit', 'submit', 'timestamp', true),
  c('execute_start', 'executeStart', 'timestamp', true),
  c('execute_end', 'executeEnd', 'timestamp', true),
  c('post_script_start', 'postScriptStart', 'timestamp'),
  c('post_script_end', 'postScriptEnd', 'timestamp'),
  c('wms_delay', 'wmsDelay', 'duration'),
  c('pre_script_delay', 'preScriptDelay', 'duration'),
  c('queue_delay', 'queueDelay', 'duration'),
  c('runtime', 'runtime', 'duration'),
  c('post_script_delay', 'postScriptDelay', 'duration'),
  c('stage_in_delay', 'stageInDelay', 'duration'),
  c('stage_in_bytes', 'stageInBytes', 'bytes'),
  c('stage_out_delay', 'stageOutDelay', 'duration'),
  c('stage_out_bytes', 'stageOutBytes', 'bytes'),
  c('kickstart_user', 'kickstartUser', 'text'),
  c('kickstart_site', 'kickstartSite', 'text'),
  c('kickstart_hostname', 'kickstartHostname', 'text'),
  c('kickstart_transformations', 'kickstartTransformations', 'text'),
  c('kickstart_executables', 'kickstartExecutables', 'text'),
  c('kickstart_executables_argv', 'kickstartExecutablesArgv', 'text'),
  c('kickstart_executables_cpu_time', 'cpuTime', 'cpuTime'),
  c('kickstart_status', 'kickstartStatus', 'code'),
  c('kickstart_executables_exitcode', 'exitCode', 'code'),
];

export const COLUMN_BY_NAME: ReadonlyMap<string, ColumnSpec> = new Map(COLUMNS.map((s) => [s.column, s]));
/** Job types; `subwf` is a sub-workflow planned and run as one job (Pegasus `pegasus-plan`, dag/dax jobs). */
export const JOB_TYPES = ['compute', 'transfer', 'auxiliary', 'subwf'] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** Per-job ground truth (Flow-Bench): `None` or the label of the anomaly the job ran under. */
export const TRUTH_COLUMN = 'anomaly_type';

/**
 * Properties a stored job has besides its columns: a source column whose property name would
 * collide with one of them is not stored (and listed).
 */
export const RESERVED_PROPS: ReadonlySet<string> = new Set(['id', 'runId', 'name', 'template', 'index', 'label', 'category', 'level', ...COLUMNS.map((c) => c.prop)]);

/** `stage_in_start` → `stageInStart`: the property name an extra column is stored under. */
export function propOfColumn(column: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*$/.test(column) || column.length > 100) return null;
  return column.replace(/_([A-Za-z0-9])/g, (_, ch: string) => ch.toUpperCase());
}

/**
 * Composite fields, each the difference of two timestamps (Pegasus' definitions; checked against
 * the data: e.g. wms_delay = submit - ready on every row that has both). Computed where absent.
 */
export const COMPOSITES: ReadonlyArray<{ prop: string; end: string; start: string }> = [
  { prop: 'wmsDelay', end: 'submit', start: 'ready' },
  { prop: 'preScriptDelay', end: 'preScriptEnd', start: 'preScriptStart' },
  { prop: 'queueDelay', end: 'executeStart', start: 'submit' },
  { prop: 'runtime', end: 'executeEnd', start: 'executeStart' },
  { prop: 'postScriptDelay', end: 'postScriptEnd', start: 'postScriptStart' },
];
