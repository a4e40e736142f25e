/**
 * `wfad ingest`: discover files → parse and validate each (trace.ts) → write valid runs in
 * batched transactions (graph/runs.ts), two in flight so parsing overlaps Neo4j's work → summary.
 * Every file ends up either stored, unchanged (already stored with the same content) or rejected
 * with a reason.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WfadError } from '../errors';
import { isUnavailable, verify, type Graph } from '../graph/driver';
import { migrate } from '../graph/migrations';
import { upsertWorkflows, writeRunBatch, type BatchResult } from '../graph/runs';
import { discover } from './dataset';
import { loadTemplates, workflowFromTemplateFile, type DagTemplate } from './template';
import { parseRunFile, workflowOfFile, type ParsedRun, type Rejection } from './trace';

export interface IngestSummary {
  root: string;
  files: number;
  /** Files under the path that are not run files (.csv), relative to the root: not read. */
  ignoredFiles: string[];
  runsStored: number;
  runsUnchanged: number;
  rejected: Rejection[];
  jobs: number;
  edges: number;
  seconds: number;
  /** Files stored with whole optional columns absent, and the columns. */
  storedWithMissingColumns: Array<{ file: string; columns: string[] }>;
  derivedValues: number;
  sentinelValues: number;
  timings: { parseSeconds: number; writeSeconds: number };
}

export interface IngestOptions {
  /** Jobs per write transaction. */
  batchJobs?: number;
  /** Write transactions in flight at once. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export function templateHash(t: DagTemplate): string {
  return createHash('sha256').update(JSON.stringify({ jobs: t.jobs, edges: t.edges })).digest('hex').slice(0, 16);
}

export async function ingest(graph: Graph, target: string, opts: IngestOptions = {}): Promise<IngestSummary> {
  const t0 = performance.now();
  const batchJobs = opts.batchJobs ?? 5000;
  const concurrency = opts.concurrency ?? 2;
  const ds = discover(target);
  const { templates, errors } = loadTemplates(ds.templatesDir);
  const rel = (p: string): string => path.relative(ds.root, p) || path.basename(p);

  await verify(graph);
  await migrate(graph);
  const changed = await upsertWorkflows(graph, [...templates.values()].map((t) => ({ ...t, hash: templateHash(t) })));

  // A template that cannot be used is itself listed as rejected, and every run file of its
  // workflow is rejected naming it; other workflows are not affected.
  const rejected: Rejection[] = [];
  const badTemplates = new Map<string, string>();
  for (const e of errors) {
    const wf = workflowFromTemplateFile(e.file);
    const why = `${rel(e.file)}: ${e.reason}`;
    badTemplates.set(wf, badTemplates.has(wf) ? `${badTemplates.get(wf)}; ${why}` : why);
    rejected.push({ file: rel(e.file), code: 'BAD_TEMPLATE', reason: e.reason, workflow: wf });
  }
  for (const name of changed) {
    const file = rel((templates.get(name) as DagTemplate).file);
    const reason = 'the DAG template differs from the one the stored runs of this workflow were ingested with';
    badTemplates.set(name, `${file}: ${reason}`);
    rejected.push({ file, code: 'BAD_TEMPLATE', reason, workflow: name });
    templates.delete(name);
  }

  const templateRejections = rejected.length;
  const summary: IngestSummary = {
    root: ds.root,
    files: ds.files.length,
    ignoredFiles: ds.ignored.map(rel),
    runsStored: 0,
    runsUnchanged: 0,
    rejected,
    jobs: 0,
    edges: 0,
    seconds: 0,
    storedWithMissingColumns: [],
    derivedValues: 0,
    sentinelValues: 0,
    timings: { parseSeconds: 0, writeSeconds: 0 },
  };
  const edgesByWorkflow: Record<string, number[][]> = {};
  for (const t of templates.values()) edgesByWorkflow[t.workflow] = t.edges;

  const allNames = [...templates.keys(), ...badTemplates.keys()];
  const parseOne = (file: string, fileName: string, labelFolder: string): ParsedRun | Rejection => {
    const wf = workflowOfFile(fileName, allNames);
    const bad = wf === null ? undefined : badTemplates.get(wf);
    if (wf !== null && bad !== undefined) {
      return { file: rel(file), code: 'BAD_TEMPLATE', reason: `the DAG template of ${wf} is unusable: ${bad}`, workflow: wf, label: labelFolder };
    }
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      return { file: rel(file), code: 'EMPTY_FILE', reason: `cannot read: ${(err as Error).message}`, label: labelFolder };
    }
    return parseRunFile({ source: rel(file), labelFolder, fileName, bytes }, templates);
  };

  /**
   * One transaction for the batch; when Neo4j refuses it for a reason other than being down
   * (a constraint, a value it cannot store), each run is retried alone so that one bad run loses
   * only itself, and is rejected with Neo4j's error code.
   */
  const writeBatchOrEach = async (batch: ParsedRun[]): Promise<BatchResult> => {
    try {
      return await writeRunBatch(graph, batch, edgesByWorkflow);
    } catch (err) {
      if (isUnavailable(err)) throw err;
      const total: BatchResult = { stored: [], unchanged: [], conflicts: [], jobs: 0, edges: 0 };
      for (const run of batch) {
        try {
          const r = await writeRunBatch(graph, [run], edgesByWorkflow);
          total.stored.push(...r.stored);
          total.unchanged.push(...r.unchanged);
          total.conflicts.push(...r.conflicts);
          total.jobs += r.jobs;
          total.edges += r.edges;
        } catch (e) {
          if (isUnavailable(e)) throw e;
          const code = (e as { code?: unknown }).code;
          rejected.push({ file: run.source, code: 'STORE_FAILED', reason: `Neo4j refused to store the run (${typeof code === 'string' ? code : 'error'})`, workflow: run.workflow, label: run.label });
        }
      }
      return total;
    }
  };

  let done = 0;
  const inFlight = new Set<Promise<void>>();
  let writeBusy = 0;
  let writeStart = 0;
  const submit = async (batch: ParsedRun[]): Promise<void> => {
    if (writeBusy++ === 0) writeStart = performance.now();
    try {
      const res = await writeBatchOrEach(batch);
      summary.runsStored += res.stored.length;
      summary.runsUnchanged += res.unchanged.length;
      summary.jobs += res.jobs;
      summary.edges += res.edges;
      const byId = new Map(batch.map((r) => [r.id, r]));
      for (const id of [...res.stored, ...res.unchanged]) {
        const run = byId.get(id) as ParsedRun;
        if (run.missingColumns.length && res.stored.includes(id)) summary.storedWithMissingColumns.push({ file: run.source, columns: run.missingColumns });
        summary.derivedValues += res.stored.includes(id) ? run.derivedValues : 0;
        summary.sentinelValues += res.stored.includes(id) ? run.sentinelValues : 0;
      }
      for (const [id, hash] of res.conflicts) {
        const run = byId.get(id) as ParsedRun;
        rejected.push({
          file: run.source,
          code: 'CONFLICT',
          reason: `run ${id} is already stored with different content (stored ${hash.slice(0, 12)}, file ${run.contentHash.slice(0, 12)}); delete it first to replace it`,
          workflow: run.workflow,
          label: run.label,
        });
      }
      done += batch.length;
      opts.onProgress?.(done + rejected.length - templateRejections, ds.files.length);
    } finally {
      if (--writeBusy === 0) summary.timings.writeSeconds += (performance.now() - writeStart) / 1000;
    }
  };

  let batch: ParsedRun[] = [];
  let batchSize = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const p = submit(batch).finally(() => inFlight.delete(p));
    inFlight.add(p);
    batch = [];
    batchSize = 0;
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  };

  for (const file of ds.files) {
    const p0 = performance.now();
    const labelFolder = path.basename(path.dirname(file));
    const fileName = path.basename(file);
    const parsed = parseOne(file, fileName, labelFolder);
    summary.timings.parseSeconds += (performance.now() - p0) / 1000;
    if ('reason' in parsed) {
      rejected.push(parsed);
      opts.onProgress?.(done + rejected.length - templateRejections, ds.files.length);
      continue;
    }
    batch.push(parsed);
    batchSize += parsed.jobs.length;
    if (batchSize >= batchJobs) await flush();
  }
  await flush();
  await Promise.all(inFlight);
  summary.seconds = Number(((performance.now() - t0) / 1000).toFixed(3));
  summary.timings.parseSeconds = Number(summary.timings.parseSeconds.toFixed(3));
  summary.timings.writeSeconds = Number(summary.timings.writeSeconds.toFixed(3));
  return summary;
}

/** Exit status for the CLI: non-zero only when nothing could be stored. */
export function assertSomethingStored(s: IngestSummary): void {
  if (s.runsStored + s.runsUnchanged === 0) {
    throw new WfadError('NOTHING_STORED', s.files === 0 ? `no .csv run files found under ${s.root}` : `none of the ${s.files} files could be stored (all rejected)`);
  }
}
