/**
 * Runs (`SourceRun`, whatever reader made them) as the bulk importer's input files: the same nodes,
 * properties and relationships `graph/runs.ts` writes transactionally, for a store that is empty.
 *
 * Decisions mirror `writeRunBatch` batch for batch: runs are placed in their templates parents
 * first, a run id seen before is unchanged (same content hash) or a conflict, and only templates of
 * stored runs (and the source's template files) are written. Sub-workflow links are made at the
 * end, when every run is known (the transactional path links whichever of the two comes second).
 *
 * Memory: per stored run its id, hash and job names (to resolve sub-workflow links), never its
 * jobs; rows go to disk as they come (formatted by the row writer, csv-workers.ts). Import ids are integers numbered here (runs, jobs,
 * templates, workflows each from 0); the stored ids are ordinary properties.
 */
import fs from 'node:fs';
import neo4j from 'neo4j-driver';
import type { SourceRun } from '../../ingest/run-shape';
import { parentsFirst, type BatchResult } from '../runs';
import { templateProps, type PlacedRun, type TemplateCatalog, type TemplateRef } from '../templates';
import { NodeTable, RelationshipTable, UnrepresentableValue } from './csv-table';
import { rowWriterHere, type DecidedRun, type RowWriter, type WrittenRows } from './run-rows';

/** The importer's input: file groups, whether some string holds a line break (multi-line fields), counts. */
export type ImportFiles = WrittenRows;

interface StoredRun {
  hash: string;
  /** Import id of its first job; job i has `firstJob + i`. */
  firstJob: number;
  /** Job names joined by NUL (to resolve sub-workflow links to the parent's job). */
  names: string;
  parent: SourceRun['parent'];
  running: boolean;
  importId: number;
}

/** Written here; `:Run`, `:Job`, HAS_JOB and FEEDS rows are formatted by the row writer (run-rows.ts). */
type NodeLabel = 'Template' | 'Workflow';
type RelType = 'HAS_RUN' | 'USES_TEMPLATE' | 'HAS_TEMPLATE' | 'SUBWORKFLOW_OF' | 'RUNS';
const ENDS: Record<RelType, [string, string]> = {
  HAS_RUN: ['Workflow', 'Run'],
  USES_TEMPLATE: ['Run', 'Template'],
  HAS_TEMPLATE: ['Workflow', 'Template'],
  SUBWORKFLOW_OF: ['Run', 'Run'],
  RUNS: ['Job', 'Run'],
};

export class BulkRunFiles {
  private readonly nodes = new Map<NodeLabel, NodeTable>();
  private readonly rels = new Map<RelType, RelationshipTable>();
  private readonly runs = new Map<string, StoredRun>();
  private readonly templates = new Map<string, TemplateRef>();
  /** Import ids of templates and workflows (few), numbered as first met. */
  private readonly templateIds = new Map<string, number>();
  private readonly workflowIds = new Map<string, number>();
  private jobCount = 0;
  /**
   * Job ids are `<run id>/<name>`. Two can only clash (which the transactional path's unique
   * constraint would refuse) when a job name holds a '/': run `a` job `b/c` and run `a/b` job `c`.
   * Such jobs are kept and checked at the end.
   */
  private readonly slashJobs: Array<[string, string]> = [];

  private readonly rows: RowWriter;
  private runCount = 0;

  /** `rows`: who formats the decided runs' rows (default: this thread). */
  constructor(
    private readonly dir: string,
    private readonly catalog: TemplateCatalog,
    rows?: RowWriter,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.rows = rows ?? rowWriterHere(dir);
  }

  private node(label: NodeLabel): NodeTable {
    let t = this.nodes.get(label);
    if (!t) this.nodes.set(label, (t = new NodeTable(this.dir, label)));
    return t;
  }

  private rel(type: RelType, a: number, b: number): void {
    let t = this.rels.get(type);
    if (!t) this.rels.set(type, (t = new RelationshipTable(this.dir, type, ...ENDS[type])));
    t.add(a, b);
  }

  private idOf(map: Map<string, number>, key: string): number {
    let id = map.get(key);
    if (id === undefined) map.set(key, (id = map.size));
    return id;
  }

  /** Templates stored whether or not a run uses them (a source's template files). */
  addTemplates(templates: readonly TemplateRef[]): void {
    for (const t of templates) this.templates.set(t.id, t);
  }

  /**
   * One batch, decided as `writeRunBatch` decides it for a store holding only the earlier batches.
   * Decided at once (a later call sees this batch's runs); resolves when the row writer has room.
   */
  async addBatch(batch: SourceRun[]): Promise<BatchResult> {
    const placed = parentsFirst(batch.map((r) => ({ ...this.catalog.place(r), read: r })));
    const result: BatchResult = { stored: [], unchanged: [], conflicts: [], replaced: [], jobs: 0, edges: 0 };
    const decided: DecidedRun[] = [];
    for (const p of placed) {
      const seen = this.runs.get(p.run.id);
      if (seen) {
        this.rows.skip(p.read);
        if (seen.hash === p.run.contentHash) result.unchanged.push(p.run.id);
        // The transactional path would replace an in-progress run stored by an earlier batch.
        else if (seen.running) throw new UnrepresentableValue(`run ${p.run.id} (stored twice, in progress)`);
        else result.conflicts.push([p.run.id, seen.hash]);
        continue;
      }
      decided.push({ ...this.addRun(p), read: p.read });
      result.stored.push(p.run.id);
      result.jobs += p.run.jobs.length;
      result.edges += p.run.edges.length;
    }
    for (const d of decided) await this.rows.add(d);
    return result;
  }

  private addRun({ run, template }: PlacedRun): Omit<DecidedRun, 'read'> {
    const where = `run ${run.id} (${run.source})`;
    const runId = this.runCount++;
    const firstJob = this.jobCount;
    for (const j of run.jobs) {
      if (j.id !== `${run.id}/${j.name}`) throw new UnrepresentableValue(`${where}: job id ${String(j.id)} (not <run id>/<name>)`);
      if (j.name.includes('/')) this.slashJobs.push([run.id, j.name]);
    }
    this.jobCount += run.jobs.length;
    this.rel('HAS_RUN', this.idOf(this.workflowIds, run.workflow), runId);
    this.rel('USES_TEMPLATE', runId, this.idOf(this.templateIds, template.id));
    this.templates.set(template.id, template);
    this.runs.set(run.id, {
      hash: run.contentHash,
      firstJob,
      names: run.jobs.map((j) => j.name).join('\u0000'),
      parent: run.parent,
      running: run.state === 'running',
      importId: runId,
    });
    return { run, template: { id: template.id, version: template.version }, runId, firstJob, ingestedAt: new Date().toISOString() };
  }

  /** Writes templates, workflows and sub-workflow links; closes every file (the row writer's once it wrote every run). */
  async close(): Promise<ImportFiles> {
    for (const [runId, name] of this.slashJobs) {
      for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
        const other = this.runs.get(`${runId}/${name.slice(0, i)}`);
        if (other?.names.split('\u0000').includes(name.slice(i + 1))) throw new UnrepresentableValue(`run ${runId}: job id ${runId}/${name} (two jobs with one id)`);
      }
    }
    const byWorkflow = new Map<string, TemplateRef[]>();
    for (const t of this.templates.values()) {
      const id = this.idOf(this.templateIds, t.id);
      this.node('Template').add(id, templateProps(t), () => `template ${t.id} (${t.origin})`);
      this.rel('HAS_TEMPLATE', this.idOf(this.workflowIds, t.workflow), id);
      byWorkflow.set(t.workflow, [...(byWorkflow.get(t.workflow) ?? []), t]);
    }
    // The Workflow shows its newest template's size (as STORE_TEMPLATES sets it).
    for (const [name, list] of byWorkflow) {
      const newest = list.reduce((a, b) => (b.version > a.version ? b : a));
      this.node('Workflow').add(this.idOf(this.workflowIds, name), { name, jobs: neo4j.int(newest.jobs.length), edges: neo4j.int(newest.edges.length), templates: neo4j.int(newest.version) }, () => `workflow ${name}`);
    }
    for (const r of this.runs.values()) {
      if (!r.parent) continue;
      const p = this.runs.get(r.parent.runId);
      if (!p) continue;
      this.rel('SUBWORKFLOW_OF', r.importId, p.importId);
      const i = p.names.split('\u0000').indexOf(r.parent.jobName);
      if (i >= 0) this.rel('RUNS', p.firstJob + i, r.importId);
    }
    const out = await this.rows.close();
    for (const t of [...this.nodes.values(), ...this.rels.values()]) {
      const g = t.close();
      if (!g) continue;
      out.groups.push(g);
      if (t instanceof NodeTable) {
        out.multiline ||= t.multiline;
        out.nodes += t.rows;
      } else out.relationships += t.rows;
    }
    return out;
  }

  /** Stops the row writer (an ingest that ends without importing). */
  discard(): void {
    this.rows.discard();
  }
}
