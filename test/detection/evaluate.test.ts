/**
 * `wfad evaluate` (cli/detect.ts evaluateModel) against the test Neo4j: a saved model scored
 * through ONNX on its recorded test runs gives the training's own test figures, and on a workflow
 * it never saw it scores every run of that workflow (transfer).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { evaluateModel, formatEvaluation, trainAndSaveNormalOnly } from '../../src/cli/detect';
import { anySample } from '../../src/features/dataset';
import type { Graph } from '../../src/graph/driver';
import { readRuns } from '../../src/graph/read-runs';
import { generateDataset } from '../../src/generate';
import { ingest } from '../../src/ingest/pipeline';
import { testGraph, wipe } from '../helpers/neo4j';

let graph: Graph;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-evaluate-'));
before(async () => {
  graph = testGraph();
  await wipe(graph);
  generateDataset({ workflows: ['wind-clustering-casa', 'nowcast-clustering-16'], labels: ['normal', 'cpu_3', 'loss_5'], runsPerLabel: 10, normalRuns: 25, seed: 8, out: path.join(tmp, 'data') });
  const s = await ingest(graph, path.join(tmp, 'data'));
  assert.equal(s.rejected.length, 0);
});
after(async () => {
  await graph?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('evaluate a saved model', () => {
  it('on its test runs: the figures of its training, scored through ONNX', async () => {
    const samples = (await readRuns(graph)).map(anySample);
    const dir = path.join(tmp, 'all-normal-only');
    const { card } = trainAndSaveNormalOnly(samples, 'ALL', { level: 'graph', seed: 1, falseAlarmRate: 0.1, assumeNormal: false, budget: null }, dir, 'test');
    const r = await evaluateModel(graph, dir);
    assert.equal(r.runs, 'test');
    assert.equal(r.detector, 'normal-only');
    assert.equal(r.n, card.testRuns.length);
    assert.equal(r.n, card.metrics.test.n);
    assert.ok(Math.abs((r.rocAuc as number) - (card.metrics.test.rocAuc as number)) < 1e-3, `${r.rocAuc} vs ${card.metrics.test.rocAuc}`);
    assert.deepEqual(Object.keys(r.perWorkflow).sort(), ['nowcast-clustering-16', 'wind-clustering-casa']);
    assert.deepEqual(Object.keys(r.perCategory).sort(), ['cpu', 'loss']);
    assert.match(formatEvaluation(r), /ROC-AUC/);
  });

  it('on a workflow it was not trained on: every run of it (transfer)', async () => {
    const samples = (await readRuns(graph, { workflows: ['wind-clustering-casa'] })).map(anySample);
    const dir = path.join(tmp, 'wind-normal-only');
    trainAndSaveNormalOnly(samples, 'wind-clustering-casa', { level: 'graph', seed: 1, falseAlarmRate: 0.1, assumeNormal: false, budget: null }, dir, 'test');
    const r = await evaluateModel(graph, dir, 'nowcast-clustering-16');
    assert.equal(r.runs, 'transfer');
    assert.equal(r.n, 25 + 2 * 10);
    assert.equal(r.workflow, 'nowcast-clustering-16');
    await assert.rejects(evaluateModel(graph, dir, 'no-such-workflow'), /no stored runs/);
  });
});
