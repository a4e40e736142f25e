/**
 * Neo4j stopped and restarted while `wfad serve` answers a steady stream of uncached requests.
 * The scenario owns its Neo4j (a local server on its own port and data folder), so it can stop it
 * whatever the harness's NEO4J_URI points at. It records every request's outcome and, before and
 * after, the server's session counters (/metrics), its open file descriptors (/proc/<pid>/fd) and
 * the Bolt connections Neo4j itself reports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseMetrics } from '../../src/api/metrics';
import { localServerConfig, type LocalServerConfig } from '../../src/config';
import { openGraph, type Graph } from '../../src/graph/driver';
import { migrate } from '../../src/graph/migrations';
import { ingest } from '../../src/ingest/pipeline';
import * as server from '../../src/localdb/server';
import { WFAD, sleep } from './process';

export type Outcome = 'ok' | 'unavailable' | 'other';
export type Window = 'before' | 'outage' | 'after';

export interface RequestRecord {
  sentMs: number;
  ms: number;
  window: Window;
  outcome: Outcome;
  status: number;
  /** For "other": what came back (trimmed). */
  detail?: string;
}

export interface ProcessSnapshot {
  sessionsOpened: number;
  sessionsClosed: number;
  sessionsOpen: number;
  fds: number;
  /** Bolt connections Neo4j lists, this probe's own excluded. */
  serverConnections: number;
}

export interface OutageResult {
  neo4jPort: number;
  apiPort: number;
  runs: number;
  /** By when the request was sent; "before" ones may still be answered during the stop. */
  requests: { total: number; before: number; outage: number; after: number };
  beforeOutcomes: { ok: number; unavailable: number; other: number };
  outage: { ok: number; unavailable: number; other: number; maxMs: number; p50Ms: number };
  /** Slowest answer by when the request was sent: while Neo4j shut down, while it was down, while it started. */
  maxMsBySent: { stopping: number; down: number; starting: number };
  after: { ok: number; unavailable: number; other: number };
  /** Examples of responses that were neither a success nor UNAVAILABLE. */
  otherSamples: string[];
  /** Responses that leaked internals (stack, bolt URI, driver error names). */
  leaks: string[];
  stopMs: number;
  /** From the start of the stop to Bolt answering again. */
  outageMs: number;
  restartMs: number;
  /** From Bolt answering again to the first successful request. */
  firstSuccessAfterRestartMs: number | null;
  readyDuringOutage: number[];
  readyAfter: number;
  healthDuringOutage: number[];
  serverAlive: boolean;
  serverExitCode: number | null;
  /** Distinct error lines the API logged (internal errors would show here). */
  serverErrors: string[];
  before: ProcessSnapshot;
  afterRecovery: ProcessSnapshot;
}

export interface OutageOptions {
  neo4jPort: number;
  home: string;
  apiPort: number;
  /** A dataset (root, data/ or label folder) ingested into the fresh database first. */
  dataset: string;
  /** How long Neo4j stays down after it has stopped (ms). */
  downMs?: number;
  /** One request every this many ms (the stream does not wait for answers). */
  intervalMs?: number;
  /** Give up waiting for recovery after this long (ms). */
  recoverWithinMs?: number;
  log?: (line: string) => void;
}

const QUERIES = [
  '{ runs(first: 5) { totalCount nodes { id label startedAt } } }',
  '{ workflows { name runCount runsByLabel { label runs } } }',
  '{ runs(first: 3, orderBy: {by: TIME, direction: DESC}) { nodes { id category jobs { name runtime } } } }',
];

const LEAK = /\bat [\w.<>]+ \(|stacktrace|bolt:\/\/|ECONNREFUSED|Neo4jError|ServiceUnavailable|SessionExpired|\/node_modules\//;

/**
 * One POST on its own connection (no keep-alive): the server's open fds then count only what it
 * holds itself (Neo4j connections, files), not idle HTTP sockets of this client.
 */
function request(url: string, query: string | null): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = query === null ? '' : JSON.stringify({ query });
    const req = http.request(url, { method: query === null ? 'GET' : 'POST', agent: false, timeout: 120_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 120 s')));
    req.on('error', reject);
    req.end(body);
  });
}

function classify(status: number, body: string): { outcome: Outcome; detail?: string } {
  let parsed: { data?: unknown; errors?: Array<{ extensions?: { code?: unknown } }> };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return { outcome: 'other', detail: `HTTP ${status}: ${body.slice(0, 200)}` };
  }
  if (status === 200 && !parsed.errors && parsed.data) return { outcome: 'ok' };
  const codes = (parsed.errors ?? []).map((e) => e.extensions?.code);
  if (codes.length > 0 && codes.every((c) => c === 'UNAVAILABLE') && status < 500) return { outcome: 'unavailable' };
  return { outcome: 'other', detail: `HTTP ${status}: ${body.slice(0, 300)}` };
}

/** Bolt connections Neo4j reports, less the one this probe uses. */
async function serverConnections(uri: string): Promise<number> {
  const g = openGraph({ uri, user: 'neo4j', password: '', database: 'neo4j' });
  try {
    const res = await g.read((tx) => tx.run("CALL dbms.listConnections() YIELD connector WHERE connector = 'bolt' RETURN count(*) AS n"));
    return ((res.records[0]?.get('n') as number | undefined) ?? 1) - 1;
  } finally {
    await g.close();
  }
}

async function snapshot(base: string, pid: number, uri: string): Promise<ProcessSnapshot> {
  const m = parseMetrics((await request(`${base}/metrics`, null)).body);
  return {
    sessionsOpened: m.wfad_neo4j_sessions_opened_total ?? -1,
    sessionsClosed: m.wfad_neo4j_sessions_closed_total ?? -1,
    sessionsOpen: m.wfad_neo4j_sessions_open ?? -1,
    fds: fs.readdirSync(`/proc/${pid}/fd`).length,
    serverConnections: await serverConnections(uri),
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

export async function neo4jOutage(o: OutageOptions): Promise<OutageResult> {
  const log = o.log ?? (() => undefined);
  const downMs = o.downMs ?? 3000;
  const intervalMs = o.intervalMs ?? 50;
  const cfg: LocalServerConfig = localServerConfig(process.env, { home: o.home, port: o.neo4jPort, heap: '1g', pagecache: '128m' });
  const uri = `bolt://${cfg.host}:${cfg.port}`;
  await server.stop(cfg);
  fs.rmSync(path.join(cfg.home, 'data'), { recursive: true, force: true });
  await server.start(cfg, log, { parentPid: process.pid });
  let child: ChildProcess | null = null;
  try {
    const graph: Graph = openGraph({ uri, user: 'neo4j', password: '', database: 'neo4j' });
    let runs: number;
    try {
      await migrate(graph);
      runs = (await ingest(graph, o.dataset)).runsStored;
    } finally {
      await graph.close();
    }
    log(`outage: Neo4j on ${uri} with ${runs} runs; starting wfad serve on port ${o.apiPort} (response cache off)`);

    child = spawn(process.execPath, [WFAD, 'serve', '--port', String(o.apiPort)], {
      env: { ...process.env, NEO4J_URI: uri, NEO4J_PASSWORD: '', WFAD_API_CACHE_TTL_MS: '0', WFAD_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The server's error log lines (pino JSON on stdout): what an INTERNAL_SERVER_ERROR was.
    const serverErrors: string[] = [];
    let partial = '';
    child.stdout?.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        try {
          const e = JSON.parse(l) as { msg?: string; err?: { type?: string; code?: string; message?: string } };
          const text = `${e.msg ?? ''}: ${e.err?.type ?? ''} ${e.err?.code ?? ''} ${(e.err?.message ?? '').slice(0, 200)}`;
          if (serverErrors.length < 200 && !serverErrors.includes(text)) serverErrors.push(text);
        } catch {
          /* not a log line */
        }
      }
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    let exitCode: number | null = null;
    let exited = false;
    const exitedP = new Promise<void>((resolve) => child?.on('exit', (code) => ((exited = true), (exitCode = code), resolve())));
    const base = `http://127.0.0.1:${o.apiPort}`;
    const url = `${base}/graphql`;
    await waitFor(async () => (await request(`${base}/ready`, null)).status === 200, 120_000, `wfad serve to be ready (${stderr})`);
    for (const q of QUERIES) await request(url, q); // warm: first requests load code paths
    await sleep(500);
    const before = await snapshot(base, child.pid as number, uri);

    // The stream: one request every intervalMs, answers not awaited (as independent clients would).
    const t0 = performance.now();
    const now = (): number => performance.now() - t0;
    const records: RequestRecord[] = [];
    const leaks: string[] = [];
    let window: Window = 'before';
    let streaming = true;
    const inFlight = new Set<Promise<void>>();
    let n = 0;
    const stream = (async () => {
      while (streaming) {
        const sentMs = now();
        const w = window;
        const q = QUERIES[n++ % QUERIES.length] as string;
        const p = request(url, q)
          .then(
            ({ status, body }) => {
              const c = classify(status, body);
              if (LEAK.test(body)) leaks.push(body.slice(0, 300));
              records.push({ sentMs, ms: now() - sentMs, window: w, outcome: c.outcome, status, ...(c.detail ? { detail: c.detail } : {}) });
            },
            (err: unknown) => void records.push({ sentMs, ms: now() - sentMs, window: w, outcome: 'other', status: 0, detail: `no HTTP answer: ${(err as Error).message}` }),
          )
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        await sleep(intervalMs);
      }
    })();

    await sleep(2000);
    log('outage: stopping Neo4j');
    window = 'outage';
    const s0 = now();
    await server.stop(cfg);
    const stopMs = now() - s0;
    log(`outage: Neo4j stopped in ${(stopMs / 1000).toFixed(1)} s; down for ${downMs / 1000} s`);
    const readyDuringOutage: number[] = [];
    const healthDuringOutage: number[] = [];
    const downUntil = now() + downMs;
    while (now() < downUntil) {
      readyDuringOutage.push((await request(`${base}/ready`, null)).status);
      healthDuringOutage.push((await request(`${base}/health`, null)).status);
      await sleep(250);
    }
    log('outage: restarting Neo4j');
    const r0 = now();
    await server.start(cfg, log, { parentPid: process.pid });
    const upAt = now();
    const restartMs = upAt - r0;
    window = 'after';
    log(`outage: Neo4j answers Bolt again after ${(restartMs / 1000).toFixed(1)} s; waiting for requests to succeed`);
    const recoverWithin = o.recoverWithinMs ?? 60_000;
    let firstOk: number | null = null;
    while (now() - upAt < recoverWithin) {
      const ok = records.filter((r) => r.outcome === 'ok' && r.sentMs >= upAt);
      if (ok.length > 0) firstOk ??= Math.min(...ok.map((r) => r.sentMs + r.ms)) - upAt;
      // Recovered: 20 successes in a row among requests sent after the restart.
      const last = records.filter((r) => r.sentMs >= upAt).sort((a, b) => a.sentMs - b.sentMs).slice(-20);
      if (last.length === 20 && last.every((r) => r.outcome === 'ok')) break;
      await sleep(100);
    }
    streaming = false;
    await stream;
    await Promise.all([...inFlight]);
    const readyAfter = (await request(`${base}/ready`, null)).status;
    await sleep(1000); // let the pool settle: idle connections stay, per-request sessions are gone
    const afterRecovery = await snapshot(base, child.pid as number, uri);
    const serverAlive = !exited;
    child.kill('SIGTERM');
    await exitedP;

    const pick = (w: Window, oc?: Outcome): RequestRecord[] => records.filter((r) => r.window === w && (oc === undefined || r.outcome === oc));
    const outageMsList = pick('outage').map((r) => r.ms).sort((a, b) => a - b);
    const maxOf = (from: number, to: number): number => Math.round(Math.max(0, ...records.filter((r) => r.sentMs >= from && r.sentMs < to).map((r) => r.ms)));
    const downAt = s0 + stopMs;
    return {
      neo4jPort: o.neo4jPort,
      apiPort: o.apiPort,
      runs,
      requests: { total: records.length, before: pick('before').length, outage: pick('outage').length, after: pick('after').length },
      outage: {
        ok: pick('outage', 'ok').length,
        unavailable: pick('outage', 'unavailable').length,
        other: pick('outage', 'other').length,
        maxMs: Math.round(outageMsList[outageMsList.length - 1] ?? 0),
        p50Ms: Math.round(outageMsList[Math.floor(outageMsList.length / 2)] ?? 0),
      },
      maxMsBySent: { stopping: maxOf(s0, downAt), down: maxOf(downAt, r0), starting: maxOf(r0, upAt) },
      beforeOutcomes: { ok: pick('before', 'ok').length, unavailable: pick('before', 'unavailable').length, other: pick('before', 'other').length },
      after: { ok: pick('after', 'ok').length, unavailable: pick('after', 'unavailable').length, other: pick('after', 'other').length },
      otherSamples: [...new Set(records.filter((r) => r.outcome === 'other').map((r) => r.detail ?? r.outcome))].slice(0, 5),
      leaks: [...new Set(leaks)].slice(0, 5),
      stopMs: Math.round(stopMs),
      outageMs: Math.round(upAt - s0),
      restartMs: Math.round(restartMs),
      firstSuccessAfterRestartMs: firstOk === null ? null : Math.round(firstOk),
      readyDuringOutage,
      readyAfter,
      healthDuringOutage,
      serverAlive,
      serverExitCode: exitCode,
      serverErrors: serverErrors.slice(0, 10),
      before,
      afterRecovery,
    };
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await server.stop(cfg);
  }
}
