/**
 * The CSV trace reader (flowgad and Flow-Bench layouts): one run file
 * (`data/<label>/<workflow>[-<instance>]-runNNNN.csv`, one row per job) → a validated `SourceRun`
 * whose jobs are in template order, or a rejection that names the file, the reason and the offending
 * job/field/value. Nothing is guessed: an empty cell stays missing (null); values computed from
 * others are validated like parsed ones and reported (`derived`).
 */
import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { COLUMNS, COLUMN_BY_NAME, COMPOSITES, JOB_TYPES, RESERVED_PROPS, TRUTH_COLUMN, propOfColumn, type ColumnSpec } from './columns';
import { looksLikeLabel, parseJobTruth, parseLabel } from './labels';
import { auxInstance, auxKey } from './names';
import { splitPlainCsv } from './plain-csv';
import { RejectError, reject, type RejectCode, type Rejection } from './rejection';
import type { Derivation, JobValue, SourceJob, SourceKind, SourceRun, Truth } from './run-shape';
import type { DagTemplate } from './template';

export { RejectError, type RejectCode, type Rejection } from './rejection';
export type { JobValue } from './run-shape';
export type JobRecord = SourceJob;
/** What the CSV reader returns: the one run shape. */
export type ParsedRun = SourceRun;

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// The extension in any case (a `.CSV` from another system); the `-run` marker exactly as written.
const FILE_RE = /^(.+)-run(\d+)\.[cC][sS][vV]$/;
/** Columns beyond the trace columns stored per job, at most (a wider file lists the rest as not stored). */
export const MAX_EXTRA_COLUMNS = 64;

export interface RunFileInput {
  /** Path shown in reports (relative to the dataset root). */
  source: string;
  /** Name of the folder holding the file: the run's label (see ParseOptions.truth). */
  labelFolder: string;
  fileName: string;
  bytes: Buffer;
}

export interface ParseOptions {
  /**
   * Where the run's truth comes from. `folder` (files): the folder is a label; a folder that is no
   * label and does not look like one (`runs`, `2024-06`) gives an unlabelled run with a note.
   * `label` (pushed runs): `labelFolder` must be a label. `none`: unlabelled, per-job truth ignored.
   */
  truth?: 'folder' | 'label' | 'none';
  kind?: SourceKind;
  /** Trim whitespace around cells: yes for files (spreadsheet exports pad), no for pushed JSON (kept as sent). */
  trim?: boolean;
}

/** Finds the workflow whose name prefixes the file name (longest match wins). */
export function workflowOfFile(fileName: string, workflows: Iterable<string>): string | null {
  let best: string | null = null;
  for (const w of workflows) {
    if ((fileName.startsWith(`${w}-`) || fileName.startsWith(`${w}_`)) && (best === null || w.length > best.length)) best = w;
  }
  return best;
}

export function parseRunFile(input: RunFileInput, templates: ReadonlyMap<string, DagTemplate>, opts: ParseOptions = {}): SourceRun | Rejection {
  try {
    return parseOrThrow(input, templates, opts);
  } catch (err) {
    if (err instanceof RejectError) return { file: input.source, ...err.rejection };
    throw err;
  }
}

/** Edit distance, for "did you mean" on misspelled headers (short strings only). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0] as number;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j] as number;
      d[j] = Math.min((d[j] as number) + 1, (d[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length] as number;
}

function parseOrThrow(input: RunFileInput, templates: ReadonlyMap<string, DagTemplate>, opts: ParseOptions): SourceRun {
  const mode = opts.truth ?? 'folder';
  const trim = opts.trim ?? true;
  const notes: string[] = [];
  let truth: Truth | null = null;
  if (mode !== 'none') {
    truth = parseLabel(input.labelFolder);
    if (truth === null) {
      if (mode === 'label' || looksLikeLabel(input.labelFolder) || input.labelFolder === '') {
        const what = mode === 'label' ? 'label' : 'label folder';
        reject({ code: 'UNKNOWN_LABEL', reason: `unknown ${what} "${input.labelFolder}" (expected normal, cpu_<n>, hdd_<n> or loss_<n>)`, value: input.labelFolder });
      }
      notes.push(`folder "${input.labelFolder}" is not a label (normal, cpu_<n>, hdd_<n>, loss_<n>): stored unlabelled`);
    }
  }
  const labelCtx = truth ? { label: truth.label } : {};
  const fm = FILE_RE.exec(input.fileName);
  if (!fm) reject({ ...labelCtx, code: 'BAD_FILE_NAME', reason: `file name "${input.fileName}" is not <workflow>[-<instance>]-run<NNNN>.csv` });
  const stem = (fm as RegExpExecArray)[1] as string;
  const runNumber = Number((fm as RegExpExecArray)[2]);
  if (runNumber > INT32_MAX) reject({ ...labelCtx, code: 'BAD_FILE_NAME', reason: `run number ${(fm as RegExpExecArray)[2]} in "${input.fileName}" is too large` });
  const workflow = workflowOfFile(input.fileName, templates.keys());
  if (workflow === null) {
    reject({
      ...labelCtx,
      code: 'UNKNOWN_WORKFLOW',
      reason: `no DAG template matches "${input.fileName}" (known: ${[...templates.keys()].join(', ') || 'none'}); name its template with --template <workflow>=<file.json>`,
    });
  }
  const wf = workflow as string;
  const template = templates.get(wf) as DagTemplate;
  const ctx = { workflow: wf, ...labelCtx };

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
    const plain = splitPlainCsv(text);
    if (plain) ({ rows, lines } = plain);
    else {
      const parsed = parseCsv(text, { relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
      rows = parsed.map((p) => p.record);
      lines = parsed.map((p) => p.info.lines);
    }
  } catch (err) {
    reject({ ...ctx, code: 'BAD_CSV', reason: `not valid CSV: ${(err as Error).message}` });
  }
  const header = rows![0] as string[];
  const body = rows!.slice(1);
  if (body.length === 0) reject({ ...ctx, code: 'EMPTY_FILE', reason: 'header only, no job rows (truncated?)' });
  const cell = (s: string | undefined): string => (trim ? (s ?? '').trim() : (s ?? ''));

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
  const extras: Array<{ column: string; prop: string; i: number }> = [];
  const unstoredColumns: Array<{ column: string; reason: string }> = [];
  let truthCol: number | null = null;
  for (const [name, i] of colIndex) {
    const spec = COLUMN_BY_NAME.get(name);
    if (spec) {
      present.push([spec, i]);
      continue;
    }
    if (name === TRUTH_COLUMN) {
      if (mode === 'none') unstoredColumns.push({ column: name, reason: 'per-job truth ignored: the runs are ingested unlabelled' });
      else truthCol = i;
      continue;
    }
    // Any other column is kept as a job property under its camelCase name, and listed.
    const prop = propOfColumn(name);
    if (prop === null) unstoredColumns.push({ column: name, reason: 'not a usable property name (letters, digits, single underscores)' });
    else if (RESERVED_PROPS.has(prop)) unstoredColumns.push({ column: name, reason: `its property name ${prop} is taken by a trace column` });
    else if (extras.length >= MAX_EXTRA_COLUMNS) unstoredColumns.push({ column: name, reason: `more than ${MAX_EXTRA_COLUMNS} extra columns` });
    else {
      extras.push({ column: name, prop, i });
      const near = missingColumns.find((m) => editDistance(m, name) <= 2);
      if (near !== undefined) notes.push(`column "${name}" is not a trace column (did you mean ${near}?): stored as job property ${prop}; ${near} is missing`);
    }
  }

  const runId = `${input.labelFolder}/${input.fileName.replace(/\.[cC][sS][vV]$/, '')}`;
  let sentinelValues = 0;
  const byKey = new Map<string, { rec: Record<string, JobValue>; line: number }>();
  let instance: string | null = null;
  body.forEach((row, r) => {
    const line = lines[r + 1] as number;
    const name = cell(row[0]);
    if (row.length !== header.length) {
      reject({ ...ctx, code: 'TRUNCATED_ROW', reason: `line ${line} (job "${name}") has ${row.length} of ${header.length} columns`, job: name });
    }
    if (name.trim() === '') reject({ ...ctx, code: 'BAD_VALUE', reason: `line ${line} has no job name`, field: 'job name' });
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
      const raw = cell(row[i]);
      const v = parseCell(spec, raw, name, ctx);
      if (v === SENTINEL) {
        sentinelValues++;
        rec[spec.prop] = null;
      } else rec[spec.prop] = v;
    }
    for (const e of extras) rec[e.prop] = extraValue(cell(row[e.i]));
    if (truthCol !== null) {
      const raw = cell(row[truthCol]);
      if (raw !== '') {
        const t = parseJobTruth(raw);
        if (t === null) {
          reject({ ...ctx, code: 'BAD_VALUE', reason: `job "${name}": ${TRUTH_COLUMN}=${JSON.stringify(raw.slice(0, 40))} is neither None nor a label (normal, cpu_<n>, hdd_<n>, loss_<n>)`, job: name, field: TRUTH_COLUMN, value: raw.slice(0, 80) });
        }
        Object.assign(rec, { label: t!.label, category: t!.category, level: t!.level });
      }
    }
    checkTimeOrder(rec, name, ctx);
    byKey.set(key, { rec, line });
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

  const names = new Map(body.map((row) => [auxKey(cell(row[0])), cell(row[0])]));
  const jobs: SourceJob[] = template.keys.map((k, index) => {
    const { rec } = byKey.get(k) as { rec: Record<string, JobValue> };
    const name = names.get(k) ?? k;
    return Object.assign(rec, { id: `${runId}/${name}`, runId, name, template: template.jobs[index] as string, index });
  });
  const derived = deriveComposites(jobs, template.edges, ctx);

  let startedAt: number | null = null;
  let endedAt: number | null = null;
  let failed = false;
  for (const j of jobs) {
    const s = (j.ready ?? j.submit) as number | null;
    const e = (j.postScriptEnd ?? j.executeEnd) as number | null;
    if (s !== null && (startedAt === null || s < startedAt)) startedAt = s;
    if (e !== null && (endedAt === null || e > endedAt)) endedAt = e;
    if ((typeof j.exitCode === 'number' && j.exitCode !== 0) || (typeof j.kickstartStatus === 'number' && j.kickstartStatus !== 0)) failed = true;
  }
  // Unchanged for the flowgad columns (stored runs keep their hash); extras and per-job truth added when present.
  const content: Record<string, unknown> = { workflow: wf, label: truth?.label ?? null, jobs: jobs.map((j) => COLUMNS.map((s) => j[s.prop]).concat(j.name)) };
  if (extras.length || truthCol !== null) {
    content.extra = { columns: extras.map((e) => e.prop), jobs: jobs.map((j) => [...extras.map((e) => j[e.prop]), j.label ?? null]) };
  }
  const contentHash = createHash('sha256').update(JSON.stringify(content)).digest('hex');

  return {
    id: runId,
    source: input.source,
    kind: opts.kind ?? (truthCol !== null || colIndex.has(TRUTH_COLUMN) ? 'flowbench-csv' : 'flowgad-csv'),
    workflow: wf,
    truth,
    instance: instance ?? stem,
    runNumber,
    state: failed ? 'failed' : 'succeeded',
    startedAt,
    endedAt,
    jobs,
    edges: template.edges.map(([p, c]) => [p, c] as [number, number]),
    parent: null,
    contentHash,
    missingColumns,
    unstoredColumns,
    derived,
    sentinelValues,
    notes,
    extraColumns: extras.map(({ column, prop }) => ({ column, prop })),
  };
}

/** An extra column's cell: missing, a number when it reads as one, else the text. */
function extraValue(raw: string): JobValue {
  if (raw === '') return null;
  if (NUMBER_RE.test(raw.trim())) {
    const n = Number(raw);
    if (Number.isFinite(n)) return n;
  }
  return raw;
}

/** Total count of derived values (summary figure). */
export function derivedCount(run: Pick<SourceRun, 'derived'>): number {
  return run.derived.reduce((a, d) => a + d.count, 0);
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

function checkTimeOrder(rec: Record<string, JobValue>, job: string, ctx: { workflow?: string; label?: string }, derivedHow?: string): void {
  for (const chain of TIME_ORDER) {
    let prev: string | null = null;
    for (const prop of chain) {
      const v = rec[prop];
      if (typeof v !== 'number') continue;
      if (prev !== null && v < (rec[prev] as number)) {
        const col = colName;
        const why = derivedHow ? `; ${derivedHow}` : '';
        reject({ ...ctx, code: 'BAD_VALUE', reason: `job "${job}": ${col(prop)}=${v} is before ${col(prev)}=${rec[prev]} (timestamps out of order${why})`, job, field: col(prop), value: String(v) });
      }
      prev = prop;
    }
  }
}


const SENTINEL = Symbol('sentinel');
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Plausibility bounds: beyond them a value is a unit or corruption error, not a measurement. */
const MAX_EPOCH_SECONDS = 1e10;
const MAX_SECONDS = 1e9;

function parseCell(spec: ColumnSpec, raw: string, job: string, ctx: { workflow: string; label?: string }): JobValue | typeof SENTINEL {
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

const colName = (p: string): string => COLUMNS.find((c) => c.prop === p)?.column ?? p;

/** How `ready` was derived, by case (named in the ingest summary; the execute_end fallback is a guess). */
export const READY_HOW = {
  fromWmsDelay: 'submit - wms_delay',
  fromParents: "latest parent's post_script_end",
  guessed: "latest parent's end, taking execute_end for a parent without post_script_end (a guess: its post script may have ended later)",
} as const;

/**
 * Fills composite fields that are empty but computable: each delay from its two timestamps, and
 * `ready` (when a job's parents were all done) from `submit − wms_delay` or the parents' end.
 * Derived values are checked like parsed ones (time order, no negative delay): a derived value that
 * breaks them rejects the run, naming how it was derived. Returns what was derived, by property and how.
 */
export function deriveComposites(jobs: Array<Record<string, JobValue> & { name: string }>, edges: ReadonlyArray<readonly [number, number]>, ctx: { workflow?: string; label?: string } = {}): Derivation[] {
  const counts = new Map<string, Derivation>();
  const note = (prop: string, how: string): void => {
    const k = `${prop}|${how}`;
    const d = counts.get(k);
    if (d) d.count++;
    else counts.set(k, { prop: colName(prop), how, count: 1 });
  };
  const parents: number[][] = jobs.map(() => []);
  for (const [p, c] of edges) parents[c]?.push(p);
  jobs.forEach((job, i) => {
    let readyHow: string | null = null;
    if (job.ready === null) {
      if (job.submit !== null && job.wmsDelay !== null) {
        job.ready = (job.submit as number) - (job.wmsDelay as number);
        readyHow = READY_HOW.fromWmsDelay;
      } else {
        const ps = (parents[i] ?? []).map((p) => jobs[p]);
        const ends = ps.map((p) => (p?.postScriptEnd ?? p?.executeEnd ?? null) as number | null);
        if (ends.length > 0 && ends.every((e) => e !== null)) {
          job.ready = Math.max(...(ends as number[]));
          readyHow = ps.every((p) => p?.postScriptEnd !== null) ? READY_HOW.fromParents : READY_HOW.guessed;
        }
      }
      if (readyHow !== null) {
        note('ready', readyHow);
        checkTimeOrder(job, job.name, ctx, `ready derived as ${readyHow}`);
      }
    }
    for (const { prop, end, start } of COMPOSITES) {
      if (job[prop] === null && job[end] !== null && job[start] !== null) {
        const v = (job[end] as number) - (job[start] as number);
        const how = `${colName(end)} - ${colName(start)}${start === 'ready' && readyHow !== null ? ` (ready derived as ${readyHow})` : ''}`;
        if (v < 0) {
          reject({ ...ctx, code: 'BAD_VALUE', reason: `job "${job.name}": derived ${colName(prop)}=${v} is negative (${how})`, job: job.name, field: colName(prop), value: String(v) });
        }
        job[prop] = v;
        note(prop, how);
      }
    }
  });
  return [...counts.values()];
}
