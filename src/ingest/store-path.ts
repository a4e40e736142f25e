/**
 * Which way an ingest stores its runs, and why:
 *
 *   bulk           Neo4j's bulk importer (localdb/bulk-import.ts) — for the local server wfad
 *                  manages, when its store is empty and the input is large;
 *   transactional  write transactions (graph/runs.ts) — everywhere else: a remote NEO4J_URI, a
 *                  store that already holds runs, a small input, or `--no-bulk`.
 *
 * Both store the same graph; the bulk importer is faster on a large input (it writes store files
 * directly instead of committing transactions) but needs the database offline and empty.
 */
import { neo4jConnection, localServerConfig, type LocalServerConfig } from '../config';
import { BadConfigError } from '../errors';
import type { Graph } from '../graph/driver';
import { nodesBeyondSchema } from '../graph/bulk/store-empty';
import { status } from '../localdb/server';
import { importerBuilt } from '../localdb/bulk-import';

export type StorePathKind = 'bulk' | 'transactional';

export interface StorePath {
  path: StorePathKind;
  reason: string;
}

/** `auto`: bulk when eligible and the input is large; `always`: bulk when eligible, whatever the size; `never`: transactional. */
export type BulkSetting = 'auto' | 'always' | 'never';

/** Runs (files, submit dirs) from which `auto` takes the bulk path: below it the importer's fixed cost (~20 s) outweighs its speed. */
export function bulkMinRuns(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WFAD_BULK_MIN_RUNS;
  if (raw === undefined || raw === '') return 500;
  const n = Number(raw);
  // A typo must not silently change which path every large ingest takes.
  if (!Number.isInteger(n) || n < 0) throw new BadConfigError(`WFAD_BULK_MIN_RUNS=${JSON.stringify(raw)} is not a run count (an integer, 0 or more)`);
  return n;
}

/** The local server config when the configured connection is that server (bolt to its port on this machine, default database). */
export function managedLocalServer(env: NodeJS.ProcessEnv = process.env): LocalServerConfig | null {
  const cfg = localServerConfig(env);
  const conn = neo4jConnection(env);
  const m = /^(bolt|neo4j):\/\/(127\.0\.0\.1|localhost)(?::(\d+))?\/?$/.exec(conn.uri);
  if (!m || Number(m[3] ?? 7687) !== cfg.port || conn.database !== 'neo4j') return null;
  return cfg;
}

export async function chooseStorePath(graph: Graph, runs: number, setting: BulkSetting, env: NodeJS.ProcessEnv = process.env): Promise<{ choice: StorePath; local: LocalServerConfig | null }> {
  const tx = (reason: string): { choice: StorePath; local: null } => ({ choice: { path: 'transactional', reason }, local: null });
  if (setting === 'never') return tx('write transactions asked for (--no-bulk)');
  const local = managedLocalServer(env);
  if (!local) return tx(`${neo4jConnection(env).uri} is not the local server wfad manages (the bulk importer needs to take the database offline)`);
  if (!importerBuilt()) return tx('the local server was built without the bulk importer entry (run wfad db build)');
  const st = await status(local);
  if (!st.running) return tx(`the local server under ${local.home} was not started by wfad (no live server.pid)`);
  const n = await nodesBeyondSchema(graph);
  if (n > 0) return tx(`the store already holds ${n} nodes (the bulk importer only fills an empty store)`);
  const min = bulkMinRuns(env);
  if (setting === 'auto' && runs < min) return tx(`${runs} runs to read, fewer than ${min} (WFAD_BULK_MIN_RUNS): transactions are quicker than the importer's start-up`);
  return { choice: { path: 'bulk', reason: `the local store under ${local.home} is empty and ${runs} runs are to be read` }, local };
}
