/**
 * The rows of runs already decided (placed in their template, numbered, known to be stored): each
 * run's `:Run` node, its `:Job` nodes and its HAS_JOB and FEEDS relationships, formatted into
 * tables of their own. It decides nothing: `BulkRunFiles` (run-files.ts) numbers the runs and
 * jobs, and a `RowWriter` (this thread's, or worker threads: ingest/bulk-workers.ts) only formats.
 */
import type { SourceRun } from '../../ingest/run-shape';
import { jobTableProps } from '../job-table';
import { INT_PROPS, plainJobProps, runProps } from '../runs';
import type { TemplateRef } from '../templates';
import { DateTimeValue, NodeTable, RelationshipTable, type ImportFileGroup } from './csv-table';

/** One decided run: what a writer needs to format it. */
export interface DecidedRun {
  /** The run placed in its template (its jobs in the template's order). */
  run: SourceRun;
  /** The run as the reader gave it (`run` itself when placing reordered nothing). */
  read: SourceRun;
  template: Pick<TemplateRef, 'id' | 'version'>;
  /** Import id of the run; its job i has `firstJob + i`. */
  runId: number;
  firstJob: number;
  /** ISO time stored as `ingestedAt`. */
  ingestedAt: string;
}

/** Formats decided runs into the importer's files, here or elsewhere. */
export interface RowWriter {
  /** Formats a run (may wait for room: writers elsewhere hold a bounded queue). */
  add(d: DecidedRun): Promise<void>;
  /** A run read but not stored (already read once): whatever a writer held for it goes. */
  skip(read: SourceRun): void;
  /** Every run written: the files, closed. */
  close(): Promise<WrittenRows>;
  /** Stops writing (files left as they are: the caller removes the folder). */
  discard(): void;
}

/** Formatting on the calling thread. */
export function rowWriterHere(dir: string): RowWriter {
  const tables = new RunRowTables(dir);
  return {
    add: async (d) => tables.add(d),
    skip: () => undefined,
    close: async () => tables.close(),
    discard: () => undefined,
  };
}

/** What a writer wrote: the importer's file groups and counts. */
export interface WrittenRows {
  groups: ImportFileGroup[];
  multiline: boolean;
  nodes: number;
  relationships: number;
}

export class RunRowTables {
  private readonly runs: NodeTable;
  private readonly jobs: NodeTable;
  private readonly hasJob: RelationshipTable;
  private readonly feeds: RelationshipTable;

  /** `tag` names this writer's files apart from other writers' in `dir`. */
  constructor(dir: string, tag = '') {
    this.runs = new NodeTable(dir, 'Run', tag);
    this.jobs = new NodeTable(dir, 'Job', tag);
    this.hasJob = new RelationshipTable(dir, 'HAS_JOB', 'Run', 'Job', tag);
    this.feeds = new RelationshipTable(dir, 'FEEDS', 'Job', 'Job', tag);
  }

  add({ run, template, runId, firstJob, ingestedAt }: Omit<DecidedRun, 'read'>): void {
    const where = `run ${run.id} (${run.source})`;
    // Integral numbers stay numbers here; the tables type INT_PROPS as integers, as jobProps does.
    const jobs = run.jobs.map((j) => plainJobProps(j, run));
    this.runs.add(runId, { ...runProps(run, template), ...jobTableProps(jobs), ingestedAt: new DateTimeValue(ingestedAt) }, () => where);
    let id = firstJob;
    for (const p of jobs) {
      this.jobs.add(id, p, () => `${where}: job ${String(p.name)}`, INT_PROPS);
      this.hasJob.add(runId, id++);
    }
    for (const [a, b] of run.edges) this.feeds.add(firstJob + a, firstJob + b);
  }

  close(): WrittenRows {
    const out: WrittenRows = { groups: [], multiline: this.runs.multiline || this.jobs.multiline, nodes: this.runs.rows + this.jobs.rows, relationships: this.hasJob.rows + this.feeds.rows };
    for (const t of [this.runs, this.jobs, this.hasJob, this.feeds]) {
      const g = t.close();
      if (g) out.groups.push(g);
    }
    return out;
  }
}
