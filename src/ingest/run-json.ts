/**
 * One run pushed as JSON (a live monitor, the API's ingestRun) instead of a trace file. It is
 * written out as the trace file it stands for and parsed by the file ingest's own parser, so both
 * paths validate exactly alike; the optional edge list is checked against the DAG template.
 */
import { COLUMNS } from './columns';
import { auxKey } from './names';
import { parseTemplate, type DagTemplate } from './template';
import { parseRunFile, type ParsedRun, type Rejection } from './trace';

export type JsonJob = { name: string } & Partial<Record<string, string | number | null>>;

export interface RunJson {
  workflow: string;
  label: string;
  instance: string;
  runNumber: number;
  jobs: JsonJob[];
  edges?: Array<{ parent: string; child: string }> | null;
}

/** Rebuilds a template from what a Workflow node stores (job names, flattened index pairs). */
export function templateFromStored(workflow: string, jobs: readonly string[], edges: readonly number[]): DagTemplate {
  const adjacency: Record<string, string[]> = Object.fromEntries(jobs.map((j) => [j, [] as string[]]));
  for (let e = 0; e + 1 < edges.length; e += 2) adjacency[jobs[edges[e] as number] as string]?.push(jobs[edges[e + 1] as number] as string);
  return { ...parseTemplate(`${workflow.replace(/-/g, '_')}.json`, JSON.stringify(adjacency)), workflow };
}

function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The trace file a run's JSON stands for (header as in the Panorama exports). */
export function runJsonToCsv(run: RunJson): string {
  const header = ['', ...COLUMNS.map((c) => c.column)].join(',');
  const rows = run.jobs.map((j) => [csvCell(j.name), ...COLUMNS.map((c) => csvCell(j[c.prop]))].join(','));
  return `${[header, ...rows].join('\n')}\n`;
}

/** Rejection extended with the index of the job at fault in `run.jobs`, when there is one. */
export type JsonRejection = Rejection & { jobIndex?: number };

export function parseRunJson(run: RunJson, template: DagTemplate): ParsedRun | JsonRejection {
  const where = { file: `${run.workflow}/${run.instance}/run${run.runNumber}`, workflow: run.workflow, label: run.label };
  if (!/^[A-Za-z0-9_.:-]+$/.test(run.instance)) {
    return { ...where, code: 'BAD_FILE_NAME', field: 'instance', value: run.instance, reason: `instance ${JSON.stringify(run.instance)} may hold only letters, digits and _ . : -` };
  }
  if (!Number.isInteger(run.runNumber) || run.runNumber < 0) {
    return { ...where, code: 'BAD_FILE_NAME', field: 'runNumber', value: String(run.runNumber), reason: `runNumber ${run.runNumber} is not a non-negative integer` };
  }
  const fileName = `${run.workflow}-${run.instance}-run${String(run.runNumber).padStart(4, '0')}.csv`;
  const parsed = parseRunFile(
    { source: where.file, labelFolder: run.label, fileName, bytes: Buffer.from(runJsonToCsv(run), 'utf8') },
    new Map([[template.workflow, template]]),
  );
  if ('reason' in parsed) {
    const jobIndex = parsed.job === undefined ? -1 : run.jobs.findIndex((j) => j.name === parsed.job || auxKey(j.name) === parsed.job);
    return jobIndex >= 0 ? { ...parsed, file: where.file, jobIndex } : { ...parsed, file: where.file };
  }
  if (run.edges) {
    const index = template.keyIndex;
    const want = new Set(template.edges.map(([p, c]) => `${p}>${c}`));
    const got = new Set<string>();
    for (const [i, e] of run.edges.entries()) {
      const p = index.get(auxKey(e.parent));
      const c = index.get(auxKey(e.child));
      if (p === undefined || c === undefined || !want.has(`${p}>${c}`)) {
        return { ...where, code: 'BAD_TEMPLATE', field: `edges[${i}]`, reason: `edge ${e.parent} → ${e.child} is not a dependency of the ${template.workflow} DAG template` };
      }
      got.add(`${p}>${c}`);
    }
    if (got.size !== want.size) {
      return { ...where, code: 'BAD_TEMPLATE', field: 'edges', reason: `${want.size - got.size} of the template's ${want.size} dependencies are missing from edges` };
    }
  }
  return parsed;
}
