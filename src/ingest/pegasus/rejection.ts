/**
 * Why a submit directory, a database or one workflow in it was not read: a code, the file at
 * fault (relative to what the user named) and a sentence naming the field/value. Same fields as
 * the CSV readers' rejections, so the ingest summary lists them all alike.
 */
export type PegasusRejectCode =
  /** Not an SQLite file, truncated, or SQLite finds it damaged. */
  | 'CORRUPT_DB'
  /** SQLite, but not a Pegasus monitoring database (another program's, or tables missing). */
  | 'NOT_STAMPEDE_DB'
  /** A Pegasus database whose schema version (dbversion) this reader does not know. */
  | 'UNKNOWN_SCHEMA_VERSION'
  /** A submit directory with neither a stampede database nor jobstate.log + a .dag file. */
  | 'NO_RUN_RECORD'
  /** jobstate.log or the .dag file cannot be read as such. */
  | 'BAD_SUBMIT_FILE'
  /** The DAG has a cycle, an edge to an undefined job, or a job defined twice. */
  | 'BAD_DAG'
  /** A sub-workflow whose parent job cannot be found. */
  | 'UNLINKED_SUBWORKFLOW';

export interface PegasusRejection {
  file: string;
  code: PegasusRejectCode;
  reason: string;
  workflow?: string;
  job?: string;
  field?: string;
  value?: string;
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);

export function reject(
  ctx: { file: string; workflow?: string },
  code: PegasusRejectCode,
  reason: string,
  more: { job?: string | undefined; field?: string; value?: string } = {},
): PegasusRejection {
  const r: PegasusRejection = { file: ctx.file, code, reason: clip(reason, 1000) };
  if (ctx.workflow !== undefined) r.workflow = ctx.workflow;
  if (more.job !== undefined) r.job = clip(more.job, 200);
  if (more.field !== undefined) r.field = more.field;
  if (more.value !== undefined) r.value = clip(more.value, 200);
  return r;
}

export const isPegasusRejection = (x: object): x is PegasusRejection => 'code' in x && 'reason' in x && !('jobs' in x);
