/**
 * One run pushed as JSON (a live monitor, the API's ingestRun) instead of a trace file. It is
 * written out as the trace file it stands for and parsed by the file ingest's own parser, so both
 * paths validate alike — except that values are kept exactly as sent (no whitespace trimming).
 * The label is optional (none: an unlabelled run). With `edges` the run brings its own DAG: a new
 * workflow, or a new template version when it differs from the stored ones; without, its jobs must
 * match a stored template of the workflow.
 */
import { COLUMNS } from './columns';
import { auxKey } from './names';
import type { Rejection } from './rejection';
import type { SourceRun } from './run-shape';
import { templateFromDag, type DagTemplate } from './template';
import { parseRunFile } from './trace';

export type JsonJob = { name: string } & Partial<Record<string, string | number | null>>;

export interface RunJson {
  workflow: string;
  /** null/absent: unknown truth. */
  label?: string | null;
  instance: string;
  runNumber: number;
  jobs: JsonJob[];
  edges?: Array<{ parent: string; child: string }> | null;
}

/** Id prefix of pushed runs without a label (labelled ones use their label, like a label folder). */
export const UNLABELLED_PREFIX = 'unlabelled';

/** A stored template (job names, flattened index pairs) as the parser's template. */
export function templateFromStored(workflow: string, jobs: readonly string[], edges: readonly number[]): DagTemplate {
  const pairs: Array<[number, number]> = [];
  for (let e = 0; e + 1 < edges.length; e += 2) pairs.push([edges[e] as number, edges[e + 1] as number]);
  const t = templateFromDag(workflow, `${workflow} (stored)`, jobs, pairs);
  if ('reason' in t) throw new Error(`stored template of ${workflow} is unusable: ${t.reason}`);
  return t;
}

function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The trace file a run's JSON stands for (header as in the Panorama exports). */
export function runJsonToCsv(run: RunJson): string {
  const header = ['', ...COLUMNS.map((c) => c.column)].join(',');
  const rows = run.jobs.map((j) => [csvCell(j.name), ...COLUMNS.map((c) => csvCell(j[c.prop]))].join(','));
  return `${[header, ...rows].join('\n')}\n`;
}

/** Rejection extended with the index of the job at fault in `run.jobs`, when there is one. */
export type JsonRejection = Rejection & { jobIndex?: number };

/** The run's own DAG from its edge list, or why it is unusable (unknown job, cycle). */
function ownDag(run: RunJson, where: Omit<Rejection, 'code' | 'reason'>): DagTemplate | JsonRejection {
  const index = new Map<string, number>();
  for (const [i, j] of run.jobs.entries()) {
    const prev = index.get(j.name);
    if (prev !== undefined) return { ...where, code: 'DUPLICATE_JOB', job: j.name, jobIndex: prev, reason: `duplicate job "${j.name}" (jobs[${prev}] and jobs[${i}])` };
    index.set(j.name, i);
    if (!index.has(auxKey(j.name))) index.set(auxKey(j.name), i);
  }
  const pairs: Array<[number, number]> = [];
  for (const [i, e] of (run.edges ?? []).entries()) {
    const p = index.get(e.parent) ?? index.get(auxKey(e.parent));
    const c = index.get(e.child) ?? index.get(auxKey(e.child));
    if (p === undefined || c === undefined) {
      const unknown = p === undefined ? e.parent : e.child;
      return { ...where, code: 'BAD_DAG', field: `edges[${i}]`, value: unknown, reason: `edge ${e.parent} → ${e.child} names ${JSON.stringify(unknown)}, which is not a job of the run` };
    }
    pairs.push([p, c]);
  }
  const t = templateFromDag(run.workflow, where.file, run.jobs.map((j) => j.name), pairs);
  if ('reason' in t) return { ...where, code: 'BAD_DAG', field: 'edges', reason: t.reason };
  return t;
}

/**
 * `stored`: the workflow's stored templates, oldest first (empty for a new workflow). The run's
 * template: its own DAG when it has edges, else the newest stored one with the same job set.
 */
export function parseRunJson(run: RunJson, stored: readonly DagTemplate[]): SourceRun | JsonRejection {
  const label = run.label ?? null;
  const where = { file: `${run.workflow}/${run.instance}/run${run.runNumber}`, workflow: run.workflow, ...(label !== null ? { label } : {}) };
  if (!/^[A-Za-z0-9_.:-]+$/.test(run.instance)) {
    return { ...where, code: 'BAD_FILE_NAME', field: 'instance', value: run.instance, reason: `instance ${JSON.stringify(run.instance)} may hold only letters, digits and _ . : -` };
  }
  if (!Number.isInteger(run.runNumber) || run.runNumber < 0) {
    return { ...where, code: 'BAD_FILE_NAME', field: 'runNumber', value: String(run.runNumber), reason: `runNumber ${run.runNumber} is not a non-negative integer` };
  }
  let template: DagTemplate;
  if (run.edges) {
    const own = ownDag(run, where);
    if ('reason' in own) return own;
    template = own;
  } else {
    if (stored.length === 0) {
      return { ...where, code: 'UNKNOWN_WORKFLOW', reason: `no workflow "${run.workflow}" is stored: send the run's edges to learn its DAG, or ingest its template first` };
    }
    const keys = new Set(run.jobs.map((j) => auxKey(j.name)));
    template = [...stored].reverse().find((t) => t.keys.length === keys.size && t.keys.every((k) => keys.has(k))) ?? (stored[stored.length - 1] as DagTemplate);
  }
  const fileName = `${run.workflow}-${run.instance}-run${String(run.runNumber).padStart(4, '0')}.csv`;
  const parsed = parseRunFile(
    { source: where.file, labelFolder: label ?? UNLABELLED_PREFIX, fileName, bytes: Buffer.from(runJsonToCsv(run), 'utf8') },
    new Map([[run.workflow, { ...template, workflow: run.workflow }]]),
    { truth: label === null ? 'none' : 'label', kind: 'json', trim: false },
  );
  if ('reason' in parsed) {
    const jobIndex = parsed.job === undefined ? -1 : run.jobs.findIndex((j) => j.name === parsed.job || auxKey(j.name) === parsed.job);
    return jobIndex >= 0 ? { ...parsed, file: where.file, jobIndex } : { ...parsed, file: where.file };
  }
  return parsed;
}
