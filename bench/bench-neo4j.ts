/** A private, empty local Neo4j for a benchmark, unless NEO4J_URI points at one already. */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, localServerConfig } from '../src/config';
import * as server from '../src/localdb/server';

/** Starts `.wfad/<folder>` on WFAD_BENCH_NEO4J_PORT (7689) with its data wiped, sets NEO4J_URI; returns how to stop it. */
export async function freshBenchNeo4j(folder: string, log: (s: string) => void): Promise<() => Promise<void>> {
  if (process.env.NEO4J_URI) return async () => undefined;
  const cfg = localServerConfig(process.env, { home: path.join(PROJECT_ROOT, '.wfad', folder), port: Number(process.env.WFAD_BENCH_NEO4J_PORT ?? 7689) });
  await server.stop(cfg);
  fs.rmSync(path.join(cfg.home, 'data'), { recursive: true, force: true });
  await server.start(cfg, log, { parentPid: process.pid });
  process.env.NEO4J_URI = `bolt://${cfg.host}:${cfg.port}`;
  return async () => void (await server.stop(cfg));
}
