/**
 * The bulk path's reading and CSV formatting on worker threads, the ingest's own thread keeping
 * every decision (graph/bulk/run-files.ts: which runs are stored, import ids, templates).
 *
 *   reader thread                              worker k (of W; file i goes to worker i mod W)
 *   ─────────────                              ─────────────────────────────────────────────
 *   sends file i ─────────────────────────────▶ reads, parses, checks it; keeps the run,
 *   yields results in file order ◀───────────── answers its outline (the run without job values)
 *   decides (stored? ids? template order?) ───▶ formats the kept run into its own files
 *                                               (`nodes-Job-w1-0.csv`, …: the importer takes
 *                                               any number of files per label, each with a header)
 *
 * A source without `parallel` (one that cannot be read elsewhere) is read here and its runs sent
 * whole to be formatted. Memory stays bounded: a few thousand jobs per worker are read ahead of
 * the reader, and as many wait per worker to be formatted (the reader waits beyond that,
 * `QUEUED_JOBS`). A worker's failure is thrown to the reader at its next step or at `close`.
 */
import fs from 'node:fs';
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { BadConfigError } from '../errors';
import { UnrepresentableValue } from '../graph/bulk/csv-table';
import { RunRowTables, type DecidedRun, type RowWriter, type WrittenRows } from '../graph/bulk/run-rows';
import { checkSourceRun } from './check-run';
import { isRejection } from './rejection';
import type { SourceJob, SourceRun } from './run-shape';
import { isUnchanged, type RunSource, type SourceItem } from './source';

/**
 * Jobs per worker waiting to be formatted (a run always goes to an idle worker) and, roughly, read
 * ahead of the reader: bounds the memory runs hold (~1.5 KB a job) whatever their size, while
 * small runs (tens of jobs) still go by the hundred rather than in lock-step.
 */
const QUEUED_JOBS = 8000;
/** Files read ahead per worker: 2 until the runs' size is known, then about QUEUED_JOBS worth, at most 64. */
const READ_AHEAD = { first: 2, max: 64 };

/**
 * A young generation larger than V8's default for the workers: parsing and formatting make
 * short-lived strings by the million, and with the default a third of their time went to scavenges.
 */
const YOUNG_GENERATION_MB = 96;

/** Worker threads: `WFAD_BULK_WORKERS` (0 = all on the ingest's thread), else one per core, at most 2. */
export function bulkWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.WFAD_BULK_WORKERS;
  if (v === undefined || v === '') return Math.min(2, os.availableParallelism());
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 16) throw new BadConfigError(`WFAD_BULK_WORKERS=${JSON.stringify(v)} is not a thread count (an integer from 0 to 16)`);
  return n;
}

/** Whether this build can start workers (its modules are compiled JavaScript files). */
export function workersAvailable(): boolean {
  return __filename.endsWith('.js') && fs.existsSync(__filename);
}

/** A run as a worker answers it: job identities only (what deciding needs); the values stay there. */
function outline(run: SourceRun): SourceRun {
  return { ...run, jobs: run.jobs.map((j) => ({ id: j.id, runId: j.runId, name: j.name, template: j.template, index: j.index }) as SourceJob) };
}

/** How a kept run is placed: its jobs' positions in the read run, template names, the template's edges. */
interface Reorder {
  from: number[];
  template: string[];
  edges: Array<[number, number]>;
}

type FormatRun = Omit<DecidedRun, 'run' | 'read'>;
type ToWorker =
  | { type: 'stored'; digests: string[] }
  | { type: 'read'; index: number }
  | { type: 'format'; index: number; decided: FormatRun; reorder: Reorder | null }
  | { type: 'format-run'; decided: Omit<DecidedRun, 'read'> }
  | { type: 'skip'; index: number }
  | { type: 'close' };
type FromWorker = { type: 'item'; index: number; item: SourceItem } | { type: 'done'; jobs: number } | { type: 'closed'; rows: WrittenRows } | { type: 'error'; message: string; where: string | null };

interface WorkerData {
  wfadBulkWorker: true;
  dir: string;
  tag: string;
  parallel: RunSource['parallel'] | null;
}

interface Slot {
  worker: Worker;
  /** Jobs of the runs sent to be formatted and not yet done. */
  queued: number;
  closed: Promise<WrittenRows>;
}

export class BulkWorkers implements RowWriter {
  private readonly slots: Slot[];
  private failure: Error | null = null;
  /** Waiting readers, woken by any answer (or failure). */
  private waiting: Array<() => void> = [];
  /** Answers not yet yielded, by file index. */
  private readonly items = new Map<number, SourceItem>();
  /** Runs read by a worker: which file they came from (their worker is index mod W). */
  private readonly held = new WeakMap<SourceRun, number>();

  constructor(
    dir: string,
    workers: number,
    private readonly parallel: RunSource['parallel'] | null,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.slots = Array.from({ length: workers }, (_, i) => this.startWorker(dir, i));
  }

  private startWorker(dir: string, i: number): Slot {
    const data: WorkerData = { wfadBulkWorker: true, dir, tag: `w${i}`, parallel: this.parallel };
    const worker = new Worker(__filename, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    let closedOk: (rows: WrittenRows) => void = () => undefined;
    let closedFailed: (err: Error) => void = () => undefined;
    const slot: Slot = {
      worker,
      queued: 0,
      closed: new Promise<WrittenRows>((ok, fail) => {
        closedOk = ok;
        closedFailed = fail;
      }),
    };
    // Observed here: a failure nobody awaits yet must not end the process.
    slot.closed.catch(() => undefined);
    const fail = (err: Error): void => {
      this.failure ??= err;
      closedFailed(this.failure);
      this.wake();
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'item') {
        this.items.set(m.index, m.item);
        this.wake();
      } else if (m.type === 'done') {
        slot.queued -= m.jobs;
        this.wake();
      } else if (m.type === 'closed') closedOk(m.rows);
      else fail(m.where !== null ? new UnrepresentableValue(m.where) : new Error(m.message));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a bulk ingest worker thread ended (exit ${code}) before closing its files`)));
    return slot;
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const f of w) f();
  }

  private async next(): Promise<void> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.failure) throw this.failure;
  }

  private slotOf(index: number): Slot {
    return this.slots[index % this.slots.length] as Slot;
  }

  /** The source's items, read by the workers, in the source's order (needs `parallel`). */
  async *read(stored?: ReadonlySet<string>): AsyncGenerator<SourceItem> {
    const n = this.parallel?.items.length ?? 0;
    // The stored digests go to each worker once, not with every file.
    if (stored && stored.size) {
      const digests = [...stored];
      for (const s of this.slots) s.worker.postMessage({ type: 'stored', digests } satisfies ToWorker);
    }
    let sent = 0;
    let ahead = READ_AHEAD.first;
    let runs = 0;
    let jobs = 0;
    for (let i = 0; i < n; i++) {
      for (; sent < n && sent < i + ahead * this.slots.length; sent++) {
        this.slotOf(sent).worker.postMessage({ type: 'read', index: sent } satisfies ToWorker);
      }
      while (!this.items.has(i)) await this.next();
      const item = this.items.get(i) as SourceItem;
      this.items.delete(i);
      if (!isRejection(item) && !isUnchanged(item)) {
        this.held.set(item, i);
        runs++;
        jobs += item.jobs.length;
        ahead = Math.max(READ_AHEAD.first, Math.min(READ_AHEAD.max, Math.floor((QUEUED_JOBS * runs) / Math.max(jobs, 1))));
      }
      yield item;
    }
  }

  async add(d: DecidedRun): Promise<void> {
    const index = this.held.get(d.read);
    const slot = index === undefined ? (this.slots.reduce((a, b) => (b.queued < a.queued ? b : a)) as Slot) : this.slotOf(index);
    const jobs = d.run.jobs.length;
    while (slot.queued > 0 && slot.queued + jobs > QUEUED_JOBS) await this.next();
    if (this.failure) throw this.failure;
    slot.queued += jobs;
    const { run, read, ...decided } = d;
    if (index === undefined) {
      slot.worker.postMessage({ type: 'format-run', decided: { ...decided, run } } satisfies ToWorker);
      return;
    }
    this.held.delete(read);
    let reorder: Reorder | null = null;
    if (run !== read) {
      const pos = new Map(read.jobs.map((j, i) => [j.name, i]));
      reorder = { from: run.jobs.map((j) => pos.get(j.name) as number), template: run.jobs.map((j) => j.template), edges: run.edges };
    }
    slot.worker.postMessage({ type: 'format', index, decided, reorder } satisfies ToWorker);
  }

  skip(read: SourceRun): void {
    const index = this.held.get(read);
    if (index === undefined) return;
    this.held.delete(read);
    this.slotOf(index).worker.postMessage({ type: 'skip', index } satisfies ToWorker);
  }

  async close(): Promise<WrittenRows> {
    if (this.failure) throw this.failure;
    for (const s of this.slots) s.worker.postMessage({ type: 'close' } satisfies ToWorker);
    try {
      const parts = await Promise.all(this.slots.map((s) => s.closed));
      return {
        groups: parts.flatMap((p) => p.groups),
        multiline: parts.some((p) => p.multiline),
        nodes: parts.reduce((a, p) => a + p.nodes, 0),
        relationships: parts.reduce((a, p) => a + p.relationships, 0),
      };
    } finally {
      this.discard();
    }
  }

  discard(): void {
    for (const s of this.slots) {
      s.worker.removeAllListeners('exit');
      void s.worker.terminate();
    }
  }
}

/** A worker's side: reads the files it is sent, formats the runs it is told to, in message order. */
function serve(data: WorkerData): void {
  const port = parentPort as NonNullable<typeof parentPort>;
  const tables = new RunRowTables(data.dir, data.tag);
  const reader = data.parallel ? (require(data.parallel.module) as { readSourceItem(ctx: unknown, item: unknown, stored?: ReadonlySet<string>): SourceItem }) : null;
  const kept = new Map<number, SourceRun>();
  let stored: ReadonlySet<string> | undefined;
  let failed = false;
  port.on('message', (m: ToWorker) => {
    if (failed) return;
    try {
      if (m.type === 'stored') stored = new Set(m.digests);
      else if (m.type === 'read') {
        const par = data.parallel as NonNullable<WorkerData['parallel']>;
        const raw = (reader as NonNullable<typeof reader>).readSourceItem(par.context, par.items[m.index], stored);
        const item = isRejection(raw) || isUnchanged(raw) ? raw : (checkSourceRun(raw) ?? raw);
        if (isRejection(item) || isUnchanged(item)) port.postMessage({ type: 'item', index: m.index, item } satisfies FromWorker);
        else {
          kept.set(m.index, item);
          port.postMessage({ type: 'item', index: m.index, item: outline(item) } satisfies FromWorker);
        }
      } else if (m.type === 'format') {
        const read = kept.get(m.index) as SourceRun;
        kept.delete(m.index);
        let run = read;
        if (m.reorder) {
          const { from, template, edges } = m.reorder;
          run = { ...read, jobs: from.map((i, p) => ({ ...(read.jobs[i] as SourceJob), index: p, template: template[p] as string })), edges };
        }
        tables.add({ ...m.decided, run });
        port.postMessage({ type: 'done', jobs: run.jobs.length } satisfies FromWorker);
      } else if (m.type === 'format-run') {
        tables.add(m.decided);
        port.postMessage({ type: 'done', jobs: m.decided.run.jobs.length } satisfies FromWorker);
      } else if (m.type === 'skip') kept.delete(m.index);
      else port.postMessage({ type: 'closed', rows: tables.close() } satisfies FromWorker);
    } catch (err) {
      failed = true;
      port.postMessage({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err), where: err instanceof UnrepresentableValue ? err.where : null } satisfies FromWorker);
    }
  });
}

if (!isMainThread && (workerData as Partial<WorkerData> | null)?.wfadBulkWorker === true) serve(workerData as WorkerData);
