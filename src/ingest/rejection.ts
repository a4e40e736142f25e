/**
 * Why a run (or a template) was not stored: a code, a reason that names file/job/field/value, and
 * whatever of those the reader knows. Every reader rejects with these, so the summary lists them alike.
 */
export type RejectCode =
  | 'EMPTY_FILE'
  | 'UNREADABLE_FILE'
  | 'NOT_UTF8'
  | 'BAD_CSV'
  | 'MISSING_COLUMNS'
  | 'DUPLICATE_COLUMN'
  | 'TRUNCATED_ROW'
  | 'BAD_VALUE'
  | 'DUPLICATE_JOB'
  | 'JOB_SET_MISMATCH'
  | 'INSTANCE_MISMATCH'
  | 'UNKNOWN_LABEL'
  | 'UNKNOWN_WORKFLOW'
  | 'BAD_FILE_NAME'
  | 'BAD_TEMPLATE'
  | 'BAD_DAG'
  | 'CONFLICT'
  | 'STORE_FAILED';

export interface Rejection {
  file: string;
  code: RejectCode;
  reason: string;
  workflow?: string;
  label?: string;
  job?: string;
  field?: string;
  value?: string;
}

export class RejectError extends Error {
  constructor(readonly rejection: Omit<Rejection, 'file'>) {
    super(rejection.reason);
    this.name = 'RejectError';
  }
}

export const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Reasons quote names and values from the input: clipped, so a megabyte cell stays a short message. */
export const reject = (r: Omit<Rejection, 'file'>): never => {
  throw new RejectError({ ...r, reason: clip(r.reason, 1000), ...(r.job !== undefined ? { job: clip(r.job, 200) } : {}), ...(r.value !== undefined ? { value: clip(r.value, 200) } : {}) });
};

export const isRejection = (x: object): x is Rejection => 'reason' in x && 'code' in x;
