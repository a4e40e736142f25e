/** A private, empty Neo4j for a benchmark: NEO4J_URI's database wiped, else a local server with its data removed. */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, localServerConfig } from '../src/config';
import { openGraph } from '../src/graph/driver';
import * as server from '../src/localdb/server';
import { wipe } from '../test/helpers/neo4j';

/**
 * NEO4J_URI set: WIPES its database (every node and relationship; the schema is re-applied) and
 * returns a no-op stop. Else starts `.wfad/<folder>` on WFAD_BENCH_NEO4J_PORT (7689) with its data
 * removed, sets NEO4J_URI, and returns how to stop it.
 */
export async function freshBenchNeo4j(folder: string, log: (s: string) => void): Promise<() => Promise<void>> {
  if (process.env.NEO4J_URI) {
    log(`wiping the database at NEO4J_URI=${process.env.NEO4J_URI} for the benchmark`);
    const graph = openGraph();
    try {
      await wipe(graph);
    } finally {
      await graph.close();
    }
    return async () => undefined;
  }
  const cfg = localServerConfig(process.env, { home: path.join(PROJECT_ROOT, '.wfad', folder), port: Number(process.env.WFAD_BENCH_NEO4J_PORT ?? 7689) });
  await server.stop(cfg);
  fs.rmSync(path.join(cfg.home, 'data'), { recursive: true, force: true });
  fs.rmSync(path.join(cfg.home, 'bulk-import'), { recursive: true, force: true });
  await server.start(cfg, log, { parentPid: process.pid });
  process.env.NEO4J_URI = `bolt://${cfg.host}:${cfg.port}`;
  // This server is the local one wfad manages, as far as the code under benchmark is concerned (an
  // ingest into it may take the bulk-import path, which restarts it).
  process.env.WFAD_NEO4J_HOME = cfg.home;
  process.env.WFAD_NEO4J_PORT = String(cfg.port);
  return async () => void (await server.stop(cfg));
}
