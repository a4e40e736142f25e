/**
 * The main command as a user runs it, on its own local Neo4j (own port and data folder, small heap):
 * `wfad start` fills an empty database with a scored sample and serves the API; Ctrl-C leaves a
 * Neo4j that was already running alone; Ctrl-C or a hard kill of a `wfad start` that started its
 * own Neo4j leaves no process and frees the ports; a missing model is a documented exit code.
 * One pre-existing Neo4j start serves the first two cases; each later case needs its own start.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT, localServerConfig } from '../../src/config';
import { generateDataset } from '../../src/generate';
import { openGraph, type Graph } from '../../src/graph/driver';
import * as server from '../../src/localdb/server';
import { count } from '../helpers/neo4j';

const PORT = Number(process.env.WFAD_TEST_START_PORT ?? 7696);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-start-'));
const serverEnv = { WFAD_NEO4J_HOME: path.join(tmp, 'neo4j'), WFAD_NEO4J_PORT: String(PORT), WFAD_NEO4J_HEAP: '512m', WFAD_NEO4J_PAGECACHE: '64m' };
const cfg = localServerConfig(serverEnv);
// NEO4J_URI unset: `wfad start` uses (and, when none runs, starts) the local Neo4j on PORT.
const env: NodeJS.ProcessEnv = { ...process.env, ...serverEnv, NEO4J_URI: undefined };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

interface Started {
  apiPort: number;
  output: () => string;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

const children: ChildProcess[] = [];

/** `wfad start` as a child process; resolves once it is up, or has exited (its code tells why). */
async function launch(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Started> {
  const apiPort = await freePort();
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'wfad.js'), 'start', ...args], { env: { ...env, WFAD_API_PORT: String(apiPort), ...extra }, cwd: PROJECT_ROOT });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  // A start that does not stop when told to must fail the test, not hang it.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const deadline = Date.now() + 240_000;
  while (!out.includes('wfad is up') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
  const bounded = Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 90_000).unref())]) as Promise<number | null>;
  return { apiPort, output: () => out, exited: bounded, kill: (s) => void child.kill(s) };
}

/** Waits (up to `ms`) until `done` holds; returns whether it did. */
async function eventually(done: () => Promise<boolean>, ms = 60_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return done();
}

describe('wfad start on its own local Neo4j', () => {
  let graph: Graph;
  before(async () => {
    await server.start(cfg, () => undefined);
    graph = openGraph({ uri: `bolt://127.0.0.1:${PORT}`, user: 'neo4j', password: '', database: 'neo4j' });
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await graph.close();
    await server.stop(cfg);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('exits with the documented code when a model it needs is missing, leaving the running Neo4j alone', async () => {
    const data = path.join(tmp, 'data');
    generateDataset({ workflows: ['1000genome'], labels: ['normal'], runsPerLabel: 1, seed: 1, out: data });
    const noModels = fs.mkdtempSync(path.join(tmp, 'models-'));
    const s = await launch([data], { WFAD_MODELS_DIR: noModels });
    if (s.output().includes('wfad is up')) s.kill('SIGKILL');
    assert.equal(await s.exited, 6, s.output());
    assert.match(s.output(), /MODEL_MISSING: .*ALL-graph-multiclass is missing/);
    assert.equal((await server.status(cfg)).boltAnswers, true);
    await graph.write((tx) => tx.run('MATCH (n) DETACH DELETE n'));
  });

  it('fills an empty database with a scored sample, serves GraphQL, and Ctrl-C leaves the Neo4j it did not start running', async () => {
    const before = await server.status(cfg);
    assert.ok(before.running && before.pid !== null);
    const s = await launch(['--runs', '1']);
    assert.match(s.output(), /wfad is up/, s.output());
    assert.match(s.output(), /already running .*left running on exit/);

    // 5 workflows × (13 anomaly labels × 1 + 4 normal) runs, every one with a stored prediction.
    const runs = await count(graph, 'MATCH (r:Run) RETURN count(r)');
    assert.equal(runs, 5 * (13 + 4));
    assert.equal(await count(graph, 'MATCH (r:Run) WHERE NOT (r)-[:HAS_PREDICTION]->() RETURN count(r)'), 0);
    assert.equal(await count(graph, 'MATCH (j:Job) WHERE NOT (j)-[:HAS_PREDICTION]->() RETURN count(j)'), 0);
    const res = await fetch(`http://127.0.0.1:${s.apiPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ runs(first: 3, orderBy: { by: SCORE }) { totalCount nodes { id prediction { predicted score stored } } } }' }),
    });
    const body = (await res.json()) as { data: { runs: { totalCount: number; nodes: Array<{ prediction: { predicted: string; stored: boolean } }> } } };
    assert.equal(body.data.runs.totalCount, runs);
    for (const n of body.data.runs.nodes) {
      assert.ok(['normal', 'cpu', 'hdd', 'loss'].includes(n.prediction.predicted));
      assert.equal(n.prediction.stored, true);
    }

    s.kill('SIGINT');
    assert.equal(await s.exited, 0, s.output());
    assert.match(s.output(), /SIGINT: stopping the API…\nstopped\./);
    const after = await server.status(cfg);
    assert.equal(after.pid, before.pid, 'the Neo4j that was running before is still running');
    assert.equal(after.boltAnswers, true);
    assert.equal(await server.portAnswers('127.0.0.1', s.apiPort), false, 'the API port is free');
  });

  it('a hard kill (SIGKILL) leaves no Neo4j behind and frees both ports', async () => {
    await server.stop(cfg);
    const s = await launch(['--runs', '1']);
    assert.match(s.output(), /wfad is up/, s.output());
    assert.match(s.output(), /the database already holds 85 runs/);
    const jvm = (await server.status(cfg)).pid;
    assert.ok(jvm !== null, 'wfad start started a local Neo4j');
    s.kill('SIGKILL');
    await s.exited;
    const gone = await eventually(async () => !server.alive(jvm) && !(await server.portAnswers('127.0.0.1', PORT)));
    assert.ok(gone, `Neo4j (pid ${jvm}) still running ${server.alive(jvm)}, Bolt port ${PORT} answering ${await server.portAnswers('127.0.0.1', PORT)}`);
    assert.equal(await server.portAnswers('127.0.0.1', s.apiPort), false);
  });

  it('Ctrl-C stops the Neo4j it started and frees both ports', async () => {
    const s = await launch(['--runs', '1']);
    assert.match(s.output(), /wfad is up/, s.output());
    const jvm = (await server.status(cfg)).pid;
    assert.ok(jvm !== null);
    s.kill('SIGINT');
    assert.equal(await s.exited, 0, s.output());
    assert.match(s.output(), /stopping the API and the local Neo4j…\nstopped\./);
    assert.equal(server.alive(jvm), false);
    assert.equal(await server.portAnswers('127.0.0.1', PORT), false);
    assert.equal(await server.portAnswers('127.0.0.1', s.apiPort), false);
  });
});
