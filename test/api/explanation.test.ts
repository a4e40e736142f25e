/**
 * Prediction.explanation over GraphQL: a normal-only detector's live verdict explains the run
 * (jobs ranked by contribution, features with value/normal/deviation), a prediction stored by
 * `scoreRuns` is explained the same way when asked (nothing extra stored), one stored with an
 * explanation by an earlier version answers that one, and a model without a normal profile null.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { trainAndSaveNormalOnly } from '../../src/cli/detect';
import { anySample } from '../../src/features/dataset';
import { registerModel } from '../../src/graph/predictions';
import { readRuns } from '../../src/graph/read-runs';
import { auth, gql, runId, startHarness, type Harness } from './harness';

let h: Harness;
let dir: string;
let modelId: string;
before(async () => {
  h = await startHarness(48);
  const samples = (await readRuns(h.graph)).map(anySample);
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-explain-')), 'mini-normal-only');
  const { card } = trainAndSaveNormalOnly(samples, 'mini', { level: 'graph', seed: 0, falseAlarmRate: 0.05, assumeNormal: false, budget: null }, dir, 'test');
  modelId = `${card.name}@${card.version}`;
  await registerModel(h.graph, { id: modelId, name: card.name, version: card.version, workflow: card.workflow, level: card.level, task: card.task, classes: card.classes, metrics: JSON.stringify(card.metrics), path: dir });
});
after(async () => {
  await h?.close();
  if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

const Q = `query($id: ID!, $m: String) { run(id: $id) { prediction(model: $m) { stored score predicted
  explanation { job index contribution score baseline features { name value normal deviation } } } } }`;

describe('Prediction.explanation', () => {
  it('live: an anomalous run is explained by its slow compute job and its runtime', async () => {
    // Anomalous runs of the harness have a slow compute job (runtime 40+ s against 10-12 s).
    const r = await gql(h.url, Q, { id: runId(1), m: modelId });
    assert.equal(r.errors, undefined, r.raw);
    const p = r.data?.run.prediction;
    assert.equal(p.stored, false);
    const ex = p.explanation as Array<{ job: string; contribution: number; features: Array<{ name: string; value: number; normal: number; deviation: number }> }>;
    assert.ok(ex.length > 0);
    for (let i = 1; i < ex.length; i++) assert.ok((ex[i - 1] as { contribution: number }).contribution >= (ex[i] as { contribution: number }).contribution, 'ranked by contribution');
    const top = ex[0] as (typeof ex)[number];
    assert.match(top.features[0]?.name as string, /^runtime/);
    assert.ok((top.features[0]?.deviation as number) > 3);
    const rt = top.features.find((f) => f.name === 'runtime');
    if (rt) assert.ok(rt.value > rt.normal);
  });

  it('a prediction stored by scoreRuns is explained when asked, the same as live', async () => {
    const live = (await gql(h.url, Q, { id: runId(1), m: modelId })).data?.run.prediction;
    const s = await gql(h.url, `mutation($m: String) { scoreRuns(model: $m) { runsScored } }`, { m: modelId }, auth());
    assert.equal(s.errors, undefined, s.raw);
    const stored = (await gql(h.url, Q, { id: runId(1), m: modelId })).data?.run.prediction;
    assert.equal(stored.stored, true);
    assert.ok(live.explanation.length > 0);
    assert.deepEqual(stored.explanation, live.explanation);
    const raw = await h.graph.read((tx) => tx.run('MATCH (p:Prediction {id: $id}) RETURN p.explanation AS e', { id: `${runId(1)}|${modelId}` }));
    assert.equal(raw.records[0]?.get('e'), null, 'not stored: computed from the run and the profile');
  });

  it('an explanation stored with the prediction (by an earlier version) is the one answered', async () => {
    const old = [{ job: 'earlier', index: 0, contribution: 1, score: 2, baseline: 'job', features: [{ name: 'runtime', value: 50, normal: 10, deviation: 4 }] }];
    const id = `${runId(2)}|${modelId}`;
    await h.graph.write((tx) => tx.run('MATCH (p:Prediction {id: $id}) SET p.explanation = $e', { id, e: JSON.stringify(old) }));
    try {
      const r = await gql(h.url, Q, { id: runId(2), m: modelId });
      assert.equal(r.errors, undefined, r.raw);
      assert.deepEqual(r.data?.run.prediction.explanation, old);
    } finally {
      await h.graph.write((tx) => tx.run('MATCH (p:Prediction {id: $id}) REMOVE p.explanation', { id }));
    }
  });

  it('a stored NaN score (an older version\'s) answers null with INVALID_PREDICTION for that run alone, not an internal error', async () => {
    const s = await gql(h.url, `mutation($m: String) { scoreRuns(model: $m) { runsScored } }`, { m: modelId }, auth());
    assert.equal(s.errors, undefined, s.raw);
    const id = `${runId(2)}|${modelId}`;
    const before = await h.graph.read((tx) => tx.run('MATCH (p:Prediction {id: $id}) RETURN p.score AS s, p.probabilities AS pr', { id }));
    await h.graph.write((tx) => tx.run("MATCH (p:Prediction {id: $id}) SET p.score = toFloat('NaN'), p.probabilities = [toFloat('NaN'), toFloat('NaN')]", { id }));
    try {
      for (const q of [
        `query($m: String) { runs(filter: {workflow: "mini"}, first: 50) { nodes { id prediction(model: $m) { score } } } }`,
        `query($m: String) { runs(filter: {workflow: "mini"}, first: 50) { nodes { id prediction(model: $m) { score probabilities { probability } } } } }`,
      ]) {
        const r = await gql(h.url, q, { m: modelId });
        const nodes = r.data?.runs.nodes as Array<{ id: string; prediction: { score: number } | null }>;
        assert.ok(nodes, r.raw);
        assert.equal(r.errors?.length, 1, r.raw);
        const err = r.errors?.[0] as { message: string; path?: unknown[]; extensions?: Record<string, unknown> };
        assert.equal(err.extensions?.code, 'INVALID_PREDICTION', r.raw);
        assert.equal(err.extensions?.model, modelId);
        assert.match(err.message, new RegExp(runId(2).replace(/[/]/g, '\\/')));
        assert.equal(nodes.find((n) => n.id === runId(2))?.prediction, null);
        const others = nodes.filter((n) => n.id !== runId(2));
        assert.ok(others.length > 1 && others.every((n) => n.prediction !== null && Number.isFinite(n.prediction.score)), r.raw);
      }
    } finally {
      const b = before.records[0];
      await h.graph.write((tx) => tx.run('MATCH (p:Prediction {id: $id}) SET p.score = $s, p.probabilities = $pr', { id, s: b?.get('s'), pr: b?.get('pr') }));
    }
  });

  it('null for a model without a normal profile', async () => {
    const r = await gql(h.url, Q, { id: runId(1), m: h.binaryModel.id });
    assert.equal(r.errors, undefined, r.raw);
    assert.equal(r.data?.run.prediction.explanation, null);
  });
});
