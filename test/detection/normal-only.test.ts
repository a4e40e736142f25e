/**
 * The normal-only detector on small generated datasets (no database): it never reads a label,
 * explains an injected slowdown by the right job and measurement, copes with new workflows, new
 * jobs and a 2,000-job DAG, and its ONNX export scores as the TypeScript reference does (≤ 1e-5).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { toSample, type GraphSample } from '../../src/features/dataset';
import { FEATURE_NAMES, FEATURES, NUM_FEATURES } from '../../src/features/job-features';
import { generateDataset } from '../../src/generate';
import { Predictor } from '../../src/inference';
import { readRunFiles } from '../../src/ingest/records';
import { explainRun } from '../../src/models/explain';
import { anomalyProbability, scoreRun } from '../../src/models/normal-only';
import { deviations } from '../../src/models/normal-profile';
import { exportModelDir, normalOnlyToOnnx } from '../../src/onnx';
import { fitProfile } from '../../src/models/normal-profile';
import { saveModel } from '../../src/train/model-store';
import { DEFAULT_CONFIG, train } from '../../src/train/trainer';
import { trainNormalOnly } from '../../src/train/normal-only-train';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-normal-only-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
generateDataset({ workflows: ['wind-clustering-casa', 'nowcast-clustering-16'], labels: ['normal', 'cpu_3', 'hdd_50'], runsPerLabel: 12, normalRuns: 30, seed: 5, out: path.join(root, 'data') });
const samples = readRunFiles(path.join(root, 'data')).records.map(toSample);
const cfg = { level: 'graph' as const, seed: 3, falseAlarmRate: 0.1, assumeNormal: false, budget: null };
const RUNTIME = FEATURES.findIndex((f) => f.name === 'runtime');

describe('normal-only detector', () => {
  it('never reads a label: poisoning the anomalous runs\' labels (or dropping them) leaves the model unchanged', () => {
    const base = trainNormalOnly(samples, cfg);
    const poisoned: GraphSample[] = samples.map((s) => (s.category === 'normal' ? s : { ...s, label: 'hdd_999', category: 'loss', yMulti: 3, level: 7 }));
    const p = trainNormalOnly(poisoned, cfg);
    assert.deepEqual(p.state, base.state);
    const withoutAnomalous = trainNormalOnly(samples.filter((s) => s.category === 'normal'), cfg);
    assert.deepEqual(withoutAnomalous.state, base.state);
    // …while changing a normal training run does change it (the test can fail).
    const trainRun = base.split.train[0] as number;
    const changed = samples.map((s, i) => (i === trainRun ? { ...s, x: s.x.map((v, k) => (k % NUM_FEATURES === RUNTIME ? v * 50 : v)) } : s));
    assert.notDeepEqual(trainNormalOnly(changed, cfg).state, base.state);
    assert.ok(base.state.trainRuns > 0 && base.state.validationRuns > 0);
  });

  it('unknown truth is used for training only with --assume-normal, and never tested', () => {
    const unlabelled = samples.map((s, i) => (s.category === 'normal' && i % 2 === 0 ? { ...s, label: '', category: '' } : s));
    const strict = trainNormalOnly(unlabelled, cfg);
    const assumed = trainNormalOnly(unlabelled, { ...cfg, assumeNormal: true });
    assert.ok(assumed.state.trainRuns > strict.state.trainRuns);
    for (const r of [strict, assumed]) assert.ok(r.split.test.every((i) => (samples[i] as GraphSample).category !== '' && unlabelled[i]?.category !== ''));
  });

  it('separates the generated anomalies from normal runs and keeps false alarms near the asked rate', () => {
    const r = trainNormalOnly(samples, cfg);
    assert.ok((r.test.rocAuc as number) > 0.8, `ROC-AUC ${r.test.rocAuc}`);
    const normalTest = r.test.confusion[0] as number[];
    assert.ok((normalTest[1] as number) / ((normalTest[0] as number) + (normalTest[1] as number)) <= 0.35);
  });

  it('explains an injected runtime: that job first, runtime its first feature', () => {
    const r = trainNormalOnly(samples, cfg);
    const run = samples[r.split.test.find((i) => (samples[i] as GraphSample).category === 'normal') as number] as GraphSample;
    const j = 3;
    const x = run.x.slice();
    x[j * NUM_FEATURES + RUNTIME] = (x[j * NUM_FEATURES + RUNTIME] as number) * 20 + 600;
    const slow = { ...run, x };
    const ex = explainRun(r.state.profile, slow);
    assert.equal(ex[0]?.index, j);
    assert.equal(ex[0]?.job, run.jobNames?.[j]);
    assert.equal(ex[0]?.features[0]?.name, 'runtime');
    assert.ok((ex[0]?.features[0]?.deviation as number) > 3);
    assert.ok(ex[0]?.features[0]?.value === x[j * NUM_FEATURES + RUNTIME]);
    assert.ok(scoreRun(r.state, slow).run > scoreRun(r.state, run).run);
  });

  it('scores runs of a workflow and jobs it never saw, without crashing', () => {
    const onlyWind = samples.filter((s) => s.workflow === 'wind-clustering-casa');
    const r = trainNormalOnly(onlyWind, cfg);
    const other = samples.find((s) => s.workflow === 'nowcast-clustering-16') as GraphSample;
    const d = deviations(r.state.profile, other);
    assert.ok(d.level.every((l) => l === 'type' || l === 'none'));
    assert.ok(Number.isFinite(scoreRun(r.state, other).run));
    // Another template version: a renamed job falls back to its transformation's baseline.
    const wind = onlyWind[0] as GraphSample;
    const names = [...(wind.jobNames ?? [])];
    const k = names.findIndex((n) => /_ID\d+$/.test(n));
    names[k] = (names[k] as string).replace(/ID\d+$/, 'ID99');
    const d2 = deviations(r.state.profile, { ...wind, jobNames: names });
    assert.equal(d2.level[k], 'group');
    // Without names every job gets its type's baseline.
    assert.ok(deviations(r.state.profile, { workflow: wind.workflow, x: wind.x }).level.every((l) => l === 'type'));
  });

  it('scores a 2,000-job DAG', () => {
    const r = trainNormalOnly(samples, cfg);
    const n = 2000;
    const x = new Float32Array(n * NUM_FEATURES);
    for (let j = 0; j < n; j++) {
      x[j * NUM_FEATURES] = 1; // compute
      x[j * NUM_FEATURES + RUNTIME] = 10 + (j % 7);
    }
    const big = { workflow: 'a-new-workflow', jobNames: Array.from({ length: n }, (_, j) => `task_ID${j}`), x };
    const s = scoreRun(r.state, big);
    assert.equal(s.jobs.length, n);
    assert.ok(Number.isFinite(s.run));
  });

  for (const level of ['graph', 'node'] as const) {
    it(`ONNX export (${level} level) matches the TypeScript scores within 1e-5, through the Predictor`, async () => {
      const r = trainNormalOnly(samples, { ...cfg, level });
      const dir = path.join(root, `model-${level}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'model.onnx'), normalOnlyToOnnx(r.state, { name: 'no', version: 't', workflow: 'ALL', features: FEATURE_NAMES }));
      const predictor = await Predictor.load(dir, { provider: 'cpu', threads: 1, log: () => undefined });
      try {
        assert.equal(predictor.detector, 'normal-only');
        const batch = samples.slice(0, 40);
        // The job-level context groups matter only if some host ran several jobs of a run.
        assert.ok(batch.some((s) => new Set(s.hosts?.filter((h) => h !== null)).size < (s.hosts?.filter((h) => h !== null).length ?? 0)));
        const preds = await predictor.predict(batch);
        let worst = 0;
        preds.forEach((p, b) => {
          const ts = scoreRun(r.state, batch[b] as GraphSample);
          const want = level === 'graph' ? [ts.run] : [...ts.jobs];
          assert.equal(p.verdicts.length, want.length);
          p.verdicts.forEach((v, k) => {
            const pa = anomalyProbability(r.state, want[k] as number);
            worst = Math.max(worst, Math.abs((v.probabilities[1] as number) - pa), Math.abs((v.probabilities[0] as number) - (1 - pa)));
            assert.equal(v.predicted, (want[k] as number) > r.state.threshold ? 'anomalous' : 'normal');
          });
          assert.ok(Array.isArray(p.explanation));
        });
        assert.ok(worst <= 1e-5, `max abs diff ${worst}`);
      } finally {
        await predictor.release();
      }
    });
  }

  it('a supervised GCN saved with a normal profile explains through the Predictor too', async () => {
    const r = train(samples, { ...DEFAULT_CONFIG, hidden: 8, maxEpochs: 2, patience: 2 });
    const profile = fitProfile(samples.filter((s, g) => r.graphSplit[g] === 0 && s.category === 'normal'));
    const dir = path.join(root, 'gcn');
    saveModel(dir, 'gcn', 'ALL', samples, r, { profile });
    exportModelDir(dir);
    const predictor = await Predictor.load(dir, { provider: 'cpu', threads: 1, log: () => undefined });
    try {
      assert.equal(predictor.detector, 'supervised');
      const run = samples.find((s, g) => r.graphSplit[g] === 2 && s.category === 'normal') as GraphSample;
      const x = run.x.slice();
      x[2 * NUM_FEATURES + RUNTIME] = (x[2 * NUM_FEATURES + RUNTIME] as number) * 20 + 600;
      const [p] = await predictor.predict([{ ...run, x }]);
      assert.equal(p?.explanation?.[0]?.index, 2);
      assert.equal(p?.explanation?.[0]?.features[0]?.name, 'runtime');
    } finally {
      await predictor.release();
    }
  });
});
