/**
 * Generated traces through the real ingest into the real Neo4j: `wfad generate` (CLI) writes all
 * five workflows × the 14 flowgad labels, `wfad ingest` stores every file, the stats count them
 * right with no incomplete run, and the stored runs become training samples.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toSample } from '../../src/features/dataset';
import { REAL_LABELS, WORKFLOWS, shapeOf, type GenerateSummary } from '../../src/generate';
import type { Graph } from '../../src/graph/driver';
import { readRuns } from '../../src/graph/read-runs';
import { stats } from '../../src/graph/stats';
import { ingest, type IngestSummary } from '../../src/ingest/pipeline';
import { readRunFiles } from '../../src/ingest/records';
import { cli, count, testGraph, wipe } from '../helpers/neo4j';

const RUNS = 2;

describe('generated traces in Neo4j', () => {
  let graph: Graph;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-gen-ingest-'));
  before(async () => {
    graph = testGraph();
    await wipe(graph);
  });
  after(async () => {
    await graph?.close();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('wfad generate --json writes what it reports', async () => {
    const r = await cli(['generate', '--workflow', 'all', '--runs', String(RUNS), '--anomaly', 'all', '--seed', '42', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as GenerateSummary;
    assert.equal(s.runs, WORKFLOWS.length * REAL_LABELS.length * RUNS);
    assert.deepEqual(s.labels, [...REAL_LABELS]);
    assert.equal(s.seed, 42);
    assert.equal(fs.readdirSync(path.join(out, 'adjacency_list_dags')).length, 5);
  });

  it('the ingest stores every generated run: zero rejected, counts right, no incomplete run', async () => {
    const summary: IngestSummary = await ingest(graph, out);
    const runs = WORKFLOWS.length * REAL_LABELS.length * RUNS;
    assert.deepEqual(summary.rejected, []);
    assert.equal(summary.files, runs);
    assert.equal(summary.runsStored, runs);
    const jobs = WORKFLOWS.reduce((a, w) => a + shapeOf(w).jobs.length, 0) * REAL_LABELS.length * RUNS;
    const edges = WORKFLOWS.reduce((a, w) => a + shapeOf(w).edges.length, 0) * REAL_LABELS.length * RUNS;
    assert.equal(summary.jobs, jobs);
    assert.equal(summary.edges, edges);
    assert.equal(summary.derivedValues, 0);
    assert.equal(summary.sentinelValues, 0);
    assert.deepEqual(summary.storedWithMissingColumns, []);

    const s = await stats(graph);
    assert.equal(s.incompleteRuns, 0);
    assert.deepEqual(s.workflows.map((w) => w.name).sort(), [...WORKFLOWS].sort());
    for (const w of s.workflows) {
      const shape = shapeOf(w.name as (typeof WORKFLOWS)[number]);
      assert.equal(w.jobs, shape.jobs.length);
      assert.equal(w.edges, shape.edges.length);
      assert.deepEqual(w.runs, Object.fromEntries([...REAL_LABELS].map((l) => [l, RUNS])), `${w.name} runs by label`);
      assert.deepEqual(w.runsByCategory, { normal: RUNS, cpu: 2 * RUNS, hdd: 6 * RUNS, loss: 5 * RUNS });
    }
    assert.equal(await count(graph, 'MATCH (:Job)-[f:FEEDS]->(:Job) RETURN count(f)'), edges);
    // Re-ingesting the same files changes nothing.
    const again = await ingest(graph, out);
    assert.equal(again.runsStored, 0);
    assert.equal(again.runsUnchanged, runs);
  });

  it('stored runs read back as samples with the right labels and DAGs', async () => {
    const records = await readRuns(graph);
    assert.equal(records.length, WORKFLOWS.length * REAL_LABELS.length * RUNS);
    const samples = records.map(toSample);
    const byCategory = new Map<number, number>();
    for (const s of samples) {
      const shape = shapeOf(s.workflow as (typeof WORKFLOWS)[number]);
      assert.equal(s.numNodes, shape.jobs.length);
      assert.equal(s.edgeIndex.length, 2 * shape.edges.length);
      byCategory.set(s.yMulti, (byCategory.get(s.yMulti) ?? 0) + 1);
      assert.ok([...s.x].some((v) => v > 0));
    }
    assert.deepEqual([...byCategory.entries()].sort(), [[0, 10], [1, 20], [2, 60], [3, 50]]);
  });

  it('reading the files directly (offline benches) gives the records read back from Neo4j', async () => {
    const fromDb = await readRuns(graph);
    const fromFiles = readRunFiles(out);
    assert.deepEqual(fromFiles.rejected, []);
    assert.equal(fromFiles.records.length, fromDb.length);
    assert.deepEqual(fromFiles.records, fromDb);
  });
});
