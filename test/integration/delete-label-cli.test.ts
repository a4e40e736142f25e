/**
 * `wfad delete` and `wfad label` against the real Neo4j: runs are deleted whole (jobs, predictions), only with
 * --yes, ids not stored are named; a run changed on disk is stored again once deleted.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Graph } from '../../src/graph/driver';
import { readRuns } from '../../src/graph/read-runs';
import type { IngestSummary } from '../../src/ingest/pipeline';
import { miniDataset, runCsv } from '../helpers/fixtures';
import { cli, count, testGraph, wipe } from '../helpers/neo4j';

describe('wfad delete', () => {
  let graph: Graph;
  const root = miniDataset({
    'normal/mini-mini-D1-run0001.csv': runCsv('mini-D1', 1000),
    'cpu_2/mini-mini-D1-run0002.csv': runCsv('mini-D1', 2000, 40),
  });
  const A = 'normal/mini-mini-D1-run0001';
  const B = 'cpu_2/mini-mini-D1-run0002';
  before(async () => {
    graph = testGraph();
    await wipe(graph);
  });
  after(async () => {
    await graph?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('deletes a run whole only with --yes, names ids not stored, leaves the other runs', async () => {
    assert.equal((await cli(['ingest', root, '--no-score'])).code, 0);
    await graph.write((tx) => tx.run("MATCH (r:Run {id: $id}) CREATE (r)-[:HAS_PREDICTION]->(:Prediction {id: r.id + '|m@1', modelId: 'm@1'})", { id: A }));

    const refused = await cli(['delete', A]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /refusing to delete 1 run\(s\) without --yes/);
    assert.equal(await count(graph, 'MATCH (r:Run {id: $id}) RETURN count(r)', { id: A }), 1);

    const r = await cli(['delete', A, 'normal/nope', '--yes', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { deleted: [A], jobs: 3, predictions: 1, notStored: ['normal/nope'] });
    assert.equal(await count(graph, 'MATCH (r:Run {id: $id}) RETURN count(r)', { id: A }), 0);
    assert.equal(await count(graph, 'MATCH (j:Job {runId: $id}) RETURN count(j)', { id: A }), 0);
    assert.equal(await count(graph, "MATCH (p:Prediction {modelId: 'm@1'}) RETURN count(p)"), 0);
    assert.equal(await count(graph, 'MATCH (j:Job {runId: $id}) RETURN count(j)', { id: B }), 3, 'the other run is untouched');

    const none = await cli(['delete', 'normal/nope', '--yes']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no stored run has the id "normal\/nope"; nothing deleted/);
  });

  it('a run changed on disk is a CONFLICT naming wfad delete; once deleted, the next ingest stores the new content', async () => {
    fs.writeFileSync(path.join(root, 'data', 'cpu_2', 'mini-mini-D1-run0002.csv'), runCsv('mini-D1', 2000, 55));
    const c = JSON.parse((await cli(['ingest', root, '--no-score', '--json'])).stdout) as IngestSummary;
    const conflict = c.rejected.find((x) => x.code === 'CONFLICT');
    assert.match(conflict?.reason ?? '', new RegExp(`to replace it, delete it first \\(wfad delete ${B.replace('/', '\\/')} --yes\\)`));
    assert.equal((await cli(['delete', B, '--yes'])).code, 0);
    const s = JSON.parse((await cli(['ingest', root, '--no-score', '--json'])).stdout) as IngestSummary;
    assert.ok(s.storedRunIds.includes(B), JSON.stringify(s.rejected));
    assert.equal(await count(graph, "MATCH (j:Job {runId: $id, name: 'work_ID01'}) RETURN count(j)", { id: B }), 1);
  });
});

describe('wfad label', () => {
  let graph: Graph;
  const root = miniDataset({
    'normal/mini-mini-L1-run0001.csv': runCsv('mini-L1', 1000),
    'runs/mini-mini-L1-run0002.csv': runCsv('mini-L1', 2000),
  });
  const LABELLED = 'normal/mini-mini-L1-run0001';
  const UNLABELLED = 'runs/mini-mini-L1-run0002';
  before(async () => {
    graph = testGraph();
    await wipe(graph);
  });
  after(async () => {
    await graph?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('gives an unlabelled run and its jobs a truth (job table included), keeps a truth from the source, refuses an unknown label', async () => {
    const s = JSON.parse((await cli(['ingest', root, '--no-score', '--json'])).stdout) as IngestSummary;
    assert.equal(s.runsUnlabelled, 1);
    assert.equal((await readRuns(graph, { labelled: true })).length, 1);

    const bad = await cli(['label', UNLABELLED, '--as', 'Normal']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--as "Normal": expected normal or <cpu\|hdd\|loss>_<level>/);

    const r = await cli(['label', UNLABELLED, LABELLED, 'runs/nope', '--as', 'normal', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { labelled: [UNLABELLED], alreadyLabelled: [{ id: LABELLED, label: 'normal' }], jobs: 3, notStored: ['runs/nope'] });
    const runs = new Map((await readRuns(graph, { labelled: true })).map((x) => [x.id, x]));
    const got = runs.get(UNLABELLED);
    assert.ok(got, 'the labelled run is now a training run');
    assert.equal(got.category, 'normal');
    assert.deepEqual(got.jobLabels, ['normal', 'normal', 'normal'], 'its jobs took the run truth, in the job table too');
    assert.equal(await count(graph, "MATCH (:Run {id: $id})-[:HAS_JOB]->(j:Job {label: 'normal', category: 'normal'}) RETURN count(j)", { id: UNLABELLED }), 3);

    // Unchanged on disk: the next ingest skips it and keeps the truth given.
    const again = JSON.parse((await cli(['ingest', root, '--no-score', '--json'])).stdout) as IngestSummary;
    assert.equal(again.runsUnchanged, 2);
    assert.equal(await count(graph, "MATCH (r:Run {id: $id, label: 'normal'}) RETURN count(r)", { id: UNLABELLED }), 1);
  });
});
