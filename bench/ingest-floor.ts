/**
 * bench/ingest-floor: what Neo4j itself takes on this machine, without wfad's query shape. The
 * flowgad jobs (same properties as stored) and edges are written with plain UNWIND CREATE in
 * batches, with and without the Job indexes, to tell the store's overhead from Neo4j's own cost.
 *
 *   npm run bench:ingest-floor [-- --json] [-- --batch-jobs 5000,20000] [-- --runs N]
 *
 * Uses a local server on WFAD_BENCH_NEO4J_PORT (data in .wfad/neo4j-floor, removed first).
 *
 *   npm run bench:ingest-floor -- --core-api [--passes 3] [--json]
 *
 * The same runs (Run node with its stored properties and job table, Job nodes, HAS_JOB, FEEDS)
 * written by Neo4j's own Java API inside one embedded database (bench/neo4j-floor/
 * CoreApiFloor.java): no Bolt, no Cypher, no client. With all properties and the Job indexes, with
 * all properties and no Job index, and with the Job identity properties alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { openGraph, type Graph } from '../src/graph/driver';
import { spawnSync } from 'node:child_process';
import { jobTableProps } from '../src/graph/job-table';
import { INT_PROPS, jobProps, plainJobProps, runProps } from '../src/graph/runs';
import { TemplateCatalog } from '../src/graph/templates';
import { javaBinary, SERVER_CLASSPATH } from '../src/localdb/server';
import { PROJECT_ROOT, defaultDatasetPath, localServerConfig } from '../src/config';
import { discover } from '../src/ingest/dataset';
import { isRejection } from '../src/ingest/rejection';
import type { SourceRun } from '../src/ingest/run-shape';
import { loadTemplates } from '../src/ingest/template';
import { parseRunFile } from '../src/ingest/trace';
import { freshBenchNeo4j } from './bench-neo4j';

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const log = (s: string): void => void (json || process.stderr.write(`${s}\n`));

const INDEXES = [
  'CREATE CONSTRAINT job_id IF NOT EXISTS FOR (j:Job) REQUIRE j.id IS UNIQUE',
  'CREATE INDEX job_run IF NOT EXISTS FOR (j:Job) ON (j.runId)',
  'CREATE INDEX job_label IF NOT EXISTS FOR (j:Job) ON (j.label)',
];

/** Nodes by UNWIND CREATE, then edges between the batch's own nodes (list positions, no index look-up). */
const CREATE = `
UNWIND $runs AS r
CALL (r) {
  UNWIND r.jobs AS j
  CREATE (job:Job) SET job = j
  RETURN collect(job) AS jobs
}
CALL (jobs, r) {
  UNWIND r.edges AS e
  WITH jobs[toInteger(e[0])] AS a, jobs[toInteger(e[1])] AS b
  CREATE (a)-[:FEEDS]->(b)
  RETURN count(*) AS n
}
RETURN sum(n) AS edges`;

/** `few`: identity only plus the numeric measurements packed into one list property (what property count costs). */
const FEW = args.includes('--few-props');
function props(j: SourceRun['jobs'][number], r: SourceRun): Record<string, unknown> {
  const p = jobProps(j, r);
  if (!FEW) return p;
  const packed = Object.values(p).filter((v): v is number => typeof v === 'number');
  return { id: p.id, runId: p.runId, name: p.name, index: p.index, label: p.label, x: packed };
}

async function run(graph: Graph, runs: SourceRun[], batchJobs: number, intEdges: boolean): Promise<number> {
  const t0 = performance.now();
  let batch: SourceRun[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    const b = batch;
    batch = [];
    size = 0;
    await graph.write((tx) =>
      tx.run(CREATE, {
        runs: b.map((r) => ({ jobs: r.jobs.map((j) => props(j, r)), edges: intEdges ? r.edges.map(([x, y]) => [neo4j.int(x), neo4j.int(y)]) : r.edges })),
      }),
    );
  };
  for (const r of runs) {
    batch.push(r);
    size += r.jobs.length;
    if (size >= batchJobs) await flush();
  }
  await flush();
  return (performance.now() - t0) / 1000;
}

const plain = (v: unknown): unknown => (neo4j.isInt(v) ? v.toNumber() : v);
const plainMap = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, plain(v)]));

/** The runs as stored (run properties with the job table, job properties, edges) through CoreApiFloor.java. */
function coreApi(runs: SourceRun[], jobs: number, edges: number): void {
  const file = path.join(os.tmpdir(), `wfad-core-api-floor-${process.pid}.jsonl`);
  const catalog = new TemplateCatalog();
  const out = fs.openSync(file, 'w');
  for (const run of runs) {
    const { template } = catalog.place(run);
    const js = run.jobs.map((j) => plainJobProps(j, run));
    fs.writeSync(out, `${JSON.stringify({ props: { ...plainMap(runProps(run, template)), ...jobTableProps(js) }, jobs: js, edges: run.edges })}\n`);
  }
  fs.closeSync(out);
  const passes = opt('--passes') ?? '3';
  const jobsPerTx = opt('--batch-jobs') ?? '5000';
  const rows: Array<Record<string, unknown>> = [];
  try {
    for (const [props, indexes] of [['all', 'yes'], ['all', 'no'], ['identity', 'yes']] as const) {
      log(`core API: ${props} properties, Job indexes ${indexes}, ${passes} passes of ${jobs} jobs`);
      const java = spawnSync(javaBinary(), [`-Xmx${localServerConfig().heap}`, '-cp', SERVER_CLASSPATH, path.join(PROJECT_ROOT, 'bench', 'neo4j-floor', 'CoreApiFloor.java'), file, passes, jobsPerTx, props, indexes, [...INT_PROPS].join(',')], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (java.status !== 0) throw new Error(`CoreApiFloor.java exited ${String(java.status)}: ${java.stderr.slice(-2000)}`);
      for (const line of java.stdout.split('\n').filter((l) => l.startsWith('{'))) {
        const row = { jobProperties: props, jobIndexes: indexes === 'yes', jobsPerTransaction: Number(jobsPerTx), ...(JSON.parse(line) as Record<string, unknown>), load: os.loadavg()[0]?.toFixed(2) };
        rows.push(row);
        log(JSON.stringify(row));
      }
    }
  } finally {
    fs.rmSync(file, { force: true });
  }
  const result = { path: 'Neo4j core Java API, embedded, no client', jobs, edges, rows, command: `npm run bench:ingest-floor -- ${args.join(' ')}`.trim(), loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))), machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}` };
  console.log(json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
}

async function main(): Promise<void> {
  const dataset = opt('--dataset') ?? defaultDatasetPath();
  const ds = discover(dataset);
  const { templates } = loadTemplates(ds.templatesDir as string);
  const limit = Number(opt('--runs') ?? Infinity);
  const runs: SourceRun[] = [];
  for (const f of ds.files) {
    if (runs.length >= limit) break;
    const r = parseRunFile({ source: f, labelFolder: path.basename(path.dirname(f)), fileName: path.basename(f), bytes: fs.readFileSync(f) }, templates);
    if (!isRejection(r)) runs.push(r);
  }
  const jobs = runs.reduce((s, r) => s + r.jobs.length, 0);
  const edges = runs.reduce((s, r) => s + r.edges.length, 0);
  if (args.includes('--core-api')) return coreApi(runs, jobs, edges);
  const sizes = (opt('--batch-jobs') ?? '5000,20000').split(',').map(Number);
  const stop = await freshBenchNeo4j('neo4j-floor', log);
  const graph = openGraph();
  const rows: Array<Record<string, unknown>> = [];
  try {
    for (const indexes of args.includes('--indexes-only') ? [true] : [false, true]) {
      for (const b of sizes) {
        const s = graph.driver.session();
        try {
          await s.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
          for (const q of INDEXES) if (indexes) await s.run(q);
          if (!indexes) for (const n of ['job_id', 'job_run', 'job_label']) await s.run(`DROP ${n === 'job_id' ? 'CONSTRAINT' : 'INDEX'} ${n} IF EXISTS`);
          await s.run('CALL db.awaitIndexes(300)');
        } finally {
          await s.close();
        }
        for (const intEdges of args.includes('--int-edges-only') ? [true] : [true, false]) {
          const s2 = graph.driver.session();
          await s2.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
          await s2.close();
          const sec = await run(graph, runs, b, intEdges);
          const row = { indexes, batchJobs: b, edgesAs: intEdges ? 'neo4j.int' : 'js number', seconds: Number(sec.toFixed(2)), jobsPerSecond: Math.round(jobs / sec), load: os.loadavg()[0]?.toFixed(2) };
          rows.push(row);
          log(JSON.stringify(row));
        }
      }
    }
  } finally {
    await graph.close();
    await stop();
  }
  const out = { jobs, edges, rows, command: `npm run bench:ingest-floor -- ${args.join(' ')}`.trim(), loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))), machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}` };
  console.log(json ? JSON.stringify(out) : JSON.stringify(out, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
