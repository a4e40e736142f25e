/**
 * The whole real dataset (../shared/datasets/flowgad) through `wfad ingest` into the real Neo4j:
 * every file is stored or rejected with a reason, DAG sizes and job/edge counts are exact, missing
 * values stay missing, and a second ingest changes nothing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Graph } from '../../src/graph/driver';
import type { Stats } from '../../src/graph/stats';
import type { IngestSummary } from '../../src/ingest/pipeline';
import { workflowOfFile } from '../../src/ingest/trace';
import { DATASET, cli, count, skipWithoutDataset, testGraph, wipe } from '../helpers/neo4j';

const DAG_SIZES: Record<string, [number, number]> = {
  '1000genome': [57, 129],
  'nowcast-clustering-8': [13, 20],
  'nowcast-clustering-16': [9, 12],
  'wind-clustering-casa': [7, 8],
  'wind-noclustering-casa': [26, 44],
};

function filesOnDisk(): Map<string, number> {
  const counts = new Map<string, number>();
  const data = path.join(DATASET, 'data');
  for (const label of fs.readdirSync(data)) {
    for (const f of fs.readdirSync(path.join(data, label))) {
      if (!f.endsWith('.csv')) continue;
      const wf = workflowOfFile(f, Object.keys(DAG_SIZES)) ?? '?';
      counts.set(`${wf}|${label}`, (counts.get(`${wf}|${label}`) ?? 0) + 1);
    }
  }
  return counts;
}

describe('ingest of the full flowgad dataset', { skip: skipWithoutDataset }, () => {
  let graph: Graph;
  let first: IngestSummary;
  let stats: Stats;

  before(async () => {
    graph = testGraph();
    await wipe(graph);
    const r = await cli(['ingest', DATASET, '--json']);
    assert.equal(r.code, 0, r.stderr);
    first = JSON.parse(r.stdout) as IngestSummary;
    const s = await cli(['stats', '--json']);
    assert.equal(s.code, 0, s.stderr);
    stats = JSON.parse(s.stdout) as Stats;
  });
  after(async () => graph?.close());

  it('accounts for every file: stored + rejected = present, per workflow and label', () => {
    const present = filesOnDisk();
    const total = [...present.values()].reduce((a, b) => a + b, 0);
    assert.equal(first.files, total);
    assert.equal(first.runsStored + first.rejected.length, total);
    const rejected = new Map<string, number>();
    for (const r of first.rejected) rejected.set(`${r.workflow}|${r.label}`, (rejected.get(`${r.workflow}|${r.label}`) ?? 0) + 1);
    for (const [key, n] of present) {
      const [wf, label] = key.split('|') as [string, string];
      const stored = stats.workflows.find((w) => w.name === wf)?.runs[label] ?? 0;
      assert.equal(stored + (rejected.get(key) ?? 0), n, `${key}: ${stored} stored + ${rejected.get(key) ?? 0} rejected ≠ ${n} files`);
    }
  });

  it('gives each rejection a precise reason', () => {
    assert.ok(first.rejected.length > 0, 'the real dataset has files that do not match their template');
    for (const r of first.rejected) {
      assert.match(r.file, /^data\/[^/]+\/.+\.csv$/);
      assert.ok(r.code, `${r.file} has no code`);
      if (r.code === 'JOB_SET_MISMATCH') assert.match(r.reason, /extra .+; missing .+/);
    }
    // What the dataset holds: one wind-noclustering instance was run with an extra input file.
    const mismatch = first.rejected.filter((r) => r.code === 'JOB_SET_MISMATCH');
    assert.ok(mismatch.every((r) => r.file.includes('wind-noclustering-casa_wind_wf-20200817T052029Z')));
    assert.match(mismatch[0]?.reason ?? '', /file has 27/);
  });

  it('stores the DAG sizes of the README and exact job and edge counts', async () => {
    for (const w of stats.workflows) {
      const [jobs, edges] = DAG_SIZES[w.name] ?? [NaN, NaN];
      assert.equal(w.jobs, jobs, w.name);
      assert.equal(w.edges, edges, w.name);
      const runs = Object.values(w.runs).reduce((a, b) => a + b, 0);
      const cats = Object.values(w.runsByCategory).reduce((a, b) => a + b, 0);
      assert.equal(cats, runs);
      assert.equal(await count(graph, 'MATCH (:Workflow {name: $n})-[:HAS_RUN]->(:Run)-[:HAS_JOB]->(j:Job) RETURN count(j)', { n: w.name }), runs * jobs, `${w.name} jobs`);
      assert.equal(
        await count(graph, 'MATCH (:Workflow {name: $n})-[:HAS_RUN]->(:Run)-[:HAS_JOB]->(:Job)-[f:FEEDS]->() RETURN count(f)', { n: w.name }),
        runs * edges,
        `${w.name} edges`,
      );
    }
    assert.equal(stats.workflows.length, 5);
    assert.equal(stats.incompleteRuns, 0);
    assert.equal(await count(graph, 'MATCH (j:Job) RETURN count(j)'), first.jobs);
    assert.equal(await count(graph, 'MATCH ()-[f:FEEDS]->() RETURN count(f)'), first.edges);
  });

  it('keeps missing values missing and labels from the folder', async () => {
    // This file has no kickstart or bytes columns at all: stored, with those values absent.
    const id = 'cpu_3/1000genome-20200613T072602Z-run0011';
    assert.ok(first.storedWithMissingColumns.some((m) => m.file.endsWith(`${id}.csv`)));
    const res = await graph.read((tx) =>
      tx.run('MATCH (r:Run {id: $id})-[:HAS_JOB]->(j:Job) RETURN r.category AS cat, r.level AS level, collect(j.stageInBytes) AS bytes, collect(j.runtime) AS rt', { id }),
    );
    const rec = res.records[0];
    assert.equal(rec?.get('cat'), 'cpu');
    assert.equal(rec?.get('level'), 3);
    assert.deepEqual(rec?.get('bytes'), []);
    assert.equal((rec?.get('rt') as number[]).length, 57);
    // kickstart cpu_time -1 (no record) is stored as missing, never as -1 or 0.
    assert.equal(await count(graph, 'MATCH (j:Job) WHERE j.cpuTime < 0 RETURN count(j)'), 0);
    assert.ok(first.sentinelValues > 0);
    assert.equal(await count(graph, "MATCH (j:Job) WHERE j.type = 'compute' AND j.kickstartHostname IS NULL AND j.cpuTime IS NOT NULL RETURN count(j)"), 0);
  });

  it('changes nothing when the same files are ingested again', async () => {
    const before = await count(graph, 'MATCH (n) RETURN count(n)');
    const r = await cli(['ingest', DATASET, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const again = JSON.parse(r.stdout) as IngestSummary;
    assert.equal(again.runsStored, 0);
    assert.equal(again.runsUnchanged, first.runsStored);
    assert.equal(again.rejected.length, first.rejected.length);
    assert.equal(again.jobs, 0);
    assert.equal(await count(graph, 'MATCH (n) RETURN count(n)'), before);
  });

  it('counts a run whose jobs were damaged as incomplete', async () => {
    await graph.write((tx) => tx.run("MATCH (j:Job {id: 'normal/1000genome-20200518T045356Z-run0001/sifting_ID0000024'}) DETACH DELETE j"));
    const s = await cli(['stats', '--json']);
    assert.equal((JSON.parse(s.stdout) as Stats).incompleteRuns, 1);
  });
});
