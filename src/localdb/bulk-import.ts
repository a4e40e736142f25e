/**
 * Neo4j's bulk importer (`neo4j-admin database import full`, the org.neo4j:neo4j-import-tool classes
 * on the local server's classpath) run for the local server wfad manages, without ever leaving its
 * store half-written:
 *
 *   1. the importer writes a complete store into a staging home (`<home>/bulk-import/home`) while
 *      the server, whose store is empty, is stopped (ingest/bulk-ingest.ts);
 *   2. a READY marker is written only when the importer succeeded;
 *   3. with the server stopped, the staged `databases/neo4j` and `transactions/neo4j` are moved
 *      over the empty ones, the marker removed, the server started again.
 *
 * Killed anywhere: before READY the staging folder is discarded and the store is as it was (empty);
 * after it the move is finished (`recoverBulkImport`, run by every `server.start`), so the store is
 * complete. Each step of the move is idempotent.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { LocalServerConfig } from '../config';
import { WfadError } from '../errors';
import type { ImportFileGroup } from '../graph/bulk/csv-table';
import { ARRAY_DELIMITER } from '../graph/bulk/csv-table';
import { SERVER_CLASSPATH, SERVER_PROJECT, alive, javaBinary } from './server';

/** Whether the launcher build has the importer entry (builds from before it do not). */
export function importerBuilt(): boolean {
  return fs.existsSync(path.join(SERVER_PROJECT, 'target', 'classes', 'dev', 'wfad', 'neo4j', 'BulkImport.class'));
}

/** The store folders of the `neo4j` database, relative to a data folder. */
const STORE_PARTS = [path.join('databases', 'neo4j'), path.join('transactions', 'neo4j')];

export interface BulkStaging {
  root: string;
  /** The importer's input files. */
  csv: string;
  /** NEO4J_HOME of the importer: its data/ becomes the server's store. */
  home: string;
  ready: string;
}

export function bulkStaging(cfg: LocalServerConfig): BulkStaging {
  const root = path.join(cfg.home, 'bulk-import');
  return { root, csv: path.join(root, 'csv'), home: path.join(root, 'home'), ready: path.join(root, 'READY') };
}

/** The live process that owns a staging folder (an ingest importing now), or null. */
function liveOwner(s: BulkStaging): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(s.root, 'owner.pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Starts a staging folder afresh (a previous, interrupted import's files removed). Returns null
 * when another live ingest is importing into this home (the caller stores by transactions).
 */
export function prepareStaging(cfg: LocalServerConfig): BulkStaging | null {
  const s = bulkStaging(cfg);
  if (fs.existsSync(s.ready)) throw new WfadError('NEO4J_START_FAILED', `${s.ready} marks a finished bulk import not yet moved into the store; start the local server (wfad db start) to complete it`);
  if (liveOwner(s) !== null) return null;
  fs.rmSync(s.root, { recursive: true, force: true });
  fs.mkdirSync(s.csv, { recursive: true });
  fs.mkdirSync(path.join(s.home, 'conf'), { recursive: true });
  fs.writeFileSync(path.join(s.root, 'owner.pid'), String(process.pid));
  return s;
}

export interface ImporterInput {
  groups: ImportFileGroup[];
  multiline: boolean;
}

/**
 * Runs the importer into the staging home; resolves when it succeeded, with its last lines. Its
 * stage lines go to `log` as they come (long work shows progress).
 */
export async function runImporter(cfg: LocalServerConfig, s: BulkStaging, input: ImporterInput, log: (line: string) => void): Promise<void> {
  fs.writeFileSync(path.join(s.home, 'conf', 'neo4j.conf'), `# written by wfad ingest (bulk import); the store is moved into ${cfg.home} afterwards\nserver.memory.pagecache.size=${cfg.pagecache}\n`);
  const args = [
    `-Xmx${cfg.heap}`,
    '-cp',
    SERVER_CLASSPATH,
    'dev.wfad.neo4j.BulkImport',
    '--parent-pid',
    String(process.pid),
    'database',
    'import',
    'full',
    // The database first: the file-list options would take a trailing name as one more file.
    'neo4j',
    '--overwrite-destination=true',
    '--id-type=integer',
    `--array-delimiter=${ARRAY_DELIMITER}`,
    `--multiline-fields=${input.multiline}`,
    `--report-file=${path.join(s.root, 'import.report')}`,
    ...input.groups.flatMap((g) => g.files.map((f) => `--${g.kind}=${g.name}=${f}`)),
  ];
  const env = { ...process.env, NEO4J_HOME: s.home, NEO4J_CONF: path.join(s.home, 'conf') };
  const tail: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(javaBinary(), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        const l = line.trim();
        if (!l) continue;
        tail.push(l);
        if (tail.length > 30) tail.shift();
        // Stage headers and the final counts; the importer's dotted progress bars stay quiet.
        if (/^\(\d+\/\d+\)|IMPORT DONE|^Imported:|^\s*\d+ (nodes|relationships|properties)/.test(l)) log(`bulk import: ${l}`);
      }
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) {
    throw new WfadError('BAD_INPUT', `the bulk importer failed (exit ${code}); the store was not touched. Last lines:\n${tail.join('\n')}`);
  }
}

/** Marks the staged store complete: from here on it replaces the store, even after a kill. */
export function markReady(s: BulkStaging): void {
  const fd = fs.openSync(s.ready, 'w');
  fs.writeSync(fd, new Date().toISOString());
  fs.fsyncSync(fd);
  fs.closeSync(fd);
}

/**
 * With the server stopped: moves a staged store marked READY into place (idempotent: a move cut
 * short is finished), or discards a staging folder without the marker. Returns what it did.
 */
export function recoverBulkImport(cfg: LocalServerConfig): 'moved' | 'discarded' | 'none' {
  const s = bulkStaging(cfg);
  if (!fs.existsSync(s.root)) return 'none';
  if (!fs.existsSync(s.ready)) {
    // An import still running (its ingest alive) is left to finish; a dead one's files go.
    if (liveOwner(s) !== null) return 'none';
    fs.rmSync(s.root, { recursive: true, force: true });
    return 'discarded';
  }
  for (const part of STORE_PARTS) {
    const staged = path.join(s.home, 'data', part);
    const live = path.join(cfg.home, 'data', part);
    if (!fs.existsSync(staged)) continue; // moved by an earlier, interrupted call
    fs.rmSync(live, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(live), { recursive: true });
    fs.renameSync(staged, live);
  }
  fs.rmSync(s.ready);
  fs.rmSync(s.root, { recursive: true, force: true });
  return 'moved';
}
