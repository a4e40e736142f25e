/**
 * Why a submit directory, a database or one workflow in it was not read: the shared `Rejection`
 * (code, file relative to what the user named, a reason naming the field/value), with these codes:
 *   CORRUPT_DB              not an SQLite file, truncated, or SQLite finds it damaged
 *   NOT_STAMPEDE_DB         SQLite, but not a Pegasus monitoring database (another program's)
 *   UNKNOWN_SCHEMA_VERSION  a Pegasus database whose schema version (dbversion) is not known here
 *   NO_RUN_RECORD           a submit directory with neither a database nor jobstate.log + .dag
 *   BAD_SUBMIT_FILE         jobstate.log or the .dag file cannot be read as such
 *   BAD_DAG                 a cycle, an edge naming an undefined job, a job defined twice
 *   UNLINKED_SUBWORKFLOW    a sub-workflow whose parent job cannot be found
 *   BAD_VALUE               an event time in the database that is no number (table, column, row, job and value named)
 */
import { clip, type RejectCode, type Rejection } from '../rejection';

export type PegasusRejectCode = Extract<RejectCode, 'CORRUPT_DB' | 'NOT_STAMPEDE_DB' | 'UNKNOWN_SCHEMA_VERSION' | 'NO_RUN_RECORD' | 'BAD_SUBMIT_FILE' | 'BAD_DAG' | 'UNLINKED_SUBWORKFLOW' | 'BAD_VALUE'>;
export type PegasusRejection = Rejection & { code: PegasusRejectCode };

export function reject(
  ctx: { file: string; workflow?: string | undefined },
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
