/**
 * bench/soak: a bounded soak of the GraphQL API on loopback. `wfad serve` runs as a child process
 * against the Neo4j of NEO4J_URI (default: the local dev server); after a warm-up, C client loops
 * drive a mixed workload for N minutes while the server's RSS (/proc/<pid>/status VmRSS) and heap
 * are sampled. Figures: requests by kind, errors (target 0), p50/p99 per kind and overall, RSS at
 * start (after warm-up) and end, growth (target < 10 %), RSS min/max, heap after GC at start/end.
 *
 *   npm run bench:soak [-- --minutes N] [-- --connections C] [-- --warmup S] [-- --json]
 *
 * Kinds: run(id) with its stored prediction; runs pages filtered by predicted or true anomaly
 * type; the jobs of a run; live predictions (onnxruntime, a model without stored predictions);
 * labelled subgraph pages; Grafana anomaly series; and, about 1 request in 40, a bad request that
 * must be answered with a typed error (4xx or a GraphQL error with the expected code): counted as
 * "refused as expected", not as an error. An error is a transport failure, a 5xx, a GraphQL error
 * on a good request, or a bad request answered any other way.
 *
 * The database must hold runs with stored predictions (`wfad ingest`, `wfad score`). The bench
 * reads it and registers one graph-level model from models/ for the live kind when every
 * registered model has stored predictions for all runs (registering never activates over an
 * active model of the same level and task). Progress goes to stderr, figures to stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config';
import { openGraph, type Graph } from '../src/graph/driver';
import { registerModel } from '../src/graph/predictions';
import { Predictor } from '../src/inference';
import { Mulberry32 } from '../src/random/mulberry32';

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const minutes = Number(opt('--minutes') ?? 10);
const connections = Number(opt('--connections') ?? 10);
// V8 grows its old generation for the first ~1.5 min of this load before major GCs settle it
// (measured: RSS flat from then on, heap after GC +3 MiB): the start figure is taken after that.
const warmupSeconds = Number(opt('--warmup') ?? 90);
const sampleSeconds = Number(opt('--sample') ?? 5);
/**
 * Node flags for the server process (--node-option, repeatable). Default: a 64 MiB young-generation
 * semi-space, the setting the README recommends for `wfad serve` under load. With Node's default
 * (16 MiB) most per-request objects outlive two scavenges while requests queue, get promoted, and
 * the old generation saw-tooths between ~45 and ~180 MiB: RSS then swings by ±30 % with the GC phase
 * (measured), which hides any real trend. `--node-defaults` runs the server without extra flags.
 */
const givenNodeOptions = args.flatMap((a, i) => (a === '--node-option' && args[i + 1] ? [args[i + 1] as string] : []));
const serverNodeOptions = args.includes('--node-defaults') ? [] : givenNodeOptions.length ? givenNodeOptions : ['--max-semi-space-size=64'];
if (!(minutes > 0) || !(connections >= 1) || !(warmupSeconds >= 0) || !(sampleSeconds > 0)) {
  console.error('usage: bench/soak [--minutes N>0] [--connections C>=1] [--warmup S>=0] [--sample S>0] [--json]');
  process.exit(2);
}
const progress = (s: string): void => void process.stderr.write(`[soak] ${s}\n`);

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

// ---------------------------------------------------------------- workload

type Kind = 'runStored' | 'runsByType' | 'jobs' | 'livePrediction' | 'subgraphs' | 'series' | 'bad';
const KINDS: Kind[] = ['runStored', 'runsByType', 'jobs', 'livePrediction', 'subgraphs', 'series', 'bad'];
const WEIGHTS: Record<Kind, number> = { runStored: 35, runsByType: 12, jobs: 15, livePrediction: 15, subgraphs: 6, series: 14, bad: 3 };

interface Req {
  kind: Kind;
  body: string;
  headers?: Record<string, string>;
  /** Bad requests: the error code the server must answer with. */
  expect?: string;
}

interface Fixture {
  ids: string[];
  liveModel: string;
  liveIds: string[];
  classes: string[];
  categories: string[];
  workflows: string[];
  from: string;
  to: string;
}

const Q = {
  runStored: 'query($id: ID!) { run(id: $id) { id label category startedAt prediction { predicted score stored probabilities { class probability } model { id } } } }',
  runsByPredicted:
    'query($c: String!, $w: String) { runs(first: 50, filter: {predictedCategory: $c, workflow: $w}, orderBy: {by: SCORE}) { totalCount pageInfo { hasNextPage endCursor } nodes { id label prediction { predicted score } } } }',
  runsByCategory: 'query($c: String!) { runs(first: 50, filter: {category: $c}) { pageInfo { hasNextPage endCursor } nodes { id label startedAt prediction { predicted score } } } }',
  jobs: 'query($id: ID!) { run(id: $id) { id jobs { id name type runtime queueDelay stageInDelay hostname } edges { source target } } }',
  live: 'query($id: ID!, $m: String!) { run(id: $id) { id prediction(model: $m) { predicted score stored } } }',
  subgraphs: 'query($w: String, $c: String) { labelledSubgraphs(first: 5, filter: {workflow: $w, category: $c}) { featureNames nodes { runId y yBinary numNodes edgeIndex x } pageInfo { endCursor } } }',
  series:
    'query($w: String, $from: Time!, $to: Time!, $i: String!) { anomalySeries(workflow: $w, from: $from, to: $to, interval: $i) { points { time category count } } }',
};

/** Requests that must be refused, each with the code it must be refused with. */
function badRequests(): Array<Omit<Req, 'kind'>> {
  const b = (query: string, variables: Record<string, unknown> = {}): string => JSON.stringify({ query, variables });
  return [
    // One over the default page size (WFAD_API_MAX_PAGE=500): refused by the resolver, not by complexity.
    { body: b('{ runs(first: 501) { nodes { id } } }'), expect: 'BAD_USER_INPUT' },
    { body: b('{ runz { id } }'), expect: 'GRAPHQL_VALIDATION_FAILED' },
    { body: b('{ runs(after: "not-a-cursor") { nodes { id } } }'), expect: 'BAD_USER_INPUT' },
    { body: b('mutation { activateModel(id: "x") { id } }'), expect: 'UNAUTHENTICATED' },
    { body: b('mutation { activateModel(id: "x") { id } }'), headers: { authorization: 'Bearer wrong-key' }, expect: 'UNAUTHENTICATED' },
    { body: b('{ runs(filter: {category: "\' OR 1=1 //"}) { nodes { id } } }'), expect: 'BAD_USER_INPUT' },
    { body: b('{ run(id: ) { id } }'), expect: 'GRAPHQL_PARSE_FAILED' },
    { body: '{"query": ', expect: 'BAD_REQUEST' },
  ];
}

function pick<T>(xs: readonly T[], r: () => number): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function makeRequest(f: Fixture, r: () => number, bad: Array<Omit<Req, 'kind'>>): Req {
  const total = KINDS.reduce((a, k) => a + WEIGHTS[k], 0);
  let x = r() * total;
  let kind: Kind = 'runStored';
  for (const k of KINDS) {
    if ((x -= WEIGHTS[k]) < 0) {
      kind = k;
      break;
    }
  }
  const body = (query: string, variables: Record<string, unknown>): string => JSON.stringify({ query, variables });
  switch (kind) {
    case 'runStored':
      return { kind, body: body(Q.runStored, { id: pick(f.ids, r) }) };
    case 'runsByType':
      return r() < 0.5
        ? { kind, body: body(Q.runsByPredicted, { c: pick(f.classes, r), w: r() < 0.5 ? pick(f.workflows, r) : null }) }
        : { kind, body: body(Q.runsByCategory, { c: pick(f.categories, r) }) };
    case 'jobs':
      return { kind, body: body(Q.jobs, { id: pick(f.ids, r) }) };
    case 'livePrediction':
      return { kind, body: body(Q.live, { id: pick(f.liveIds, r), m: f.liveModel }) };
    case 'subgraphs':
      return { kind, body: body(Q.subgraphs, { w: pick(f.workflows, r), c: r() < 0.5 ? pick(f.categories, r) : null }) };
    case 'series':
      return { kind, body: body(Q.series, { w: r() < 0.3 ? null : pick(f.workflows, r), from: f.from, to: f.to, i: pick(['1h', '6h', '1d'], r) }) };
    case 'bad':
      return { kind, ...pick(bad, r) };
  }
}

// ---------------------------------------------------------------- figures

class Stats {
  readonly ms: Record<Kind, number[]> = Object.fromEntries(KINDS.map((k) => [k, []])) as unknown as Record<Kind, number[]>;
  readonly errors: Record<Kind, number> = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  readonly errorSamples: string[] = [];
  refusedAsExpected = 0;

  error(kind: Kind, what: string): void {
    this.errors[kind]++;
    if (this.errorSamples.length < 10) this.errorSamples.push(`${kind}: ${what.slice(0, 300)}`);
  }
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

interface GqlBody {
  data?: unknown;
  errors?: Array<{ message?: string; extensions?: { code?: string } }>;
}

/** One request: its latency goes to `stats` unless it failed at the transport. */
async function send(url: string, req: Req, stats: Stats | null): Promise<void> {
  const t0 = performance.now();
  let status = 0;
  let text = '';
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...req.headers }, body: req.body });
    status = res.status;
    text = await res.text();
  } catch (err) {
    stats?.error(req.kind, `transport: ${(err as Error).message}`);
    return;
  }
  const ms = performance.now() - t0;
  if (!stats) return;
  stats.ms[req.kind].push(ms);
  let body: GqlBody | null = null;
  try {
    body = JSON.parse(text) as GqlBody;
  } catch {
    // not JSON: judged below
  }
  const code = body?.errors?.[0]?.extensions?.code;
  if (req.expect) {
    if (status >= 400 && status < 500 && code === req.expect) stats.refusedAsExpected++;
    else if (status === 200 && code === req.expect) stats.refusedAsExpected++;
    else stats.error(req.kind, `expected ${req.expect}, got HTTP ${status}: ${text}`);
    return;
  }
  if (status !== 200 || !body || body.errors || body.data === undefined || body.data === null) stats.error(req.kind, `HTTP ${status}: ${text}`);
}

// ---------------------------------------------------------------- memory

interface MemSample {
  t: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** V8 heap reserved (what RSS holds for the JS heap, garbage included). */
  heapTotalMiB: number;
  /** Memory outside the V8 heap that V8 knows of (Buffers, ArrayBuffers). */
  externalMiB: number;
}

function vmRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

class Probe {
  private seq = 0;
  private readonly waiting = new Map<number, (m: NodeJS.MemoryUsage) => void>();

  constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { probe?: string; seq?: number; memory?: NodeJS.MemoryUsage }) => {
      if (m?.probe === 'mem' && typeof m.seq === 'number' && m.memory) {
        this.waiting.get(m.seq)?.(m.memory);
        this.waiting.delete(m.seq);
      }
    });
  }

  memory(gc = false): Promise<NodeJS.MemoryUsage> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        reject(new Error('the server did not answer the memory probe within 10 s'));
      }, 10_000);
      this.waiting.set(seq, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.child.send({ probe: gc ? 'mem-gc' : 'mem', seq });
    });
  }
}

// ---------------------------------------------------------------- setup

async function fixture(graph: Graph): Promise<Fixture> {
  const q = async (cypher: string, params: Record<string, unknown> = {}): Promise<Array<Record<string, unknown>>> =>
    (await graph.read((tx) => tx.run(cypher, params))).records.map((r) => r.toObject() as Record<string, unknown>);
  const ids = (await q('MATCH (r:Run) RETURN r.id AS id ORDER BY id')).map((r) => r.id as string);
  if (ids.length === 0) throw new Error('no runs stored: run `wfad ingest <dataset>` and `wfad score` first (or point NEO4J_URI at a store that has them)');
  const models = await q(
    `MATCH (m:Model {level: 'graph'}) OPTIONAL MATCH (p:Prediction {modelId: m.id})
     RETURN m.id AS id, m.workflow AS workflow, m.task AS task, m.classes AS classes, coalesce(m.active, false) AS active, count(p) AS stored ORDER BY id`,
  );
  const active = models.filter((m) => m.active === true && (m.stored as number) > 0).sort((a, b) => (a.task === 'multiclass' ? -1 : 0) - (b.task === 'multiclass' ? -1 : 0))[0];
  if (!active) throw new Error('no active graph-level model with stored predictions: run `wfad score --model models/ALL-graph-multiclass --activate`');
  // The live kind needs a model that has not scored (all) its runs.
  let live = models.find((m) => (m.stored as number) === 0);
  if (!live) {
    const registered = new Set(models.map((m) => m.id as string));
    for (const name of fs.readdirSync(path.join(PROJECT_ROOT, 'models')).sort()) {
      const dir = path.join(PROJECT_ROOT, 'models', name);
      if (!fs.existsSync(path.join(dir, 'model.onnx'))) continue;
      const p = await Predictor.load(dir, { provider: 'cpu' });
      try {
        if (p.level !== 'graph' || registered.has(p.modelId)) continue;
        await registerModel(graph, { id: p.modelId, name: p.name, version: p.version, workflow: p.workflow, level: p.level, task: p.task, classes: [...p.classes], metrics: JSON.stringify(p.card?.metrics ?? {}), path: dir });
        progress(`registered ${p.modelId} (not scored) for live predictions`);
        live = { id: p.modelId, workflow: p.workflow };
        break;
      } finally {
        await p.release();
      }
    }
  }
  if (!live) throw new Error('no graph-level model without stored predictions, and none in models/ to register for the live kind');
  const liveIds = (
    await q(
      `MATCH (r:Run) WHERE ($wf = 'ALL' OR r.workflow = $wf) AND NOT EXISTS { MATCH (:Prediction {id: r.id + '|' + $m}) } RETURN r.id AS id`,
      { wf: live.workflow as string, m: live.id as string },
    )
  ).map((r) => r.id as string);
  if (liveIds.length === 0) throw new Error(`model ${String(live.id)} has stored predictions for every run of its workflow: nothing to predict live`);
  const span = (await q('MATCH (r:Run) RETURN min(r.startedAt) AS lo, max(r.startedAt) AS hi'))[0] as { lo: number; hi: number };
  const workflows = (await q('MATCH (w:Workflow) RETURN w.name AS name ORDER BY name')).map((r) => r.name as string);
  return {
    ids,
    liveModel: live.id as string,
    liveIds,
    classes: active.classes as string[],
    categories: ['normal', 'cpu', 'hdd', 'loss'],
    workflows,
    // The busiest ten days of the data: 1 h buckets stay a few hundred points.
    from: new Date((span.hi - 10 * 86400) * 1000).toISOString(),
    to: new Date((span.hi + 1) * 1000).toISOString(),
  };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const graph = openGraph(undefined, { maxRetryMs: 3000 });
  let child: ChildProcess | null = null;
  try {
    const f = await fixture(graph);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/graphql`;
    const probe = path.join(PROJECT_ROOT, 'dist', 'bench', 'soak-probe.js');
    // Logs at warn: a soak measures the API, not the terminal; a random key so that the bad
    // requests meet a configured key ring.
    child = spawn(process.execPath, [...serverNodeOptions, '--expose-gc', '--require', probe, path.join(PROJECT_ROOT, 'bin', 'wfad.js'), 'serve', '--port', String(port), '--host', '127.0.0.1'], {
      env: { ...env, WFAD_LOG_LEVEL: 'warn', WFAD_ONNX_PROVIDER: env.WFAD_ONNX_PROVIDER ?? 'cpu', WFAD_API_KEYS: randomBytes(24).toString('base64url') },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const pid = child.pid as number;
    const mem = new Probe(child);
    for (let t = 0; ; t++) {
      if (await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok, () => false)) break;
      if (t > 300 || child.exitCode !== null) throw new Error('the API did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
    progress(`wfad serve pid ${pid} on ${url}; ${f.ids.length} runs, live model ${f.liveModel} (${f.liveIds.length} runs), ${connections} connections`);

    const bad = badRequests();
    // Seeded: the same request mix on every soak.
    const prng = new Mulberry32(0x5eed);
    const rand = (): number => prng.next();
    const drive = async (until: number, stats: Stats | null): Promise<void> => {
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (Date.now() < until) await send(url, makeRequest(f, rand, bad), stats);
        }),
      );
    };

    const idleRssMiB = vmRssMiB(pid);
    progress(`warm-up ${warmupSeconds} s (RSS before any request: ${idleRssMiB.toFixed(1)} MiB)`);
    await drive(Date.now() + warmupSeconds * 1000, null);
    // No forced GC before the start sample: it would shrink RSS and flatter the growth figure.
    const series: MemSample[] = [];
    const t0 = Date.now();
    const sample = async (): Promise<MemSample> => {
      const m = await mem.memory();
      const s = { t: (Date.now() - t0) / 1000, rssMiB: vmRssMiB(pid), heapUsedMiB: m.heapUsed / 2 ** 20, heapTotalMiB: m.heapTotal / 2 ** 20, externalMiB: m.external / 2 ** 20 };
      series.push(s);
      return s;
    };
    const start = await sample();
    progress(`start: RSS ${start.rssMiB.toFixed(1)} MiB, heap ${start.heapUsedMiB.toFixed(1)} MiB`);

    const stats = new Stats();
    const end = t0 + minutes * 60_000;
    let lastReport = Date.now();
    const sampler = setInterval(() => {
      void sample().then(
        (s) => {
          if (Date.now() - lastReport >= 30_000) {
            lastReport = Date.now();
            const done = KINDS.reduce((a, k) => a + stats.ms[k].length, 0);
            const errs = KINDS.reduce((a, k) => a + stats.errors[k], 0);
            progress(`${s.t.toFixed(0)} s: ${done} requests, ${errs} errors, RSS ${s.rssMiB.toFixed(1)} MiB, heap used ${s.heapUsedMiB.toFixed(1)} / total ${s.heapTotalMiB.toFixed(1)} MiB, external ${s.externalMiB.toFixed(1)} MiB, outside the V8 heap ${(s.rssMiB - s.heapTotalMiB).toFixed(1)} MiB`);
          }
        },
        (err: unknown) => progress(`memory sample failed: ${(err as Error).message}`),
      );
    }, sampleSeconds * 1000);
    await drive(end, stats);
    clearInterval(sampler);
    const last = await sample();
    // After the last RSS sample: what the heap holds once garbage is gone (a leak shows here).
    const endGc = await mem.memory(true);
    // Heap low points (just after a major GC) in the first and the last minute of the soak.
    const lowIn = (from: number, to: number): number => Math.min(...series.filter((s) => s.t >= from && s.t <= to).map((s) => s.heapUsedMiB));
    const span = series[series.length - 1]?.t ?? 0;
    const seconds = (Date.now() - t0) / 1000;

    const all: number[] = [];
    const byKind = KINDS.map((k) => {
      const xs = [...stats.ms[k]].sort((a, b) => a - b);
      all.push(...xs);
      return { kind: k, requests: xs.length, errors: stats.errors[k], p50Ms: round1(quantile(xs, 0.5)), p99Ms: round1(quantile(xs, 0.99)), maxMs: round1(xs[xs.length - 1] ?? NaN) };
    });
    all.sort((a, b) => a - b);
    const rss = series.map((s) => s.rssMiB);
    // Medians of the first and last minute: robust to where in a GC cycle one sample falls.
    const median = (xs: number[]): number => {
      const v = [...xs].sort((a, b) => a - b);
      return v.length ? ((v[(v.length - 1) >> 1] as number) + (v[v.length >> 1] as number)) / 2 : NaN;
    };
    const spanS = series[series.length - 1]?.t ?? 0;
    const firstMin = median(series.filter((s) => s.t <= Math.min(60, spanS / 2)).map((s) => s.rssMiB));
    const lastMin = median(series.filter((s) => s.t >= Math.max(spanS - 60, spanS / 2)).map((s) => s.rssMiB));
    const out = {
      command: `${process.env.NEO4J_URI ? `NEO4J_URI=${process.env.NEO4J_URI} ` : ''}npm run bench:soak -- --minutes ${minutes} --connections ${connections} --warmup ${warmupSeconds}${serverNodeOptions.length ? serverNodeOptions.map((o) => ` --node-option ${o}`).join('') : ' --node-defaults'}`,
      neo4j: graph.conn.uri,
      minutes,
      seconds: round1(seconds),
      connections,
      warmupSeconds,
      runs: f.ids.length,
      liveModel: f.liveModel,
      requests: all.length,
      requestsPerSecond: round1(all.length / seconds),
      errors: byKind.reduce((a, k) => a + k.errors, 0),
      badRequestsRefusedAsExpected: stats.refusedAsExpected,
      p50Ms: round1(quantile(all, 0.5)),
      p99Ms: round1(quantile(all, 0.99)),
      byKind,
      rss: {
        startMiB: round1(start.rssMiB),
        endMiB: round1(last.rssMiB),
        growthPercent: round1(((last.rssMiB - start.rssMiB) / start.rssMiB) * 100),
        firstMinuteMedianMiB: round1(firstMin),
        lastMinuteMedianMiB: round1(lastMin),
        medianGrowthPercent: round1(((lastMin - firstMin) / firstMin) * 100),
        minMiB: round1(Math.min(...rss)),
        maxMiB: round1(Math.max(...rss)),
        samples: rss.length,
        /** [seconds, RSS, heap used, heap total, external] in MiB. */
        series: series.map((s) => [Math.round(s.t), round1(s.rssMiB), round1(s.heapUsedMiB), round1(s.heapTotalMiB), round1(s.externalMiB)]),
      },
      rssBeforeWarmupMiB: round1(idleRssMiB),
      heap: {
        lowFirstMinuteMiB: round1(lowIn(0, Math.min(60, span))),
        lowLastMinuteMiB: round1(lowIn(Math.max(0, span - 60), span)),
        afterForcedGcAtEndMiB: round1(endGc.heapUsed / 2 ** 20),
      },
      targets: { errors: 0, rssGrowthPercent: 10 },
      errorSamples: stats.errorSamples,
      serverNodeOptions,
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`,
    };
    if (json) console.log(JSON.stringify(out));
    else {
      console.log(`bench/soak: ${out.seconds} s after a ${warmupSeconds} s warm-up, ${connections} connections on loopback, ${out.runs} runs in ${out.neo4j} (${out.machine})`);
      console.log(`command: ${out.command}`);
      console.log(`${'kind'.padEnd(16)} ${'requests'.padStart(9)} ${'errors'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`);
      for (const k of byKind) console.log(`${k.kind.padEnd(16)} ${String(k.requests).padStart(9)} ${String(k.errors).padStart(7)} ${String(k.p50Ms).padStart(8)} ${String(k.p99Ms).padStart(8)} ${String(k.maxMs).padStart(8)}`);
      console.log(`${'all'.padEnd(16)} ${String(out.requests).padStart(9)} ${String(out.errors).padStart(7)} ${String(out.p50Ms).padStart(8)} ${String(out.p99Ms).padStart(8)}`);
      console.log(`throughput: ${out.requestsPerSecond} req/s; bad requests refused with the expected typed error: ${out.badRequestsRefusedAsExpected}`);
      console.log(`errors: ${out.errors} (target 0)`);
      console.log(`RSS: start ${out.rss.startMiB} MiB, end ${out.rss.endMiB} MiB, growth ${out.rss.growthPercent} % (target < 10 %); min ${out.rss.minMiB}, max ${out.rss.maxMiB} MiB over ${out.rss.samples} samples`);
      console.log(`RSS, median of the first minute ${out.rss.firstMinuteMedianMiB} MiB, of the last minute ${out.rss.lastMinuteMedianMiB} MiB: growth ${out.rss.medianGrowthPercent} %`);
      console.log(`RSS before the warm-up (idle server): ${out.rssBeforeWarmupMiB} MiB; server Node flags: ${serverNodeOptions.join(' ') || '(none)'}`);
      console.log(`heap used, low point: first minute ${out.heap.lowFirstMinuteMiB} MiB, last minute ${out.heap.lowLastMinuteMiB} MiB; after a forced GC at the end ${out.heap.afterForcedGcAtEndMiB} MiB`);
      for (const e of out.errorSamples) console.log(`  error: ${e}`);
    }
    if (out.errors > 0 || out.rss.growthPercent >= 10) process.exitCode = 1;
  } finally {
    const c = child as ChildProcess | null;
    if (c && c.exitCode === null) {
      await new Promise<void>((resolve) => {
        c.once('close', () => resolve());
        c.kill('SIGTERM');
      });
    }
    await graph.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
