/**
 * Evaluating a trained model on other samples (train/evaluate.ts), putting runs in another
 * template's order (features/align.ts) and reading runs from files (ingest/records.ts), on small
 * generated datasets: no database.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { alignRun } from '../../src/features/align';
import { toSample } from '../../src/features/dataset';
import { generateDataset } from '../../src/generate';
import type { RunRecord } from '../../src/graph/read-runs';
import { readRunFiles } from '../../src/ingest/records';
import { Rng } from '../../src/nn/random';
import { evaluate } from '../../src/train/evaluate';
import { DEFAULT_CONFIG, train } from '../../src/train/trainer';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-eval-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
generateDataset({ workflows: ['wind-clustering-casa', 'nowcast-clustering-16'], labels: ['normal', 'cpu_3', 'hdd_100', 'loss_5'], runsPerLabel: 10, seed: 2, out: root });
const { records, rejected } = readRunFiles(root);

describe('readRunFiles', () => {
  it('reads every generated run with its template-ordered jobs and DAG', () => {
    assert.deepEqual(rejected, []);
    assert.equal(records.length, 2 * 4 * 10);
    const r = records.find((x) => x.workflow === 'wind-clustering-casa') as RunRecord;
    assert.equal(r.jobNames.length, 7);
    assert.match(r.jobNames[0] as string, /^create_dir_casa_wind_wf-\d{8}T\d{6}Z_0_condorpool$/);
    assert.equal(r.edges.length, 2 * 8);
    assert.ok(records.every((x, i) => i === 0 || (records[i - 1] as RunRecord).id < x.id), 'sorted by id');
  });
});

describe('alignRun', () => {
  it('puts a shuffled run back in template order: same features, same edges', () => {
    const rng = new Rng(9);
    for (const run of records.slice(0, 20)) {
      const perm = rng.shuffle(run.jobNames.map((_, i) => i));
      // shuffled: job k of the shuffled run is job perm[k] of the original.
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, k) => (inverse[p] = k));
      const shuffled: RunRecord = { ...run, jobNames: perm.map((p) => run.jobNames[p] as string), jobs: perm.map((p) => run.jobs[p] as RunRecord['jobs'][number]), edges: run.edges.map((v) => inverse[v] as number) };
      // The target order may name another instance: matching ignores it.
      const order = run.jobNames.map((n) => n.replace(/wf-[0-9TZ]+_0_condorpool$/, 'wf-00000000T000000Z_0_condorpool'));
      const back = alignRun(shuffled, order);
      assert.deepEqual(back.jobNames, run.jobNames);
      const a = toSample(run);
      const b = toSample(back);
      assert.deepEqual(Array.from(b.x), Array.from(a.x));
      const pairs = (r: RunRecord): string[] => Array.from({ length: r.edges.length / 2 }, (_, e) => `${r.edges[2 * e]}>${r.edges[2 * e + 1]}`).sort();
      assert.deepEqual(pairs(back), pairs(run));
    }
  });

  it('refuses a run whose jobs are not the template\'s', () => {
    const run = records.find((x) => x.workflow === 'wind-clustering-casa') as RunRecord;
    const other = records.find((x) => x.workflow === 'nowcast-clustering-16') as RunRecord;
    assert.throws(() => alignRun(run, other.jobNames), /7 jobs, target template has 9/);
    assert.throws(() => alignRun(run, [...run.jobNames.slice(1), 'gunzip_ID0000099']), /job create_dir_.* is not in the target template/);
  });
});

describe('evaluate', () => {
  const samples = records.map(toSample);
  for (const task of ['binary', 'multiclass'] as const) {
    it(`gives the trainer's own test metrics on the test split (${task})`, () => {
      const r = train(samples, { ...DEFAULT_CONFIG, task, maxEpochs: 4, patience: 4, seed: 1 });
      const test = samples.filter((_, g) => r.graphSplit[g] === 2);
      const ev = evaluate(r.model, r.scaler, test, task, 7);
      assert.equal(ev.metrics.n, test.length);
      assert.deepEqual(ev.metrics.confusion, r.test.confusion);
      assert.equal(ev.metrics.accuracy, r.test.accuracy);
      assert.deepEqual(ev.predictions.map((p) => p.predicted), r.testPredictions.map((p) => p.predicted));
      // probabilities: one row per prediction, summing to 1, its argmax the predicted class.
      const C = r.classes.length;
      assert.equal(ev.probabilities.length, ev.predictions.length * C);
      ev.predictions.forEach((p, i) => {
        const row = Array.from(ev.probabilities.subarray(i * C, (i + 1) * C));
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
        assert.equal(row.indexOf(Math.max(...row)), p.predicted);
      });
    });
  }

  it('refuses a task the model was not trained for', () => {
    const r = train(samples, { ...DEFAULT_CONFIG, task: 'binary', maxEpochs: 1, seed: 1 });
    assert.throws(() => evaluate(r.model, r.scaler, samples, 'multiclass'), /multiclass evaluation needs 4 classes, the model has 2/);
  });
});
