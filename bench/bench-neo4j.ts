/** A private, empty Neo4j for a benchmark: NEO4J_URI's database wiped, else a local server with its data removed. */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, localServerConfig, type LocalServerConfig } from '../src/config';
import { openGraph } from '../src/graph/driver';
import { migrate } from '../src/graph/migrations';
import { ingest } from '../src/ingest/pipeline';
import * as server from '../src/localdb/server';
import { wipe } from '../test/helpers/neo4j';

/** A benchmark's local server: data in `.wfad/<folder>`, Bolt on WFAD_BENCH_NEO4J_PORT (7689). */
const benchServerConfig = (folder: string): LocalServerConfig =>
  localServerConfig(process.env, { home: path.join(PROJECT_ROOT, '.wfad', folder), port: Number(process.env.WFAD_BENCH_NEO4J_PORT ?? 7689) });

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
  const cfg = benchServerConfig(folder);
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

/** What a dataset benchmark ran on: the store's runs and jobs, and how many of them are not the dataset's. */
export interface DatasetStore {
  runs: number;
  jobs: number;
  /** Runs stored from elsewhere (only with NEO4J_URI: a local bench store is made to hold the dataset alone). */
  otherRuns: number;
  stop: () => Promise<void>;
}

/**
 * A store holding `dataset` for read benchmarks (API, scoring), whose figures depend on the runs
 * they read. NEO4J_URI set: the dataset is ingested into it (idempotent) and never wiped; runs from
 * elsewhere are counted. Else the local server `.wfad/<folder>` on WFAD_BENCH_NEO4J_PORT, ingested
 * once and kept; wiped and ingested again when it holds other runs (another benchmark's).
 */
export async function datasetBenchNeo4j(folder: string, dataset: string, log: (s: string) => void): Promise<DatasetStore> {
  let stop = async (): Promise<void> => undefined;
  const own = !process.env.NEO4J_URI;
  if (own) {
    const cfg = benchServerConfig(folder);
    await server.start(cfg, log, { parentPid: process.pid });
    process.env.NEO4J_URI = `bolt://${cfg.host}:${cfg.port}`;
    stop = async () => void (await server.stop(cfg));
  }
  const graph = openGraph();
  try {
    await migrate(graph);
    let datasetRuns = 0;
    const load = async (): Promise<void> => {
      log(`ingesting ${dataset} into ${process.env.NEO4J_URI} (nothing to do when already there)`);
      const s = await ingest(graph, dataset);
      datasetRuns = s.runsStored + s.runsUnchanged;
    };
    const stored = async (): Promise<{ runs: number; jobs: number }> => {
      const r = (await graph.read((tx) => tx.run('MATCH (r:Run) RETURN count(r) AS runs, sum(r.jobCount) AS jobs'))).records[0];
      return { runs: Number(r?.get('runs') ?? 0), jobs: Number(r?.get('jobs') ?? 0) };
    };
    await load();
    let s = await stored();
    if (s.runs > datasetRuns && own) {
      log(`the bench store holds ${s.runs - datasetRuns} runs of another benchmark: wiping it`);
      await wipe(graph);
      await load();
      s = await stored();
    }
    const otherRuns = s.runs - datasetRuns;
    if (otherRuns > 0) log(`NEO4J_URI holds ${otherRuns} runs besides ${dataset}: the figures are for all ${s.runs}`);
    return { runs: s.runs, jobs: s.jobs, otherRuns, stop };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    await graph.close();
  }
}
