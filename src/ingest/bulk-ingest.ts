/**
 * The bulk path's two ends around the ingest loop (pipeline.ts): `openBulk` gives the importer's
 * input files (graph/bulk/run-files.ts) in a fresh staging folder; `finishBulk` runs the importer,
 * moves its store in with the local server stopped, starts the server again and applies the schema
 * migrations, exactly as the transactional path leaves the store. The server is stopped while the
 * importer runs. Killed at any point, the store is empty (as before) or complete
 * (localdb/bulk-import.ts).
 */
import fs from 'node:fs';
import type { LocalServerConfig } from '../config';
import { WfadError } from '../errors';
import type { Graph } from '../graph/driver';
import { migrate } from '../graph/migrations';
import { UnrepresentableValue } from '../graph/bulk/csv-table';
import { BulkRunFiles } from '../graph/bulk/run-files';
import { nodesBeyondSchema } from '../graph/bulk/store-empty';
import type { TemplateCatalog } from '../graph/templates';
import { BulkWorkers, bulkWorkerCount, workersAvailable } from './bulk-workers';
import type { RunSource, SourceItem } from './source';
import { bulkStaging, markReady, prepareStaging, recoverBulkImport, runImporter, type BulkStaging } from '../localdb/bulk-import';
import { start, startOptionsOf, status, stop, type StartOptions } from '../localdb/server';

export interface BulkRun {
  cfg: LocalServerConfig;
  staging: BulkStaging;
  files: BulkRunFiles;
  /**
   * The source's items read by worker threads (in order; their rows formatted there too), or null:
   * the caller reads the source itself.
   */
  read: ((stored?: ReadonlySet<string>) => AsyncIterable<SourceItem>) | null;
  /** When reading began (performance.now()). */
  started: number;
  /** Removes the staging folder unless its store is marked complete (then the next start moves it in). */
  discard(): void;
}

/** The bulk path cannot store this input as the transactional path would: the input goes by transactions. */
export class BulkNotPossible extends WfadError {
  constructor(message: string) {
    super('BAD_INPUT', message);
    this.name = 'BulkNotPossible';
  }
}

/** Why the bulk path gave way to transactions, or null when `err` is another failure. */
export function bulkNotPossible(err: unknown): string | null {
  if (err instanceof UnrepresentableValue || err instanceof BulkNotPossible) return err.message;
  return null;
}

/** `source`: read by worker threads when it can be (`parallel`) and the build allows (bulk-workers.ts). */
export function openBulk(cfg: LocalServerConfig, catalog: TemplateCatalog, source: RunSource): BulkRun {
  const n = workersAvailable() ? bulkWorkerCount() : 0;
  const staging = prepareStaging(cfg);
  if (!staging) throw new BulkNotPossible(`another ingest is bulk-importing into ${cfg.home}`);
  const workers = n > 0 ? new BulkWorkers(staging.csv, n, source.parallel ?? null) : null;
  const files = new BulkRunFiles(staging.csv, catalog, workers ?? undefined);
  return {
    cfg,
    staging,
    files,
    read: workers && source.parallel ? (stored) => workers.read(stored) : null,
    started: performance.now(),
    discard: () => {
      files.discard();
      if (!fs.existsSync(staging.ready)) fs.rmSync(staging.root, { recursive: true, force: true });
    },
  };
}

/**
 * Stops the local server, moves a complete imported store (marked READY) in, starts the server
 * again as it was started (its watched parent kept). Also finishes an import whose ingest was
 * killed after the importer succeeded: the next ingest calls it first.
 */
export async function moveInImportedStore(cfg: LocalServerConfig, log: (line: string) => void): Promise<boolean> {
  if (!fs.existsSync(bulkStaging(cfg).ready)) return false;
  const restart = startOptionsOf(cfg);
  const wasRunning = (await status(cfg)).running;
  log(`bulk import: stopping the local server to move the imported store into ${cfg.home}`);
  await stop(cfg);
  await moveInStopped(cfg, wasRunning ? restart : null, log);
  return true;
}

/** With the server stopped: moves the imported store in, then starts the server again when `restart` is given. */
async function moveInStopped(cfg: LocalServerConfig, restart: StartOptions | null, log: (line: string) => void): Promise<void> {
  log(`bulk import: moving the imported store into ${cfg.home}`);
  recoverBulkImport(cfg);
  log('bulk import: store moved in');
  if (restart) {
    await start(cfg, log, restart);
    log('bulk import: server started on the imported store');
  }
}

export async function finishBulk(graph: Graph, bulk: BulkRun, log: (line: string) => void): Promise<void> {
  let t = bulk.started;
  const lap = (): string => {
    const s = ((performance.now() - t) / 1000).toFixed(1);
    t = performance.now();
    return `${s} s`;
  };
  const files = await bulk.files.close();
  log(`bulk import: ${files.nodes} nodes, ${files.relationships} relationships in ${files.groups.reduce((a, g) => a + g.files.length, 0)} files, read and written in ${lap()}; running Neo4j's importer into ${bulk.staging.home}`);
  // Someone may have written to the server meanwhile: its data would be lost by the move.
  const n = await nodesBeyondSchema(graph);
  if (n > 0) throw new BulkNotPossible(`the store received ${n} nodes while the runs were read`);
  // The server's store is empty and about to be replaced: it is stopped while the importer runs
  // (the stop's wait overlaps the import, and nothing can be written meanwhile).
  const cfg = bulk.cfg;
  const restart = startOptionsOf(cfg);
  const wasRunning = (await status(cfg)).running;
  log(`bulk import: stopping the local server while the importer runs`);
  // Its failure is held until the importer is done (a rejection nobody awaits yet would end the process).
  const stopped = stop(cfg).then(
    () => null,
    (err: unknown) => err,
  );
  try {
    await runImporter(cfg, bulk.staging, files, log);
  } catch (err) {
    await stopped;
    if (wasRunning) await start(cfg, log, restart);
    throw new BulkNotPossible(err instanceof Error ? err.message : String(err));
  }
  const stopFailed = await stopped;
  if (stopFailed) throw stopFailed;
  log(`bulk import: importer done (${lap()})`);
  fs.rmSync(bulk.staging.csv, { recursive: true, force: true });
  markReady(bulk.staging);
  await moveInStopped(cfg, wasRunning ? restart : null, (line) => log(`${line} (${lap()})`));
  await migrate(graph, undefined, { together: true });
  log(`bulk import: schema applied (${lap()})`);
}
