/**
 * `wfad serve` as a user runs it: listens on the given port (127.0.0.1), answers /health, /ready
 * and GraphQL, logs one JSON line per request, stops on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/config';
import { apiConfig } from '../../src/api/config';
import { startApiServer } from '../../src/api/server';
import { PortInUseError } from '../../src/errors';
import { openGraph, type Graph } from '../../src/graph/driver';
import { wipe } from '../helpers/neo4j';
import { gql } from './harness';

let graph: Graph;
before(async () => {
  graph = openGraph();
  await wipe(graph);
});
after(async () => {
  await graph?.close();
});

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

describe('wfad serve', () => {
  it('serves GraphQL, /health and /ready with JSON logs, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'wfad.js'), 'serve', '--port', String(port)], {
      env: { ...process.env, WFAD_API_KEYS: 'k1', NODE_ENV: 'production' },
      cwd: PROJECT_ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false);
        if (ok) break;
        assert.ok(Date.now() < deadline, `serve did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.match(stderr, new RegExp(`wfad API on http://127\\.0\\.0\\.1:${port}/graphql`));
      const ready = await fetch(`${base}/ready`);
      assert.equal(ready.status, 200);
      const r = await gql(`${base}/graphql`, '{ workflows { name } models { id } }');
      assert.deepEqual(r.data, { workflows: [], models: [] });
      // NODE_ENV=production: introspection off by default.
      const intro = await gql(`${base}/graphql`, '{ __schema { types { name } } }');
      assert.equal(intro.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      const missing = await fetch(`${base}/nope`);
      assert.equal(missing.status, 404);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.some((l) => l.msg === 'wfad API listening'));
    const requests = lines.filter((l) => l.msg === 'request');
    assert.ok(requests.some((l) => l.path === '/graphql' && l.status === 200 && typeof l.ms === 'number'));
    assert.ok(requests.some((l) => l.path === '/ready' && l.status === 200));
    assert.ok(lines.every((l) => typeof l.level === 'number' && typeof l.time === 'string'));
  });

  it('a port already in use: a named BAD_CONFIG error (host:port, --port, WFAD_API_PORT), exit 2, no stack', async () => {
    const holder = net.createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as net.AddressInfo).port)));
    try {
      await assert.rejects(startApiServer({ config: apiConfig({}, { port }), graph }), (e: unknown) => e instanceof PortInUseError && e.code === 'BAD_CONFIG' && e.port === port && e.host === '127.0.0.1');
      const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'wfad.js'), 'serve', '--port', String(port)], { cwd: PROJECT_ROOT });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      assert.equal(code, 2, stderr);
      assert.match(stderr, new RegExp(`wfad: BAD_CONFIG: cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use by another program; stop it or choose another port with --port <port> or WFAD_API_PORT`));
      assert.doesNotMatch(stderr, /unexpected error|EADDRINUSE|\n\s+at /);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
