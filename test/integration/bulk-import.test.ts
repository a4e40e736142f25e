/**
 * The bulk-import path against the transactional one: the same inputs (real flowgad runs with
 * Flow-Bench runs beside them; a Pegasus submit directory) stored both ways give the same graph —
 * nodes, properties, relationships, constraints and indexes — and a second ingest into the
 * bulk-filled store goes by transactions and changes nothing.
 *
 * Transactions go to the harness's Neo4j; the bulk importer to a local server of this test's own
 * (the importer takes its database offline), on WFAD_TEST_BULK_NEO4J_PORT (default 7697).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT, localServerConfig, type LocalServerConfig } from '../../src/config';
import { openGraph, type Graph } from '../../src/graph/driver';
import { migrate } from '../../src/graph/migrations';
import { ingest, type IngestOptions } from '../../src/ingest/pipeline';
import * as server from '../../src/localdb/server';
import { dumpGraph } from '../helpers/graph-dump';
import { skipWithoutDataset, testGraph, wipe } from '../helpers/neo4j';
import { copySubmitDirs, haveSubmitDirs } from '../helpers/pegasus-fixtures';
import { realSubset } from '../helpers/real-subset';

const FB = path.resolve(process.env.WFAD_FLOWBENCH ?? path.join(PROJECT_ROOT, '..', 'shared', 'datasets', 'flowbench-sample'));

/** flowgad runs plus two Flow-Bench runs per label folder, one root; the Flow-Bench DAG named by --template. */
function mixedCsvRoot(): { root: string; opts: IngestOptions } {
  const root = realSubset(['normal', 'cpu_3', 'loss_0.5'], 1);
  if (!fs.existsSync(path.join(FB, 'data'))) return { root, opts: {} };
  for (const f of fs.readdirSync(path.join(FB, 'adjacency_list_dags'))) fs.copyFileSync(path.join(FB, 'adjacency_list_dags', f), path.join(root, 'adjacency_list_dags', f));
  for (const label of ['normal', 'cpu_2']) {
    fs.mkdirSync(path.join(root, 'data', label), { recursive: true });
    const files = fs.readdirSync(path.join(FB, 'data', label)).sort();
    for (const wf of ['1000-genome', 'predict-future-sales']) {
      for (const f of files.filter((x) => x.startsWith(`${wf}-run`)).slice(0, 1)) fs.copyFileSync(path.join(FB, 'data', label, f), path.join(root, 'data', label, f));
    }
  }
  return { root, opts: { templates: [{ workflow: '1000-genome', file: path.join(root, 'adjacency_list_dags', '1000genome_new_2022.json') }] } };
}

describe('bulk import into the empty local store', { skip: skipWithoutDataset }, () => {
  let harness: Graph;
  let local: Graph;
  let cfg: LocalServerConfig;
  const saved = { ...process.env };
  const roots: string[] = [];

  before(async () => {
    harness = testGraph();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-bulk-home-'));
    cfg = localServerConfig(process.env, { home, port: Number(process.env.WFAD_TEST_BULK_NEO4J_PORT ?? 7697) });
    await server.start(cfg, () => undefined, { parentPid: process.pid });
    local = openGraph({ ...harness.conn, uri: `bolt://${cfg.host}:${cfg.port}`, database: 'neo4j' });
    await migrate(local);
  });
  after(async () => {
    process.env = saved;
    await harness?.close();
    await local?.close();
    if (cfg) {
      await server.stop(cfg);
      fs.rmSync(cfg.home, { recursive: true, force: true });
    }
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  /** Ingests `root` both ways; returns both summaries after asserting the two stores are equal. */
  async function bothWays(root: string, opts: IngestOptions) {
    await wipe(harness);
    const tx = await ingest(harness, root, { ...opts, bulk: 'never' });
    const want = await dumpGraph(harness);
    // The bulk ingest sees the local server as the one wfad manages (its home, its port).
    process.env = { ...saved, NEO4J_URI: `bolt://${cfg.host}:${cfg.port}`, WFAD_NEO4J_HOME: cfg.home, WFAD_NEO4J_PORT: String(cfg.port) };
    try {
      await wipe(local);
      const bulk = await ingest(local, root, { ...opts, bulk: 'always' });
      const got = await dumpGraph(local);
      assert.equal(tx.storePath.path, 'transactional');
      assert.equal(bulk.storePath.path, 'bulk', bulk.storePath.reason);
      assert.ok(got.nodes.length > 0);
      assert.deepEqual(got.schema, want.schema);
      assert.deepEqual(got.nodes, want.nodes);
      assert.deepEqual(got.relationships, want.relationships);
      assert.deepEqual(bulk.rejected, tx.rejected);
      assert.deepEqual([bulk.runsStored, bulk.jobs, bulk.edges, bulk.runsUnchanged], [tx.runsStored, tx.jobs, tx.edges, tx.runsUnchanged]);
      assert.ok(!fs.existsSync(path.join(cfg.home, 'bulk-import')), 'staging folder removed');
      // Again: the store is no longer empty, so transactions; every run unchanged, nothing written.
      const again = await ingest(local, root, opts);
      assert.equal(again.storePath.path, 'transactional');
      assert.match(again.storePath.reason, /already holds/);
      assert.equal(again.runsStored, 0);
      assert.equal(again.runsUnchanged, bulk.runsStored + bulk.runsUnchanged);
      assert.deepEqual(await dumpGraph(local), got);
      return { tx, bulk, got };
    } finally {
      process.env = { ...saved };
    }
  }

  it('CSV traces (flowgad and Flow-Bench runs): the same graph both ways, and a re-run changes nothing', async () => {
    const { root, opts } = mixedCsvRoot();
    roots.push(root);
    const { bulk } = await bothWays(root, opts);
    assert.ok(bulk.runsStored >= 15, `${bulk.runsStored} runs`);
  });

  it('a Pegasus submit directory with sub-workflows: the same graph both ways', { skip: haveSubmitDirs ? false : 'Pegasus submit directories not found' }, async () => {
    const root = copySubmitDirs('hierarchical_wf_success');
    roots.push(root);
    const { bulk, got } = await bothWays(root, {});
    assert.ok(bulk.runsStored >= 2, `${bulk.runsStored} runs`);
    assert.ok(got.relationships.some((r) => r.includes('[SUBWORKFLOW_OF')) && got.relationships.some((r) => r.includes('[RUNS')), 'sub-workflow links stored');
  });
});
