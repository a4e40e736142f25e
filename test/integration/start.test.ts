/**
 * The main command as a user runs it: `wfad start` on an empty database generates and ingests a
 * sample, scores it with the sample models, serves the API; SIGINT stops it with exit code 0.
 * (On the harness's NEO4J_URI, so it starts no Neo4j of its own.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/config';
import type { Graph } from '../../src/graph/driver';
import { count, testGraph, wipe } from '../helpers/neo4j';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('wfad start', () => {
  let graph: Graph;
  before(async () => {
    graph = testGraph();
    await wipe(graph);
  });
  after(async () => graph.close());

  it('fills an empty database with a scored sample, answers GraphQL, and stops cleanly on SIGINT', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'wfad.js'), 'start', '--runs', '2'], {
      env: { ...process.env, WFAD_API_PORT: String(port) },
      cwd: PROJECT_ROOT,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 240_000;
    while (!out.includes('wfad is up') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 250));
    assert.match(out, /wfad is up/, out);

    // 5 workflows × (13 anomaly labels × 2 + 8 normal) runs, every one with a stored prediction.
    const runs = await count(graph, 'MATCH (r:Run) RETURN count(r)');
    assert.equal(runs, 5 * (13 * 2 + 8));
    assert.equal(await count(graph, 'MATCH (r:Run) WHERE NOT (r)-[:HAS_PREDICTION]->() RETURN count(r)'), 0);
    assert.equal(await count(graph, 'MATCH (j:Job) WHERE NOT (j)-[:HAS_PREDICTION]->() RETURN count(j)'), 0);

    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ runs(first: 3, orderBy: { by: SCORE }) { totalCount nodes { id prediction { predicted score stored } } } }' }),
    });
    const body = (await res.json()) as { data: { runs: { totalCount: number; nodes: Array<{ prediction: { predicted: string; score: number; stored: boolean } }> } } };
    assert.equal(body.data.runs.totalCount, runs);
    for (const n of body.data.runs.nodes) {
      assert.ok(['normal', 'cpu', 'hdd', 'loss'].includes(n.prediction.predicted));
      assert.equal(n.prediction.stored, true);
    }

    child.kill('SIGINT');
    assert.equal(await exited, 0, out);
    assert.match(out, /stopped\./);
  });
});
