/**
 * Runs straight from files, as the same records training reads back from Neo4j
 * (graph/read-runs.ts `RunRecord`): the ingest's own sources, parser and validation, without a
 * database. For offline checks and benchmarks that compare datasets which cannot share one
 * database (e.g. generated and real traces use the same workflow names with other templates).
 */
import { JOB_FIELDS, type RunRecord } from '../graph/read-runs';
import { TemplateCatalog } from '../graph/templates';
import { openCsvSource, type CsvSourceOptions } from './csv-source';
import { isRejection, type Rejection } from './rejection';
import type { SourceRun } from './run-shape';
import { auxKey } from './names';
import { dagHash } from './template';

export interface FileRecords {
  records: RunRecord[];
  rejected: Rejection[];
}

/** A run as the record read-runs.ts would return once it is stored (jobs in the reader's order). */
export function toRunRecord(run: SourceRun): RunRecord {
  const hash = dagHash(run.jobs.map((j) => auxKey(j.name)), run.edges);
  return {
    id: run.id,
    workflow: run.workflow,
    label: run.truth?.label ?? null,
    category: run.truth?.category ?? null,
    level: run.truth?.level ?? null,
    startedAt: run.startedAt,
    state: run.state,
    template: `${run.workflow}#${hash}`,
    templateVersion: null,
    jobNames: run.jobs.map((j) => j.name),
    jobs: run.jobs.map((j) => JOB_FIELDS.map((f) => j[f] ?? null)),
    jobLabels: run.jobs.map((j) => (typeof j.label === 'string' ? j.label : (run.truth?.label ?? null))),
    edges: run.edges.flat(),
  };
}

/** Records as an ingest into an empty database would store them (template versions included). */
export function readRunFiles(target: string, opts: CsvSourceOptions = {}): FileRecords {
  const source = openCsvSource(target, opts);
  const catalog = new TemplateCatalog();
  for (const t of source.templates) catalog.ensure(t.workflow, t.jobs, t.edges, t.origin);
  const records: RunRecord[] = [];
  const rejected: Rejection[] = [...source.rejected];
  for (const item of source.runs() as Iterable<SourceRun | Rejection>) {
    if (isRejection(item)) rejected.push(item);
    else {
      const placed = catalog.place(item);
      records.push({ ...toRunRecord(placed.run), template: placed.template.id, templateVersion: placed.template.version });
    }
  }
  records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { records, rejected };
}
