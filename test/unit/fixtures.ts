/**
 * Small fixture builders shared by the unit tests: a 4-job DAG template in the flowgad shape
 * (create_dir → compute → stage_out → cleanup), run files built row by row from it, and temp
 * dataset folders. Nothing here reads the real dataset.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseTemplate, type DagTemplate } from '../../src/ingest/template';
import { parseRunFile, type ParsedRun, type Rejection, type RejectCode, type RunFileInput } from '../../src/ingest/trace';

/** The header of the real Panorama exports (first cell empty: column 0 is the job name). */
export const HEADER =
  ',type,is_clustered,ready,pre_script_start,pre_script_end,submit,execute_start,execute_end,post_script_start,post_script_end,wms_delay,pre_script_delay,queue_delay,runtime,post_script_delay,stage_in_delay,stage_in_bytes,stage_out_delay,stage_out_bytes,kickstart_user,kickstart_site,kickstart_hostname,kickstart_transformations,kickstart_executables,kickstart_executables_argv,kickstart_executables_cpu_time,kickstart_status,kickstart_executables_exitcode';

/** The data columns of HEADER, in file order (without the leading job-name column). */
export const DATA_COLUMNS: readonly string[] = HEADER.split(',').slice(1);

// ---------------------------------------------------------------------------------------------
// The tiny workflow. Like the real data, the template's auxiliary jobs carry one instance id and
// the run's auxiliary jobs another; like nowcast/wind, the file name is <workflow>-<instance>.

export const WORKFLOW = 'tiny-wf';
export const TEMPLATE_FILE = 'tiny_wf.json';
export const TEMPLATE_INSTANCE = 'casa_tiny-20200406T033822Z';
export const RUN_INSTANCE = 'casa_tiny-20200518T045356Z';
export const LABEL = 'hdd_60';
export const RUN_NUMBER = 7;
export const FILE_NAME = `${WORKFLOW}-${RUN_INSTANCE}-run000${RUN_NUMBER}.csv`;

export const createDir = (instance: string): string => `create_dir_${instance}_0_condorpool`;
export const cleanup = (instance: string): string => `cleanup_${instance}_0_condorpool`;
export const COMPUTE = 'work_ID0000001';
export const STAGE_OUT = 'stage_out_local_condorpool_0_0';

/** Template job names in template order. */
export const TEMPLATE_JOBS: readonly string[] = [createDir(TEMPLATE_INSTANCE), COMPUTE, STAGE_OUT, cleanup(TEMPLATE_INSTANCE)];
/** The same jobs as named in the run file. */
export const RUN_JOBS: readonly string[] = [createDir(RUN_INSTANCE), COMPUTE, STAGE_OUT, cleanup(RUN_INSTANCE)];

export function tinyTemplateJson(): Record<string, string[]> {
  const [cd, work, out, cu] = TEMPLATE_JOBS as [string, string, string, string];
  return { [cd]: [work], [work]: [out], [out]: [cu], [cu]: [] };
}

export function tinyTemplate(): DagTemplate {
  return parseTemplate(TEMPLATE_FILE, JSON.stringify(tinyTemplateJson()));
}

export function tinyTemplates(): Map<string, DagTemplate> {
  const t = tinyTemplate();
  return new Map([[t.workflow, t]]);
}

// ---------------------------------------------------------------------------------------------
// Rows.

export interface Row {
  name: string;
  /** Cell text by column name; a column absent here is written as an empty cell. */
  cells: Record<string, string>;
}

/** Epoch seconds of the first job's `ready`. */
export const T0 = 1589777698;

/**
 * A fully populated, self-consistent job row: ready=t, submit=t+4, execute_start=t+6,
 * execute_end=t+6+runtime, post_script 5 s; the delays agree with the timestamps.
 */
export function jobRow(name: string, type: 'compute' | 'transfer' | 'auxiliary', t: number, runtime: number): Row {
  const f = (n: number): string => n.toFixed(1);
  const end = t + 6 + runtime;
  return {
    name,
    cells: {
      type,
      is_clustered: '0',
      ready: f(t),
      submit: f(t + 4),
      execute_start: f(t + 6),
      execute_end: f(end),
      post_script_start: f(end),
      post_script_end: f(end + 5),
      wms_delay: '4.0',
      queue_delay: '2.0',
      runtime: f(runtime),
      post_script_delay: '5.0',
      ...(type === 'compute' ? { stage_in_delay: '3.0', stage_in_bytes: '1708157176.0', stage_out_delay: '4.0', stage_out_bytes: '1365482.0' } : {}),
      ...(type === 'transfer' ? { stage_out_delay: '9.0', stage_out_bytes: '3212066.0' } : {}),
      kickstart_user: 'panorama',
      kickstart_site: type === 'compute' ? 'condorpool' : 'local',
      kickstart_hostname: type === 'compute' ? 'worker-5' : 'master',
      kickstart_transformations: type === 'compute' ? 'work' : type === 'transfer' ? 'pegasus::transfer' : 'pegasus::dirmanager',
      kickstart_executables: '/usr/bin/work',
      kickstart_executables_argv: type === 'compute' ? 'chr1.vcf   1' : '',
      kickstart_executables_cpu_time: '1.7',
      kickstart_status: '0',
      kickstart_executables_exitcode: '0',
    },
  };
}

/**
 * The good run, chained in time (each job is ready when its parent's post script ends). Rows are
 * deliberately NOT in template order: compute, create_dir, cleanup, stage_out.
 */
export function goodRows(instance: string = RUN_INSTANCE): Row[] {
  const cd = jobRow(createDir(instance), 'auxiliary', T0, 3); // post_script_end = T0 + 14
  const work = jobRow(COMPUTE, 'compute', T0 + 14, 43); // post_script_end = T0 + 68
  const out = jobRow(STAGE_OUT, 'transfer', T0 + 68, 11); // post_script_end = T0 + 90
  const cu = jobRow(cleanup(instance), 'auxiliary', T0 + 90, 5); // post_script_end = T0 + 106
  return [work, cd, cu, out];
}

/** A copy of `rows` with one cell replaced ('' empties it). Throws if the job is not there. */
export function setCell(rows: readonly Row[], job: string, column: string, value: string): Row[] {
  assert.ok(rows.some((r) => r.name === job), `fixture has no job ${job}`);
  return rows.map((r) => (r.name === job ? { name: r.name, cells: { ...r.cells, [column]: value } } : r));
}

/** A copy of `rows` with several cells emptied on one job. */
export function emptyCells(rows: readonly Row[], job: string, columns: readonly string[]): Row[] {
  return columns.reduce<Row[]>((acc, c) => setCell(acc, job, c, ''), [...rows]);
}

export interface CsvOptions {
  /** Data columns to write (default: all of DATA_COLUMNS, in the real order). */
  columns?: readonly string[];
  eol?: string;
  bom?: boolean;
}

export function toCsv(rows: readonly Row[], opts: CsvOptions = {}): string {
  const columns = opts.columns ?? DATA_COLUMNS;
  const eol = opts.eol ?? '\n';
  const lines = [['', ...columns].join(','), ...rows.map((r) => [r.name, ...columns.map((c) => r.cells[c] ?? '')].join(','))];
  return (opts.bom ? '\uFEFF' : '') + lines.join(eol) + eol;
}

// ---------------------------------------------------------------------------------------------
// Parsing helpers.

export interface InputOptions {
  labelFolder?: string;
  fileName?: string;
  source?: string;
}

export function runInput(content: string | Buffer, opts: InputOptions = {}): RunFileInput {
  const labelFolder = opts.labelFolder ?? LABEL;
  const fileName = opts.fileName ?? FILE_NAME;
  return {
    source: opts.source ?? `data/${labelFolder}/${fileName}`,
    labelFolder,
    fileName,
    bytes: typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
  };
}

export function isRejection(r: ParsedRun | Rejection): r is Rejection {
  return 'code' in r && 'reason' in r;
}

/** Parses with the tiny template and asserts the run was accepted. */
export function parseOk(content: string | Buffer, opts: InputOptions = {}, templates = tinyTemplates()): ParsedRun {
  const r = parseRunFile(runInput(content, opts), templates);
  if (isRejection(r)) assert.fail(`expected the run to parse, got ${r.code}: ${r.reason}`);
  return r;
}

/** Parses with the tiny template and asserts a rejection with `code` that names the given source. */
export function parseRejected(content: string | Buffer, code: RejectCode, opts: InputOptions = {}, templates = tinyTemplates()): Rejection {
  const input = runInput(content, opts);
  const r = parseRunFile(input, templates);
  if (!isRejection(r)) return assert.fail(`expected ${code}, but the run parsed (${r.jobs.length} jobs)`);
  assert.equal(r.code, code, `expected ${code}, got ${r.code}: ${r.reason}`);
  assert.equal(r.file, input.source);
  return r;
}

/** The job of a parsed run with the given name (asserting it is there). */
export function job(run: ParsedRun, name: string): ParsedRun['jobs'][number] {
  const j = run.jobs.find((x) => x.name === name);
  assert.ok(j, `run has no job ${name}`);
  return j;
}

// ---------------------------------------------------------------------------------------------
// Temp folders.

/** A fresh temp folder; removed by the returned cleanup. */
export function tempDir(prefix = 'wfad-unit-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `files` (relative path → content) under `root`, creating folders. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
}
