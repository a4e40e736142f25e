/**
 * bench/api: the GraphQL API under load on loopback (autocannon, 50 connections): requests/s and
 * p50/p99 latency for run(id) with its prediction (live through the batcher, then stored) and for
 * a 100-run runs page with predictions.
 *
 *   npm run bench:api [-- --json] [-- --duration S] [-- --connections N] [-- --model DIR] [-- --cpu-prof DIR]
 *
 * --cpu-prof DIR: each `wfad serve` child writes a V8 CPU profile (.cpuprofile) into DIR on exit.
 *
 * Neo4j: NEO4J_URI when set (the dataset ingested, idempotent; read, scored, never wiped), else the
 * local bench server on WFAD_BENCH_NEO4J_PORT (data in .wfad/neo4j-bench-flowgad) holding the flowgad
 * dataset alone. The output says how many runs and jobs the store held.
 * Model: --model DIR, else models/ALL-graph-multiclass when shipped, else a small one trained here.
 * The API runs as `wfad serve` in a child process (logs at warn: no per-request lines).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { PROJECT_ROOT, defaultDatasetPath } from '../src/config';
import { labelledSamples } from '../src/features/dataset';
import { openGraph } from '../src/graph/driver';
import { migrate } from '../src/graph/migrations';
import { parseMetrics } from '../src/api/metrics';
import { registerModel } from '../src/graph/predictions';
import { readRuns } from '../src/graph/read-runs';
import { Predictor } from '../src/inference';
import { exportModelDir } from '../src/onnx/model-file';
import { scoreRuns } from '../src/score/score-runs';
import { saveModel } from '../src/train/model-store';
import { DEFAULT_CONFIG, train } from '../src/train/trainer';
import { datasetBenchNeo4j, type DatasetStore } from './bench-neo4j';

interface Scenario {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** Keys per Neo4j query batched across requests (from /metrics): how many reads one query served. */
  keysPerSharedQuery: number | null;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const duration = Number(opt('--duration') ?? 10);
const connections = Number(opt('--connections') ?? 50);
const cpuProf = opt('--cpu-prof');
const log = (s: string): void => void (json || process.stderr.write(`${s}\n`));

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

interface BenchData {
  run?: { prediction: unknown } | null;
  runs?: { pageInfo: { endCursor: string | null } };
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}): Promise<BenchData> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: BenchData; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`bench/api: ${JSON.stringify(body.errors).slice(0, 400)}`);
  return body.data;
}

/** autocannon with one GraphQL body per request, taken round-robin from `bodies`. */
async function sharedReads(url: string): Promise<{ q: number; k: number }> {
  const m = parseMetrics(await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text());
  return { q: m.wfad_api_shared_reads_total ?? 0, k: m.wfad_api_shared_read_keys_total ?? 0 };
}

async function load(name: string, url: string, bodies: string[]): Promise<Scenario> {
  let i = 0;
  const m0 = await sharedReads(url);
  const result = await autocannon({
    url,
    connections,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] as string }) }],
  });
  const m1 = await sharedReads(url);
  const s: Scenario = {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    keysPerSharedQuery: m1.q > m0.q ? Number(((m1.k - m0.k) / (m1.q - m0.q)).toFixed(1)) : null,
  };
  log(`  ${name}: ${s.requestsPerSecond} req/s, p50 ${s.p50} ms, p99 ${s.p99} ms (${s.requests} requests, ${s.errors} errors, ${s.non2xx} non-2xx)`);
  return s;
}

async function main(): Promise<void> {
  const dataset = defaultDatasetPath();
  const env: NodeJS.ProcessEnv = { ...process.env };
  let stopDb = async (): Promise<void> => undefined;
  let store: Omit<DatasetStore, 'stop'> | null = null;
  if (fs.existsSync(path.join(dataset, 'adjacency_list_dags'))) {
    const ds = await datasetBenchNeo4j('neo4j-bench-flowgad', dataset, log);
    stopDb = ds.stop;
    store = { runs: ds.runs, jobs: ds.jobs, otherRuns: ds.otherRuns };
    env.NEO4J_URI = process.env.NEO4J_URI;
  } else if (!env.NEO4J_URI) {
    console.error(`bench/api: no dataset at ${dataset} (set WFAD_DATASET) and no NEO4J_URI to read runs from`);
    process.exit(2);
  }
  const graph = openGraph();
  let child: ChildProcess | null = null;
  try {
    await migrate(graph);

    // The model: given, shipped, or trained here (small, a few epochs: latency does not depend on accuracy).
    let dir = opt('--model') ?? path.join(PROJECT_ROOT, 'models', 'ALL-graph-multiclass');
    if (!fs.existsSync(path.join(dir, 'model.onnx'))) {
      dir = path.join(PROJECT_ROOT, '.wfad', 'bench-api-model');
      if (!fs.existsSync(path.join(dir, 'model.onnx'))) {
        log('no shipped model: training a small graph-level multiclass model (3 epochs)');
        const samples = labelledSamples(await readRuns(graph, { labelled: true }));
        const r = train(samples, { ...DEFAULT_CONFIG, task: 'multiclass', maxEpochs: 3, hidden: 32 });
        saveModel(dir, 'bench-graph-multiclass', 'ALL', samples, r);
        exportModelDir(dir);
      }
    }
    const predictor = await Predictor.load(dir, { provider: 'cpu', log });
    const modelId = predictor.modelId;
    // Registered and active, but not scored yet: the first run(id) scenario predicts live.
    // CALL … IN TRANSACTIONS needs an implicit (auto-commit) transaction: a plain session.run.
    const session = graph.driver.session({ database: graph.conn.database });
    try {
      await session.run('MATCH (p:Prediction {modelId: $id}) CALL (p) { DETACH DELETE p } IN TRANSACTIONS OF 5000 ROWS', { id: modelId });
    } finally {
      await session.close();
    }
    await registerModel(graph, { id: modelId, name: predictor.name, version: predictor.version, workflow: predictor.workflow, level: predictor.level, task: predictor.task, classes: [...predictor.classes], metrics: JSON.stringify(predictor.card?.metrics ?? {}), path: path.resolve(dir) }, true);

    const ids = (await graph.read((tx) => tx.run('MATCH (r:Run) RETURN r.id AS id ORDER BY r.startedAt'))).records.map((r) => r.get('id') as string);
    if (ids.length === 0) throw new Error('bench/api: no runs stored (set WFAD_DATASET or NEO4J_URI)');

    /** `wfad serve` in a child process; resolves with its GraphQL URL once /ready answers. */
    const serve = async (extraEnv: NodeJS.ProcessEnv): Promise<string> => {
      const port = await freePort();
      const prof = cpuProf ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(cpuProf)] : [];
      child = spawn(process.execPath, [...prof, path.join(PROJECT_ROOT, 'bin', 'wfad.js'), 'serve', '--port', String(port)], {
        env: { ...env, WFAD_LOG_LEVEL: 'warn', WFAD_ONNX_PROVIDER: 'cpu', ...extraEnv },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      for (let t = 0; ; t++) {
        if (await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok, () => false)) break;
        if (t > 300) throw new Error('bench/api: the API did not become ready');
        await new Promise((r) => setTimeout(r, 200));
      }
      return `http://127.0.0.1:${port}/graphql`;
    };
    const stopServe = async (): Promise<void> => {
      const c = child;
      child = null;
      if (c) await new Promise<void>((resolve) => {
        c.once('close', () => resolve());
        c.kill('SIGTERM');
      });
    };
    let url = await serve({});

    const RUN = 'query($id: ID!) { run(id: $id) { id label category prediction { predicted score stored probabilities { class probability } model { id version } } } }';
    const PAGE = 'query($after: String) { runs(first: 100, after: $after) { pageInfo { endCursor } nodes { id label category startedAt prediction { predicted score } } } }';
    const runBodies = ids.map((id) => JSON.stringify({ query: RUN, variables: { id } }));
    const check = await post(url, RUN, { id: ids[0] });
    if (!check.run?.prediction) throw new Error('bench/api: run(id) gave no prediction');

    log(`API ${url}, ${ids.length} runs, model ${modelId} (onnxruntime cpu), ${connections} connections, ${duration} s per scenario`);
    const results: Scenario[] = [];
    await load('warm-up', url, runBodies.slice(0, 200));
    results.push(await load('run(id) + prediction, live (batched onnxruntime)', url, runBodies));

    const scored = await scoreRuns(graph, predictor);
    log(`scored ${scored.runs} runs with ${modelId} in ${scored.seconds.toFixed(1)} s (stored predictions)`);
    // A fresh server (its prediction cache knows nothing of the scoring) with every run read once,
    // so the measured requests see the steady state: run rows and predictions from the cache.
    await stopServe();
    url = await serve({});
    for (let i = 0; i < runBodies.length; i += 50) {
      await Promise.all(runBodies.slice(i, i + 50).map((body) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.text())));
    }
    results.push(await load('run(id) + prediction, stored, cache warm', url, runBodies));

    // 100-run pages: the first 60 pages of the newest-first order, by cursor.
    const pageBodies: string[] = [];
    let after: string | null = null;
    for (let p = 0; p < 60; p++) {
      pageBodies.push(JSON.stringify({ query: PAGE, variables: { after } }));
      after = (await post(url, PAGE, { after })).runs?.pageInfo.endCursor ?? null;
      if (!after) break;
    }
    // Pages run code the run(id) scenarios did not (JIT-compiled in the first second under load).
    await load('warm-up (pages)', url, pageBodies);
    results.push(await load('runs(first: 100) + predictions, stored', url, pageBodies));

    // Without the cross-request cache: every request reads Neo4j (2 Cypher queries for run(id));
    // pages too, so their figure does not lean on the page cache.
    await stopServe();
    url = await serve({ WFAD_API_CACHE_TTL_MS: '0' });
    await load('warm-up (no cache)', url, runBodies.slice(0, 200));
    results.push(await load('run(id) + prediction, stored, no cache', url, runBodies));
    await load('warm-up (pages, no cache)', url, pageBodies);
    results.push(await load('runs(first: 100) + predictions, stored, no cache', url, pageBodies));

    const out = {
      command: `npm run bench:api -- ${args.join(' ')}`.trim(),
      connections,
      durationSeconds: duration,
      runs: ids.length,
      store,
      model: modelId,
      scenarios: results.filter((r) => !r.name.startsWith('warm-up')),
      targets: { runStoredNoCacheP99Ms: 50, runLiveP99Ms: 100, pageP99Ms: 200, errors: 0 },
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
      loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    };
    if (json) console.log(JSON.stringify(out));
    else {
      console.log(`bench/api: ${connections} connections × ${duration} s on loopback, ${ids.length} runs${store ? `, ${store.jobs} jobs${store.otherRuns ? ` (${store.otherRuns} runs besides the dataset)` : ''}` : ''} (${out.machine}, load ${out.loadAverage.join(' ')})`);
      console.log(`command: ${out.command}`);
      console.log(`${'scenario'.padEnd(46)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'errors'.padStart(7)}`);
      for (const s of out.scenarios) console.log(`${s.name.padEnd(46)} ${String(s.requestsPerSecond).padStart(7)} ${String(s.p50).padStart(7)} ${String(s.p99).padStart(7)} ${String(s.errors + s.non2xx).padStart(7)}`);
      console.log('targets: run(id) + stored prediction without cache p99 ≤ 50 ms; live p99 ≤ 100 ms; runs(first: 100) p99 ≤ 200 ms; 0 errors');
    }
  } finally {
    const c = child as ChildProcess | null;
    if (c) await new Promise<void>((resolve) => {
      c.once('close', () => resolve());
      c.kill('SIGTERM');
    });
    await graph.close();
    await stopDb();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
