/**
 * `wfad ingest`: a RunSource (source.ts; CSV traces: csv-source.ts) yields validated `SourceRun`s →
 * batched write transactions (graph/runs.ts), two in flight so reading overlaps Neo4j's work →
 * summary. Every run ends up stored, unchanged (already stored with the same content) or rejected
 * with a reason; everything read but not stored is listed (columns, files, folders).
 */
import fs from 'node:fs';
import path from 'node:path';
import { WfadError } from '../errors';
import { isUnavailable, verify, type Graph } from '../graph/driver';
import { migrate } from '../graph/migrations';
import { storeTemplates, storedSourceDigests, writeRunBatch, type BatchResult } from '../graph/runs';
import { TemplateCatalog } from '../graph/templates';
import { checkSourceRun } from './check-run';
import { openCsvSource, type CsvSourceOptions } from './csv-source';
import { isRejection, type Rejection } from './rejection';
import type { Derivation, SourceRun } from './run-shape';
import { parseRunJson, templateFromStored, type JsonRejection, type RunJson } from './run-json';
import { findDatasetRoot } from './dataset';
import { SUBMIT_DIR_NEEDS, looksLikeSubmitDirs, openPegasusSource, submitDirOfFile } from './pegasus';
import { isUnchanged, type RunSource } from './source';
import { chooseStorePath, managedLocalServer, type BulkSetting, type StorePath } from './store-path';
import { bulkNotPossible, finishBulk, moveInImportedStore, openBulk, type BulkRun } from './bulk-ingest';

export interface IngestSummary {
  root: string;
  files: number;
  /** Files under the path that are not run files (.csv), relative to the root: not read. */
  ignoredFiles: string[];
  /** Hidden entries and folders past the depth limit: not read. */
  skipped: Array<{ path: string; reason: string }>;
  runsStored: number;
  /** Ids of the runs this ingest stored (as the database counted them). */
  storedRunIds: string[];
  runsUnchanged: number;
  /** Of the stored runs, those that replaced an in-progress version of themselves (the run went on). */
  runsReplaced: string[];
  /** Stored runs by the source they were read from (csv traces, stampede-db, jobstate-log, …). */
  sources: Array<{ kind: string; runs: number; jobs: number; edges: number }>;
  /** Each stored run: what it was read from, and how it ended (`running`: stored in progress). */
  storedRuns: Array<{ id: string; kind: string; source: string; state: string }>;
  /** Of the stored runs, those with unknown truth. */
  runsUnlabelled: number;
  rejected: Rejection[];
  jobs: number;
  edges: number;
  seconds: number;
  /** Templates this ingest stored: new workflows and new versions of known ones. */
  newTemplates: Array<{ workflow: string; version: number; jobs: number; edges: number; origin: string }>;
  /** Files stored with whole optional columns absent, and the columns. */
  storedWithMissingColumns: Array<{ file: string; columns: string[] }>;
  /** Columns beyond the trace columns, stored as job properties. */
  extraColumns: Array<{ column: string; prop: string; runs: number }>;
  /** Columns read but not stored, with why. */
  unstoredColumns: Array<{ column: string; reason: string; runs: number }>;
  /** Values computed instead of read, by property and how, in stored runs. */
  derived: Derivation[];
  derivedValues: number;
  sentinelValues: number;
  /** What the user should know about stored runs (e.g. a folder that is not a label), with how many runs and one example. */
  notes: Array<{ note: string; runs: number; example: string }>;
  timings: { parseSeconds: number; writeSeconds: number };
  /** Which way the runs were stored (bulk importer or write transactions), and why (store-path.ts). */
  storePath: StorePath;
}

export interface IngestOptions extends CsvSourceOptions {
  /** Jobs per write transaction. */
  batchJobs?: number;
  /** Write transactions in flight at once. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** The bulk importer: `auto` (default) when the store is the empty local one and the input large, `always` when eligible, `never`. */
  bulk?: BulkSetting;
  /** Lines about long steps (the bulk importer's stages, a server restart). */
  log?: (line: string) => void;
}

/**
 * The source for a path: the layout found there. Pegasus submit directories (a stampede
 * database, jobstate.log or braindump at or below the path) are read as such; anything else as
 * CSV traces.
 */
export function openSource(target: string, opts: IngestOptions = {}): RunSource {
  assertKnownLayout(target, opts);
  if (looksLikeSubmitDirs(target)) {
    if (opts.templates?.length) throw new WfadError('BAD_INPUT', `--template names DAG files for CSV traces; ${target} holds Pegasus submit directories, whose runs carry their own DAG`);
    return openPegasusSource(target);
  }
  return openCsvSource(target, opts);
}

/**
 * BAD_INPUT unless `target` exists and is (or holds) one of the layouts `wfad ingest` reads: a trace
 * dataset (adjacency_list_dags/ here or above, or templates named with --template) or Pegasus
 * submit directories. The message names the path and what each layout needs. Reads only the
 * file system, so a wrong path is told before Neo4j is contacted.
 */
export function assertKnownLayout(target: string, opts: Pick<IngestOptions, 'templates'> = {}): void {
  const abs = path.resolve(target);
  const shown = abs === target ? target : `${target} (${abs})`;
  if (!fs.existsSync(abs)) throw new WfadError('BAD_INPUT', `${shown}: no such file or folder`);
  if (opts.templates?.length || findDatasetRoot(abs) !== null || looksLikeSubmitDirs(abs)) return;
  const isFile = fs.statSync(abs).isFile();
  const owner = isFile ? submitDirOfFile(abs) : null;
  const hint = owner ? ` ${path.basename(abs)} is a file of the submit directory ${owner}: ingest that folder (wfad ingest ${owner}).` : '';
  throw new WfadError(
    'BAD_INPUT',
    `${shown} is neither a trace dataset nor a Pegasus submit directory.${hint} ` +
      `A trace dataset needs an adjacency_list_dags/ folder at the path or above it (<root>/adjacency_list_dags/*.json + <root>/data/<label>/*.csv; or name templates with --template <workflow>=<file.json>). ` +
      `A Pegasus submit directory (the path itself or any folder below it) needs ${SUBMIT_DIR_NEEDS}; a *.stampede.db file can also be given by itself.`,
  );
}

/**
 * Reads `target` and stores its runs, by the bulk importer when the store is the empty local one
 * (store-path.ts), else by write transactions. Input the importer cannot carry exactly is stored
 * by transactions instead, and the summary says so.
 */
export async function ingest(graph: Graph, target: string, opts: IngestOptions = {}): Promise<IngestSummary> {
  assertKnownLayout(target, opts);
  await verify(graph);
  const managed = managedLocalServer();
  // An earlier bulk ingest killed after its importer succeeded: its complete store goes in first.
  if (managed && (await moveInImportedStore(managed, opts.log ?? (() => undefined)))) await migrate(graph);
  const source = openSource(target, opts);
  const { choice, local } = await chooseStorePath(graph, source.total, opts.bulk ?? 'auto');
  if (choice.path === 'transactional' || !local) return ingestSource(graph, source, opts, choice);
  try {
    return await ingestSource(graph, source, opts, choice, local);
  } catch (err) {
    const why = bulkNotPossible(err);
    if (why === null) throw err;
    opts.log?.(`bulk import not possible (${why}); storing with write transactions instead`);
    return ingestSource(graph, openSource(target, opts), opts, { path: 'transactional', reason: `the bulk importer could not be used: ${why}` });
  }
}

function countInto<K>(map: Map<string, K & { runs: number }>, key: string, make: () => K): void {
  const e = map.get(key);
  if (e) e.runs++;
  else map.set(key, { ...make(), runs: 1 });
}

export async function ingestSource(
  graph: Graph,
  source: RunSource,
  opts: IngestOptions = {},
  storePath: StorePath = { path: 'transactional', reason: 'write transactions asked for' },
  local: BulkRun['cfg'] | null = null,
): Promise<IngestSummary> {
  const t0 = performance.now();
  const batchJobs = opts.batchJobs ?? 5000;
  if (!Number.isInteger(batchJobs) || batchJobs < 1) throw new WfadError('BAD_INPUT', `batch size ${batchJobs}: jobs per transaction must be a positive integer`);
  const concurrency = opts.concurrency ?? 2;

  await verify(graph);
  await migrate(graph);
  const catalog = await TemplateCatalog.load(graph);
  const before = new Set(catalog.workflows().flatMap((w) => catalog.versions(w).map((t) => t.id)));
  const bulk = storePath.path === 'bulk' && local ? openBulk(local, catalog, source) : null;
  const sourceTemplates = source.templates.map((t) => catalog.ensure(t.workflow, t.jobs, t.edges, t.origin));
  if (bulk) bulk.files.addTemplates(sourceTemplates);
  // Templates already stored are left as they are: no write transaction when nothing is new.
  else await storeTemplates(graph, sourceTemplates.filter((t) => !before.has(t.id)));

  const rejected: Rejection[] = [...source.rejected];
  const summary: IngestSummary = {
    root: source.root,
    files: source.total,
    ignoredFiles: source.ignoredFiles,
    skipped: source.skipped,
    runsStored: 0,
    storedRunIds: [],
    runsUnchanged: 0,
    runsReplaced: [],
    sources: [],
    storedRuns: [],
    runsUnlabelled: 0,
    rejected,
    jobs: 0,
    edges: 0,
    seconds: 0,
    newTemplates: [],
    storedWithMissingColumns: [],
    extraColumns: [],
    unstoredColumns: [],
    derived: [],
    derivedValues: 0,
    sentinelValues: 0,
    notes: [],
    timings: { parseSeconds: 0, writeSeconds: 0 },
    storePath,
  };
  const extra = new Map<string, { column: string; prop: string; runs: number }>();
  const unstored = new Map<string, { column: string; reason: string; runs: number }>();
  const derived = new Map<string, Derivation>();
  const notes = new Map<string, { note: string; runs: number; example: string }>();
  let runsRejected = 0;

  const rejectRun = (r: Rejection): void => {
    rejected.push(r);
    runsRejected++;
  };

  /**
   * One transaction for the batch; when Neo4j refuses it for a reason other than being down
   * (a constraint, a value it cannot store), each run is retried alone so that one bad run loses
   * only itself, and is rejected with Neo4j's error code.
   */
  const writeBatchOrEach = async (batch: SourceRun[]): Promise<BatchResult> => {
    // Into the importer's files: decided as a transaction on an empty store would decide.
    if (bulk) return bulk.files.addBatch(batch);
    try {
      return await writeRunBatch(graph, batch, catalog);
    } catch (err) {
      if (isUnavailable(err)) throw err;
      const total: BatchResult = { stored: [], unchanged: [], conflicts: [], replaced: [], jobs: 0, edges: 0 };
      for (const run of batch) {
        try {
          const r = await writeRunBatch(graph, [run], catalog);
          total.stored.push(...r.stored);
          total.unchanged.push(...r.unchanged);
          total.conflicts.push(...r.conflicts);
          total.replaced.push(...r.replaced);
          total.jobs += r.jobs;
          total.edges += r.edges;
        } catch (e) {
          if (isUnavailable(e)) throw e;
          const code = (e as { code?: unknown }).code;
          rejectRun({ file: run.source, code: 'STORE_FAILED', reason: `Neo4j refused to store the run (${typeof code === 'string' ? code : 'error'})`, workflow: run.workflow, ...(run.truth ? { label: run.truth.label } : {}) });
        }
      }
      return total;
    }
  };

  const bySource = new Map<string, { kind: string; runs: number; jobs: number; edges: number }>();
  const recordStored = (run: SourceRun): void => {
    const k = bySource.get(run.kind) ?? { kind: run.kind, runs: 0, jobs: 0, edges: 0 };
    bySource.set(run.kind, k);
    k.runs++;
    k.jobs += run.jobs.length;
    k.edges += run.edges.length;
    summary.storedRuns.push({ id: run.id, kind: run.kind, source: run.source, state: run.state });
    if (run.missingColumns.length) summary.storedWithMissingColumns.push({ file: run.source, columns: run.missingColumns });
    if (run.truth === null) summary.runsUnlabelled++;
    summary.sentinelValues += run.sentinelValues;
    for (const d of run.derived) {
      const k = `${d.prop}|${d.how}`;
      const e = derived.get(k);
      if (e) e.count += d.count;
      else derived.set(k, { ...d });
      summary.derivedValues += d.count;
    }
    for (const c of run.extraColumns ?? []) countInto(extra, c.column, () => ({ column: c.column, prop: c.prop }));
    for (const c of run.unstoredColumns) countInto(unstored, `${c.column}|${c.reason}`, () => ({ column: c.column, reason: c.reason }));
    for (const n of run.notes ?? []) countInto(notes, n, () => ({ note: n, example: run.source }));
  };

  let done = 0;
  const inFlight = new Set<Promise<void>>();
  let writeBusy = 0;
  let writeStart = 0;
  const submit = async (batch: SourceRun[]): Promise<void> => {
    if (writeBusy++ === 0) writeStart = performance.now();
    try {
      const res = await writeBatchOrEach(batch);
      summary.runsStored += res.stored.length;
      summary.storedRunIds.push(...res.stored);
      summary.runsUnchanged += res.unchanged.length;
      summary.runsReplaced.push(...res.replaced);
      summary.jobs += res.jobs;
      summary.edges += res.edges;
      const byId = new Map(batch.map((r) => [r.id, r]));
      for (const id of res.stored) recordStored(byId.get(id) as SourceRun);
      for (const [id, hash] of res.conflicts) {
        const run = byId.get(id) as SourceRun;
        rejectRun({
          file: run.source,
          code: 'CONFLICT',
          reason: `run ${id} is already stored with different content (stored ${hash.slice(0, 12)}, new ${run.contentHash.slice(0, 12)}); to replace it, delete it first (wfad delete ${id} --yes)`,
          workflow: run.workflow,
          ...(run.truth ? { label: run.truth.label } : {}),
        });
      }
      done += res.stored.length + res.unchanged.length;
      opts.onProgress?.(done + runsRejected, source.total);
    } finally {
      if (--writeBusy === 0) summary.timings.writeSeconds += (performance.now() - writeStart) / 1000;
    }
  };

  let batch: SourceRun[] = [];
  let batchSize = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const p = submit(batch).finally(() => inFlight.delete(p));
    inFlight.add(p);
    batch = [];
    batchSize = 0;
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  };

  // Inputs stored exactly as they are now are recognised before parsing (re-ingest reads, hashes, skips).
  const stored = source.digests ? await storedSourceDigests(graph) : undefined;
  let p0 = performance.now();
  try {
    for await (const raw of bulk?.read ? bulk.read(stored) : source.runs(stored)) {
      if (isUnchanged(raw)) {
        summary.runsUnchanged++;
        done++;
        opts.onProgress?.(done + runsRejected, source.total);
        p0 = performance.now();
        continue;
      }
      const item = isRejection(raw) ? raw : (checkSourceRun(raw) ?? raw);
      summary.timings.parseSeconds += (performance.now() - p0) / 1000;
      if (isRejection(item)) {
        rejectRun(item);
        opts.onProgress?.(done + runsRejected, source.total);
      } else {
        // A sub-workflow's parent in the same batch is written first (graph/runs.ts), one in an
        // earlier batch is already stored; so the batch boundary needs no care here.
        batch.push(item);
        batchSize += item.jobs.length;
        if (batchSize >= batchJobs) await flush();
      }
      p0 = performance.now();
    }
    await flush();
    await Promise.all(inFlight);
    if (bulk) {
      const w0 = performance.now();
      await finishBulk(graph, bulk, opts.log ?? (() => undefined));
      summary.timings.writeSeconds += (performance.now() - w0) / 1000;
    }
  } finally {
    bulk?.discard();
  }
  // A source may learn its total while reading (a database holding several workflows).
  summary.files = source.total;

  for (const w of catalog.workflows()) {
    for (const t of catalog.versions(w)) {
      if (!before.has(t.id)) summary.newTemplates.push({ workflow: w, version: t.version, jobs: t.jobs.length, edges: t.edges.length, origin: t.origin });
    }
  }
  summary.sources = [...bySource.values()];
  summary.extraColumns = [...extra.values()];
  summary.unstoredColumns = [...unstored.values()];
  summary.derived = [...derived.values()];
  summary.notes = [...notes.values()];
  summary.seconds = Number(((performance.now() - t0) / 1000).toFixed(3));
  summary.timings.parseSeconds = Number(summary.timings.parseSeconds.toFixed(3));
  summary.timings.writeSeconds = Number(summary.timings.writeSeconds.toFixed(3));
  return summary;
}

/** Exit status for the CLI: non-zero only when nothing could be stored. */
export function assertSomethingStored(s: IngestSummary): void {
  if (s.runsStored + s.runsUnchanged === 0) {
    throw new WfadError('NOTHING_STORED', s.files === 0 ? `no run files found under ${s.root}` : `none of the ${s.files} files could be stored (all rejected)`);
  }
}

export interface PushedRunResult {
  /** The run's id (stored now or before). */
  runId: string;
  /** Ids of the runs this call stored: [runId], or [] when the same run was already stored. */
  storedRunIds: string[];
  /** The template version the run was stored under, and whether this call created it. */
  template: { id: string; version: number; created: boolean };
}

/**
 * One pushed run (API ingestRun, live monitors): validated like a file, stored in one transaction.
 * Throws nothing for bad input: returns the rejection (CONFLICT included) for the caller to name.
 */
export async function ingestPushedRun(graph: Graph, input: RunJson): Promise<PushedRunResult | JsonRejection> {
  const catalog = await TemplateCatalog.load(graph, [input.workflow]);
  const stored = catalog.versions(input.workflow).map((t) => templateFromStored(t.workflow, t.jobs, t.edges.flat()));
  const parsed = parseRunJson(input, stored);
  if ('reason' in parsed) return parsed;
  const bad = checkSourceRun(parsed);
  if (bad) return bad;
  const known = new Set(catalog.versions(input.workflow).map((t) => t.id));
  const res = await writeRunBatch(graph, [parsed], catalog);
  if (res.conflicts.length) {
    return { file: parsed.source, code: 'CONFLICT', workflow: parsed.workflow, reason: `run ${parsed.id} is already stored with different content; to replace it, delete it first (wfad delete ${parsed.id} --yes, or the deleteRun mutation)` };
  }
  const t = catalog.place(parsed).template;
  return { runId: parsed.id, storedRunIds: res.stored, template: { id: t.id, version: t.version, created: !known.has(t.id) && res.stored.length > 0 } };
}
