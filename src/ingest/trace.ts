/**
 * Parses one run file (`data/<label>/<workflow>-<instance>-runNNNN.csv`, one row per job) into a
 * validated run whose jobs are in template order, or into a rejection that names the file, the
 * reason and the offending job/field/value. Nothing is guessed: an empty cell stays missing (null).
 */
import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { COLUMNS, COLUMN_BY_NAME, COMPOSITES, JOB_TYPES, type ColumnSpec } from './columns';
import { parseLabel, type Category } from './labels';
import { auxInstance, auxKey } from './names';
import type { DagTemplate } from './template';

export type JobValue = string | number | null;
export type JobRecord = Record<string, JobValue> & { id: string; runId: string; name: string; template: string; index: number };

export interface ParsedRun {
  id: string;
  source: string;
  workflow: string;
  label: string;
  category: Category;
  level: number | null;
  instance: string;
  runNumber: number;
  contentHash: string;
  startedAt: number | null;
  endedAt: number | null;
  /** Optional columns the file lacks entirely (their values are stored as missing). */
  missingColumns: string[];
  /** Composite values computed from timestamps because the cell was empty. */
  derivedValues: number;
  /** kickstart cpu_time of -1 (no kickstart record) stored as missing. */
  sentinelValues: number;
  /** Jobs in template order: jobs[i] is template job i. */
  jobs: JobRecord[];
}

export type RejectCode =
  | 'EMPTY_FILE'
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

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Reasons quote names and values from the file: clipped, so a megabyte cell stays a short message. */
const reject = (r: Omit<Rejection, 'file'>): never => {
  throw new RejectError({ ...r, reason: clip(r.reason, 1000), ...(r.job !== undefined ? { job: clip(r.job, 200) } : {}), ...(r.value !== undefined ? { value: clip(r.value, 200) } : {}) });
};

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// The extension in any case (a `.CSV` from another system); the `-run` marker exactly as written.
const FILE_RE = /^(.+)-run(\d+)\.[cC][sS][vV]$/;

export interface RunFileInput {
  /** Path shown in reports (relative to the dataset root). */
  source: string;
  /** Name of the folder holding the file: the run's label. */
  labelFolder: string;
  fileName: string;
  bytes: Buffer;
}

/** Finds the workflow whose name prefixes the file name (longest match wins). */
export function workflowOfFile(fileName: string, workflows: Iterable<string>): string | null {
  let best: string | null = null;
  for (const w of workflows) {
    if ((fileName.startsWith(`${w}-`) || fileName.startsWith(`${w}_`)) && (best === null || w.length > best.length)) best = w;
  }
  return best;
}

export function parseRunFile(input: RunFileInput, templates: ReadonlyMap<string, DagTemplate>): ParsedRun | Rejection {
  try {
    return parseOrThrow(input, templates);
  } catch (err) {
    if (err instanceof RejectError) return { file: input.source, ...err.rejection };
    throw err;
  }
}

function parseOrThrow(input: RunFileInput, templates: ReadonlyMap<string, DagTemplate>): ParsedRun {
  const labelInfo = parseLabel(input.labelFolder);
  if (!labelInfo) {
    reject({ code: 'UNKNOWN_LABEL', reason: `unknown label folder "${input.labelFolder}" (expected normal, cpu_<n>, hdd_<n> or loss_<n>)`, value: input.labelFolder });
  }
  const label = labelInfo as NonNullable<typeof labelInfo>;
  const fm = FILE_RE.exec(input.fileName);
  if (!fm) reject({ code: 'BAD_FILE_NAME', reason: `file name "${input.fileName}" is not <workflow>-<instance>-run<NNNN>.csv`, label: label.label });
  const stem = (fm as RegExpExecArray)[1] as string;
  const runNumber = Number((fm as RegExpExecArray)[2]);
  if (runNumber > INT32_MAX) reject({ code: 'BAD_FILE_NAME', reason: `run number ${(fm as RegExpExecArray)[2]} in "${input.fileName}" is too large`, label: label.label });
  const workflow = workflowOfFile(input.fileName, templates.keys());
  if (workflow === null) {
    reject({ code: 'UNKNOWN_WORKFLOW', reason: `no DAG template matches "${input.fileName}" (known: ${[...templates.keys()].join(', ')})`, label: label.label });
  }
  const wf = workflow as string;
  const template = templates.get(wf) as DagTemplate;
  const ctx = { workflow: wf, label: label.label };

  if (input.bytes.length === 0) reject({ ...ctx, code: 'EMPTY_FILE', reason: 'empty file (0 bytes)' });
  const text0 = decodeUtf8(input.bytes);
  if (typeof text0 !== 'string') reject({ ...ctx, code: 'NOT_UTF8', reason: text0.reason });
  let text = text0 as string;
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') reject({ ...ctx, code: 'EMPTY_FILE', reason: 'empty file (only whitespace)' });

  // `info` gives each record's line number in the file, blank lines included.
  let rows: string[][];
  let lines: number[];
  try {
    const parsed = parseCsv(text, { relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    rows = parsed.map((p) => p.record);
    lines = parsed.map((p) => p.info.lines);
  } catch (err) {
    reject({ ...ctx, code: 'BAD_CSV', reason: `not valid CSV: ${(err as Error).message}` });
  }
  const header = rows![0] as string[];
  const body = rows!.slice(1);
  if (body.length === 0) reject({ ...ctx, code: 'EMPTY_FILE', reason: 'header only, no job rows (truncated?)' });

  // Column 0 is the job name (its header cell is empty in the Panorama exports).
  const colIndex = new Map<string, number>();
  header.forEach((h, i) => {
    if (i === 0) return;
    const name = h.trim();
    if (colIndex.has(name)) reject({ ...ctx, code: 'DUPLICATE_COLUMN', reason: `column "${name}" appears twice in the header`, field: name });
    colIndex.set(name, i);
  });
  const missingRequired = COLUMNS.filter((s) => s.required && !colIndex.has(s.column)).map((s) => s.column);
  if (missingRequired.length) {
    reject({ ...ctx, code: 'MISSING_COLUMNS', reason: `missing required columns: ${missingRequired.join(', ')}`, field: missingRequired.join(',') });
  }
  const missingColumns = COLUMNS.filter((s) => !s.required && !colIndex.has(s.column)).map((s) => s.column);
  const present: Array<[ColumnSpec, number]> = [];
  for (const [name, i] of colIndex) {
    const spec = COLUMN_BY_NAME.get(name);
    if (spec) present.push([spec, i]);
    // Unknown extra columns are ignored: they carry nothing the platform models.
  }

  const runId = `${label.label}/${input.fileName.replace(/\.[cC][sS][vV]$/, "")}`;
  let sentinelValues = 0;
  const byKey = new Map<string, { rec: JobRecord; line: number }>();
  let instance: string | null = null;
  body.forEach((row, r) => {
    const line = lines[r + 1] as number;
    const name = (row[0] ?? '').trim();
    if (row.length !== header.length) {
      reject({ ...ctx, code: 'TRUNCATED_ROW', reason: `line ${line} (job "${name}") has ${row.length} of ${header.length} columns`, job: name });
    }
    if (name === '') reject({ ...ctx, code: 'BAD_VALUE', reason: `line ${line} has no job name`, field: 'job name' });
    const key = auxKey(name);
    const prev = byKey.get(key);
    if (prev) {
      reject({ ...ctx, code: 'DUPLICATE_JOB', reason: `duplicate job "${name}" on lines ${prev.line} and ${line}`, job: name });
    }
    const inst = auxInstance(name);
    if (inst !== null) {
      if (instance === null) instance = inst;
      else if (inst !== instance) {
        reject({ ...ctx, code: 'INSTANCE_MISMATCH', reason: `auxiliary job "${name}" names instance "${inst}", other jobs name "${instance}"`, job: name, value: inst });
      }
    }
    const rec: Record<string, JobValue> = {};
    for (const spec of COLUMNS) rec[spec.prop] = null;
    for (const [spec, i] of present) {
      const raw = (row[i] ?? '').trim();
      const v = parseCell(spec, raw, name, ctx);
      if (v === SENTINEL) {
        sentinelValues++;
        rec[spec.prop] = null;
      } else rec[spec.prop] = v;
    }
    checkTimeOrder(rec, name, ctx);
    byKey.set(key, { rec: rec as JobRecord, line });
  });

  // The file is <workflow>-<instance> (1000genome: the instance itself starts with the workflow).
  if (instance !== null && stem !== instance && !stem.endsWith(`-${instance}`) && !stem.endsWith(`_${instance}`)) {
    reject({ ...ctx, code: 'INSTANCE_MISMATCH', reason: `auxiliary jobs name instance "${instance}", but the file name is for "${stem}"`, value: instance });
  }

  const extra = [...byKey.keys()].filter((k) => !template.keyIndex.has(k));
  const missing = template.keys.filter((k) => !byKey.has(k));
  if (extra.length || missing.length) {
    const name = (k: string): string => (k.includes('{instance}') ? k.replace('{instance}', instance ?? '?') : k);
    const show = (ks: string[]): string => (ks.length === 0 ? 'none' : ks.slice(0, 6).map(name).join(', ') + (ks.length > 6 ? ` (+${ks.length - 6} more)` : ''));
    reject({
      ...ctx,
      code: 'JOB_SET_MISMATCH',
      reason: `job set does not match the ${wf} DAG template (${template.jobs.length} jobs; file has ${byKey.size}): extra ${show(extra)}; missing ${show(missing.map((k) => template.jobs[template.keyIndex.get(k) as number] as string))}`,
      job: extra[0] ?? missing[0],
    });
  }

  const jobs: JobRecord[] = template.keys.map((k, index) => {
    const { rec } = byKey.get(k) as { rec: JobRecord };
    const name = findName(body, k);
    return Object.assign(rec, { id: `${runId}/${name}`, runId, name, template: template.jobs[index] as string, index });
  });
  const derivedValues = deriveComposites(jobs, template);

  let startedAt: number | null = null;
  let endedAt: number | null = null;
  for (const j of jobs) {
    const s = (j.ready ?? j.submit) as number | null;
    const e = (j.postScriptEnd ?? j.executeEnd) as number | null;
    if (s !== null && (startedAt === null || s < startedAt)) startedAt = s;
    if (e !== null && (endedAt === null || e > endedAt)) endedAt = e;
  }
  const contentHash = createHash('sha256')
    .update(JSON.stringify({ workflow: wf, label: label.label, jobs: jobs.map((j) => COLUMNS.map((s) => j[s.prop]).concat(j.name)) }))
    .digest('hex');

  return {
    id: runId,
    source: input.source,
    workflow: wf,
    label: label.label,
    category: label.category,
    level: label.level,
    instance: instance ?? stem,
    runNumber,
    contentHash,
    startedAt,
    endedAt,
    missingColumns,
    derivedValues,
    sentinelValues,
    jobs,
  };
}

/** Line number (1-based) of a byte offset. */
function lineOf(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < offset; i = bytes.indexOf(0x0a, i + 1)) line++;
  return line;
}

/**
 * The file as text, or why it is not UTF-8: a UTF-16 byte-order mark, a NUL byte (binary data,
 * or UTF-16 without a mark: valid UTF-8 in principle, never a CSV), or the first invalid byte.
 */
function decodeUtf8(bytes: Buffer): string | { reason: string } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { reason: `UTF-16 text (byte-order mark ${bytes[0]?.toString(16).toUpperCase()} ${bytes[1]?.toString(16).toUpperCase()}); save it as UTF-8` };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { reason: `NUL byte at line ${lineOf(bytes, nul)} (byte ${nul}): binary data or UTF-16 text, not a UTF-8 CSV file` };
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Valid text before the first replacement character encodes to the same bytes.
    const loose = bytes.toString('utf8');
    const at = Buffer.byteLength(loose.slice(0, Math.max(0, loose.indexOf('\uFFFD'))), 'utf8');
    return { reason: `not UTF-8 text: invalid byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at line ${lineOf(bytes, at)} (byte ${at})` };
  }
}

/**
 * Timestamps a job passes through, in the order Pegasus records them; each present one must not
 * precede the previous present one (real traces never do: a reversed pair is a corrupt row).
 */
const TIME_ORDER: ReadonlyArray<readonly string[]> = [
  ['ready', 'submit', 'executeStart', 'executeEnd', 'postScriptStart', 'postScriptEnd'],
  ['preScriptStart', 'preScriptEnd'],
];

function checkTimeOrder(rec: Record<string, JobValue>, job: string, ctx: { workflow: string; label: string }): void {
  for (const chain of TIME_ORDER) {
    let prev: string | null = null;
    for (const prop of chain) {
      const v = rec[prop];
      if (typeof v !== 'number') continue;
      if (prev !== null && v < (rec[prev] as number)) {
        const col = (p: string): string => COLUMNS.find((c) => c.prop === p)?.column ?? p;
        reject({ ...ctx, code: 'BAD_VALUE', reason: `job "${job}": ${col(prop)}=${v} is before ${col(prev)}=${rec[prev]} (timestamps out of order)`, job, field: col(prop), value: String(v) });
      }
      prev = prop;
    }
  }
}

function findName(body: string[][], key: string): string {
  for (const row of body) {
    const n = (row[0] ?? '').trim();
    if (auxKey(n) === key) return n;
  }
  return key;
}

const SENTINEL = Symbol('sentinel');
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Plausibility bounds: beyond them a value is a unit or corruption error, not a measurement. */
const MAX_EPOCH_SECONDS = 1e10;
const MAX_SECONDS = 1e9;

function parseCell(spec: ColumnSpec, raw: string, job: string, ctx: { workflow: string; label: string }): JobValue | typeof SENTINEL {
  if (raw === '') {
    if (spec.required) reject({ ...ctx, code: 'BAD_VALUE', reason: `job "${job}": required field ${spec.column} is empty`, job, field: spec.column, value: '' });
    return null;
  }
  const bad = (why: string): never =>
    reject({ ...ctx, code: 'BAD_VALUE', reason: `job "${job}": ${spec.column}=${JSON.stringify(raw.slice(0, 40))} ${why}`, job, field: spec.column, value: raw.slice(0, 80) });
  switch (spec.kind) {
    case 'text':
      return raw;
    case 'jobType':
      if (!(JOB_TYPES as readonly string[]).includes(raw)) bad(`is not one of ${JOB_TYPES.join(', ')}`);
      return raw;
    default: {
      if (!NUMBER_RE.test(raw)) bad('is not a number');
      const n = Number(raw);
      if (!Number.isFinite(n)) bad('is not a finite number');
      switch (spec.kind) {
        case 'flag':
          if (n !== 0 && n !== 1) bad('must be 0 or 1');
          return n;
        case 'code':
          // Stored as a Neo4j integer, which would silently clamp anything past 64 bits.
          if (!Number.isInteger(n)) bad('must be an integer');
          if (n < INT32_MIN || n > INT32_MAX) bad('must be a 32-bit integer');
          return n;
        case 'timestamp':
          if (n <= 0) bad('must be a positive epoch time');
          if (n > MAX_EPOCH_SECONDS) bad('is past the year 2286: not epoch seconds (milliseconds?)');
          return n;
        case 'cpuTime':
          if (n === -1) return SENTINEL;
          if (n < 0) bad('must not be negative');
          if (n > MAX_SECONDS) bad(`is over ${MAX_SECONDS} seconds`);
          return n;
        case 'bytes':
          if (n < 0) bad('must not be negative');
          if (n > Number.MAX_SAFE_INTEGER) bad('is more bytes than a number holds exactly');
          return n;
        default:
          if (n < 0) bad('must not be negative');
          if (n > MAX_SECONDS) bad(`is over ${MAX_SECONDS} seconds`);
          return n;
      }
    }
  }
}

/**
 * Fills composite fields that are empty but computable: each delay from its two timestamps, and
 * `ready` (when a job's parents were all done) from the parents' post-script end. Returns the
 * number of values computed.
 */
export function deriveComposites(jobs: JobRecord[], template: DagTemplate): number {
  let derived = 0;
  const parents: number[][] = jobs.map(() => []);
  for (const [p, c] of template.edges) parents[c]?.push(p);
  jobs.forEach((job, i) => {
    if (job.ready === null) {
      if (job.submit !== null && job.wmsDelay !== null) {
        job.ready = (job.submit as number) - (job.wmsDelay as number);
        derived++;
      } else {
        const ends = (parents[i] ?? []).map((p) => (jobs[p]?.postScriptEnd ?? jobs[p]?.executeEnd ?? null) as number | null);
        if (ends.length > 0 && ends.every((e) => e !== null)) {
          job.ready = Math.max(...(ends as number[]));
          derived++;
        }
      }
    }
    for (const { prop, end, start } of COMPOSITES) {
      if (job[prop] === null && job[end] !== null && job[start] !== null) {
        job[prop] = (job[end] as number) - (job[start] as number);
        derived++;
      }
    }
  });
  return derived;
}
