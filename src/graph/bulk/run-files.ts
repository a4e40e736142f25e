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
 * jobs; rows go to disk as they come.
 */
import fs from 'node:fs';
import neo4j from 'neo4j-driver';
import type { SourceRun } from '../../ingest/run-shape';
import { jobTableProps } from '../job-table';
import { jobProps, parentsFirst, runProps, type BatchResult } from '../runs';
import { templateProps, type PlacedRun, type TemplateCatalog, type TemplateRef } from '../templates';
import { CsvTable, DateTimeValue, UnrepresentableValue, type ImportFileGroup } from './csv-table';

export interface ImportFiles {
  groups: ImportFileGroup[];
  /** Some string holds a line break: the importer must parse multi-line fields. */
  multiline: boolean;
  nodes: number;
  relationships: number;
}

interface StoredRun {
  hash: string;
  /** Job names joined by NUL; ids follow `<run id>/<name>` unless `jobIds` is set. */
  names: string;
  jobIds: string | null;
  parent: SourceRun['parent'];
  running: boolean;
}

export class BulkRunFiles {
  private readonly tables = new Map<string, CsvTable>();
  private readonly runs = new Map<string, StoredRun>();
  private readonly templates = new Map<string, TemplateRef>();

  constructor(
    private readonly dir: string,
    private readonly catalog: TemplateCatalog,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private table(kind: 'nodes' | 'relationships', name: string, header: string[]): CsvTable {
    const key = `${kind}:${name}`;
    let t = this.tables.get(key);
    if (!t) this.tables.set(key, (t = new CsvTable(this.dir, kind, name, header)));
    return t;
  }

  private rel(type: string, from: string, to: string, a: string, b: string): void {
    this.table('relationships', type, [`:START_ID(${from})`, `:END_ID(${to})`]).add([a, b], {}, `${type} ${a} → ${b}`);
  }

  /** Templates stored whether or not a run uses them (a source's template files). */
  addTemplates(templates: readonly TemplateRef[]): void {
    for (const t of templates) this.templates.set(t.id, t);
  }

  /** One batch, decided as `writeRunBatch` decides it for a store holding only the earlier batches. */
  addBatch(batch: SourceRun[]): BatchResult {
    const placed: PlacedRun[] = parentsFirst(batch.map((r) => this.catalog.place(r)));
    const result: BatchResult = { stored: [], unchanged: [], conflicts: [], replaced: [], jobs: 0, edges: 0 };
    for (const p of placed) {
      const seen = this.runs.get(p.run.id);
      if (seen) {
        if (seen.hash === p.run.contentHash) result.unchanged.push(p.run.id);
        // The transactional path would replace an in-progress run stored by an earlier batch.
        else if (seen.running) throw new UnrepresentableValue(`run ${p.run.id} (stored twice, in progress)`);
        else result.conflicts.push([p.run.id, seen.hash]);
        continue;
      }
      this.addRun(p);
      result.stored.push(p.run.id);
      result.jobs += p.run.jobs.length;
      result.edges += p.run.edges.length;
    }
    return result;
  }

  private addRun({ run, template }: PlacedRun): void {
    const where = `run ${run.id} (${run.source})`;
    const jobs = run.jobs.map((j) => jobProps(j, run));
    const rest: Record<string, unknown> = { ...runProps(run, template), ...jobTableProps(jobs), ingestedAt: new DateTimeValue(new Date().toISOString()) };
    delete rest.id;
    this.table('nodes', 'Run', ['id:ID(Run)']).add([run.id], rest, where);
    this.rel('HAS_RUN', 'Workflow', 'Run', run.workflow, run.id);
    this.rel('USES_TEMPLATE', 'Run', 'Template', run.id, template.id);
    const jobTable = this.table('nodes', 'Job', ['id:ID(Job)']);
    const ids: string[] = [];
    let conventional = true;
    for (const p of jobs) {
      const { id: jobId, ...others } = p as Record<string, unknown> & { id: string };
      jobTable.add([jobId], others, `${where}: job ${String(p.name)}`);
      this.rel('HAS_JOB', 'Run', 'Job', run.id, jobId);
      ids.push(jobId);
      if (jobId !== `${run.id}/${String(p.name)}`) conventional = false;
    }
    for (const [a, b] of run.edges) this.rel('FEEDS', 'Job', 'Job', ids[a] as string, ids[b] as string);
    this.templates.set(template.id, template);
    this.runs.set(run.id, {
      hash: run.contentHash,
      names: run.jobs.map((j) => j.name).join('\u0000'),
      jobIds: conventional ? null : ids.join('\u0000'),
      parent: run.parent,
      running: run.state === 'running',
    });
  }

  /** Writes templates, workflows and sub-workflow links; closes every file. */
  close(): ImportFiles {
    const byWorkflow = new Map<string, TemplateRef[]>();
    const templates = this.table('nodes', 'Template', ['id:ID(Template)']);
    for (const t of this.templates.values()) {
      const { id, ...rest } = templateProps(t) as Record<string, unknown> & { id: string };
      templates.add([id], rest, `template ${t.id} (${t.origin})`);
      this.rel('HAS_TEMPLATE', 'Workflow', 'Template', t.workflow, t.id);
      byWorkflow.set(t.workflow, [...(byWorkflow.get(t.workflow) ?? []), t]);
    }
    // The Workflow shows its newest template's size (as STORE_TEMPLATES sets it).
    const workflows = this.table('nodes', 'Workflow', ['name:ID(Workflow)']);
    for (const [name, list] of byWorkflow) {
      const newest = list.reduce((a, b) => (b.version > a.version ? b : a));
      workflows.add([name], { jobs: neo4j.int(newest.jobs.length), edges: neo4j.int(newest.edges.length), templates: neo4j.int(newest.version) }, `workflow ${name}`);
    }
    for (const [id, r] of this.runs) {
      if (!r.parent) continue;
      const p = this.runs.get(r.parent.runId);
      if (!p) continue;
      this.rel('SUBWORKFLOW_OF', 'Run', 'Run', id, r.parent.runId);
      const i = p.names.split('\u0000').indexOf(r.parent.jobName);
      if (i >= 0) this.rel('RUNS', 'Job', 'Run', p.jobIds ? (p.jobIds.split('\u0000')[i] as string) : `${r.parent.runId}/${r.parent.jobName}`, id);
    }
    const out: ImportFiles = { groups: [], multiline: false, nodes: 0, relationships: 0 };
    for (const t of this.tables.values()) {
      const g = t.close();
      if (!g) continue;
      out.groups.push(g);
      out.multiline ||= t.multiline;
      if (t.kind === 'nodes') out.nodes += t.rows;
      else out.relationships += t.rows;
    }
    return out;
  }
}
