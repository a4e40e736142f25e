/**
 * The bulk-import ingest SIGKILLed at each of its steps — writing the importer's files, the
 * importer running, the server stopped for the move, the schema not yet applied — on real flowgad
 * runs: afterwards the store is empty (as before) or complete, never partial; no importer keeps
 * running; and the next ingest ends with exactly the counts a clean ingest gives.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanCounts, countProblems, partialProblems, storeState, type CleanCounts } from '../../bench/faults/ingest-kill';
import { WFAD } from '../../bench/faults/process';
import { PROJECT_ROOT, localServerConfig, type LocalServerConfig } from '../../src/config';
import { nodesBeyondSchema } from '../../src/graph/bulk/store-empty';
import { openGraph, type Graph } from '../../src/graph/driver';
import { migrate } from '../../src/graph/migrations';
import type { IngestSummary } from '../../src/ingest/pipeline';
import * as server from '../../src/localdb/server';
import { skipWithoutDataset, testGraph, wipe } from '../helpers/neo4j';
import { realSubset } from '../helpers/real-subset';

/** Runs `wfad ingest` and SIGKILLs it when its stderr first shows `marker` (null: runs to the end). */
function ingestKilledAt(args: string[], env: NodeJS.ProcessEnv, marker: RegExp | null): Promise<{ killed: boolean; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WFAD, 'ingest', ...args], { env: { ...process.env, ...env }, cwd: PROJECT_ROOT });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (marker && !killed && marker.test(stderr)) killed = child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ killed, code, stdout, stderr }));
  });
}

/** Importer processes (our launcher class) working for this home. */
function importersFor(home: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => l.includes('dev.wfad.neo4j.BulkImport') && l.includes(home));
}

describe('bulk-import ingest killed with SIGKILL at each step', { skip: skipWithoutDataset }, () => {
  let cfg: LocalServerConfig;
  let graph: Graph;
  let root: string;
  let clean: CleanCounts;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    root = realSubset(['normal', 'cpu_3'], 4);
    clean = cleanCounts(root);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-bulk-kill-'));
    cfg = localServerConfig(process.env, { home, port: Number(process.env.WFAD_TEST_BULK_NEO4J_PORT ?? 7697) });
    await server.start(cfg, () => undefined, { parentPid: process.pid });
    const harness = testGraph();
    graph = openGraph({ ...harness.conn, uri: `bolt://${cfg.host}:${cfg.port}`, database: 'neo4j' });
    await harness.close();
    await migrate(graph);
    env = { NEO4J_URI: `bolt://${cfg.host}:${cfg.port}`, NEO4J_DATABASE: 'neo4j', WFAD_NEO4J_HOME: cfg.home, WFAD_NEO4J_PORT: String(cfg.port), WFAD_BULK_MIN_RUNS: '1' };
  });
  after(async () => {
    await graph?.close();
    if (cfg) {
      await server.stop(cfg);
      fs.rmSync(cfg.home, { recursive: true, force: true });
    }
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const steps: Array<[string, RegExp]> = [
    ['its files were written, the importer starting', /bulk import: \d+ nodes/],
    ['importer running, the server stopping', /\(1\/4\) Node import/],
    ['the imported store marked complete, not yet moved in', /moving the imported store/],
    ['store moved in, schema not yet applied', /server started on the imported store/],
  ];
  for (const [step, marker] of steps) {
    it(`killed while ${step}: the store is empty or complete, and the next ingest completes it`, async () => {
      await wipe(graph);
      const k = await ingestKilledAt([root, '--no-score', '--json'], env, marker);
      assert.ok(k.killed, `not killed (exit ${k.code}): ${k.stderr.slice(-500)}`);
      // The importer's watchdog ends it within a second of its ingest.
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(importersFor(cfg.home), []);
      // The killed ingest may have stopped the server, or left it shutting down: (re)start it as its
      // operator would.
      if (!(await server.status(cfg)).boltAnswers) await server.stop(cfg);
      await server.start(cfg, () => undefined, { parentPid: process.pid });
      // A store the importer finished but the kill kept from being moved in: the next ingest moves it.
      const pending = fs.existsSync(path.join(cfg.home, 'bulk-import', 'READY'));
      const s = await storeState(graph);
      if (s.runs === 0) assert.equal(await nodesBeyondSchema(graph), 0, 'empty: no node left behind');
      else assert.deepEqual([...countProblems(s, clean), ...partialProblems(s)], [], `complete after a kill while ${step}`);

      const done = await ingestKilledAt([root, '--no-score', '--json'], env, null);
      assert.equal(done.code, 0, done.stderr.slice(-800));
      const summary = JSON.parse(done.stdout) as IngestSummary;
      assert.equal(summary.storePath.path, s.runs === 0 && !pending ? 'bulk' : 'transactional', summary.storePath.reason);
      const end = await storeState(graph);
      assert.deepEqual([...countProblems(end, clean), ...partialProblems(end)], []);
      assert.ok(!fs.existsSync(path.join(cfg.home, 'bulk-import')), 'no staging folder left');
    });
  }
});
