/**
 * Features, scaling, splits, metrics and the trainer on small synthetic graphs: no database.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toSample, type GraphSample } from '../../src/features/dataset';
import { FEATURES, NUM_FEATURES } from '../../src/features/job-features';
import { applyScaler, fitScaler, scaledWidth } from '../../src/features/scaler';
import { JOB_FIELDS, type RunRecord } from '../../src/graph/read-runs';
import { Rng } from '../../src/nn/random';
import { metrics } from '../../src/train/metrics';
import { jobSplit, stratifiedSplit } from '../../src/train/split';
import { reproduce, type TrainingOutcome } from '../../src/train/reproduce';
import { DEFAULT_CONFIG, stratumOf, train } from '../../src/train/trainer';

/** A 4-job chain run; anomalous runs have a slow job 2 (runtime × 5, queue × 3). */
function run(id: string, category: string, rng: Rng, workflow = 'toy'): RunRecord {
  const slow = category !== 'normal';
  const jobs = [0, 1, 2, 3].map((j) => {
    const runtime = (10 + 2 * rng.next()) * (slow && j === 2 ? 5 : 1);
    const queue = (3 + rng.next()) * (slow && j === 2 ? 3 : 1);
    const ready = 1000 + 40 * j;
    const rec: Record<string, string | number | null> = Object.fromEntries(JOB_FIELDS.map((f) => [f, null]));
    Object.assign(rec, {
      type: j === 0 || j === 3 ? 'auxiliary' : 'compute',
      isClustered: 0,
      ready,
      submit: ready + 1,
      executeStart: ready + 1 + queue,
      executeEnd: ready + 1 + queue + runtime,
      wmsDelay: 1,
      queueDelay: queue,
      runtime,
      cpuTime: runtime * 0.9,
      kickstartStatus: 0,
      exitCode: 0,
      kickstartHostname: 'w1',
    });
    return JOB_FIELDS.map((f) => rec[f] ?? null);
  });
  return { id, workflow, label: category === 'normal' ? 'normal' : `${category}_2`, category, level: slow ? 2 : null, startedAt: 1000, template: null, templateVersion: null, jobNames: ['a', 'b', 'c', 'd'], jobs, jobLabels: jobs.map(() => (category === 'normal' ? 'normal' : `${category}_2`)), edges: [0, 1, 1, 2, 2, 3] };
}

function toyData(n: number, seed = 1): GraphSample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => toSample(run(`r${i}`, i % 2 ? 'cpu' : 'normal', rng)));
}

describe('features', () => {
  it('builds x: [n, F] with missing values as NaN and labels from the category', () => {
    const s = toSample(run('x', 'hdd', new Rng(3)));
    assert.equal(s.x.length, 4 * NUM_FEATURES);
    assert.equal(s.yMulti, 2);
    const stageIn = FEATURES.findIndex((f) => f.name === 'stage_in_delay');
    assert.ok(Number.isNaN(s.x[stageIn] as number), 'missing stage-in delay stays missing');
    assert.equal(s.x[FEATURES.findIndex((f) => f.name === 'missing_stage_in')], 1);
    assert.deepEqual(Array.from(s.edgeIndex), [0, 1, 2, 1, 2, 3]);
  });

  it('fits scaling on the given (training) runs only, and relative features on normal runs', () => {
    const data = toyData(40);
    const trainPart = data.slice(0, 20);
    const a = fitScaler(FEATURES, trainPart.map((s) => ({ workflow: s.workflow, x: s.x, reference: s.category === 'normal' })));
    const b = fitScaler(FEATURES, data.map((s) => ({ workflow: s.workflow, x: s.x, reference: s.category === 'normal' })));
    assert.notDeepEqual(a.mean, b.mean, 'the test runs changed nothing only if they were left out');
    const rt = FEATURES.findIndex((f) => f.name === 'runtime');
    const x = applyScaler(a, 'toy', (data[1] as GraphSample).x); // an anomalous run
    const W = scaledWidth(a);
    const relRuntimeCol = NUM_FEATURES + FEATURES.slice(0, rt).filter((f) => f.kind === 'log').length;
    assert.ok((x[2 * W + relRuntimeCol] as number) > 3, 'the slow job stands out against normal runs');
    assert.ok(Math.abs(x[1 * W + relRuntimeCol] as number) < 3, 'an ordinary job does not');
    const unseen = applyScaler(a, 'other-workflow', (data[1] as GraphSample).x);
    assert.equal(unseen[2 * W + relRuntimeCol], 0, 'no baseline for an unseen workflow: no relative signal');
  });
});

describe('splits and metrics', () => {
  it('splits 60/20/20 within each stratum, the same way for the same seed', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ k: i < 50 ? 'a' : 'b' }));
    const s1 = stratifiedSplit(items, (t) => t.k, 7);
    const s2 = stratifiedSplit(items, (t) => t.k, 7);
    const s3 = stratifiedSplit(items, (t) => t.k, 8);
    assert.deepEqual(s1, s2);
    assert.notDeepEqual(s1, s3);
    for (const half of [s1.slice(0, 50), s1.slice(50)]) {
      assert.deepEqual([0, 1, 2].map((v) => half.filter((x) => x === v).length), [30, 10, 10]);
    }
    const js = jobSplit([4, 6], ['a', 'a'], 1);
    assert.equal(js[0]?.length, 4);
    assert.equal([...(js[0] as Uint8Array), ...(js[1] as Uint8Array)].filter((v) => v === 0).length, 6);
  });

  it('computes binary metrics with anomalous as positive, and macro metrics for multiclass', () => {
    const m = metrics([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 2);
    assert.equal(m.accuracy, 3 / 5);
    assert.equal(m.precision, 2 / 3);
    assert.equal(m.recall, 2 / 3);
    assert.deepEqual(m.confusion, [[1, 1], [1, 2]]);
    const mc = metrics([0, 1, 2, 3], [0, 1, 2, 2], 4);
    assert.equal(mc.accuracy, 0.75);
    assert.ok(Math.abs(mc.recall - (1 + 1 + 1 + 0) / 4) < 1e-12);
  });
});

describe('trainer', () => {
  const cfg = { ...DEFAULT_CONFIG, maxEpochs: 15, patience: 15, batchSize: 8, lr: 5e-3 };

  it('learns to tell slow runs from normal ones, graph level', () => {
    const r = train(toyData(120), cfg);
    assert.ok(r.test.accuracy >= 0.95, `test accuracy ${r.test.accuracy}`);
    assert.equal(r.test.n, 24);
  });

  it('gives bit-for-bit the same weights for the same seed, other weights for another', () => {
    const data = toyData(60);
    const a = train(data, { ...cfg, maxEpochs: 3 });
    const b = train(data, { ...cfg, maxEpochs: 3 });
    const c = train(data, { ...cfg, maxEpochs: 3, seed: 1 });
    const w = (r: typeof a): number[] => r.model.parameters().flatMap((p) => Array.from(p.data));
    assert.deepEqual(w(a), w(b));
    assert.notDeepEqual(w(a), w(c));
  });

  it('gives the same weights, losses and predictions on one thread or two (each mini-batch in two shards)', () => {
    const data = toyData(60);
    const w = (r: ReturnType<typeof train>): number[] => r.model.parameters().flatMap((p) => Array.from(p.data));
    const configs = [
      { ...cfg, maxEpochs: 3 },
      { ...cfg, maxEpochs: 2, level: 'node' as const, protocol: 'paper' as const, classWeights: true },
    ];
    for (const c of configs) {
      const one = train(data, c, undefined, { threads: 1 });
      const two = train(data, c, undefined, { threads: 2 });
      assert.equal(one.threads, 1);
      assert.equal(two.threads, 2, 'the second shard ran on a worker thread');
      assert.deepEqual(w(two), w(one), `${c.level} level`);
      assert.deepEqual(
        two.curve.map((e) => [e.trainLoss, e.valAccuracy]),
        one.curve.map((e) => [e.trainLoss, e.valAccuracy]),
      );
      assert.deepEqual(two.testPredictions, one.testPredictions);
    }
  });

  it('trains job-level models under both protocols', () => {
    const data = toyData(60);
    const byRun = train(data, { ...cfg, level: 'node', protocol: 'run', task: 'multiclass' });
    assert.equal(byRun.test.n, 12 * 4, 'every job of every test run');
    const paper = train(data, { ...cfg, level: 'node', protocol: 'paper' });
    assert.ok(paper.nodeSplit);
    const testJobs = (paper.nodeSplit as Uint8Array[]).reduce((a, m) => a + m.filter((v) => v === 2).length, 0);
    assert.equal(paper.test.n, testJobs);
    assert.ok(paper.test.accuracy > 0.8, `paper-protocol job accuracy ${paper.test.accuracy}`);
    assert.equal(stratumOf(data[0] as GraphSample), 'toy|normal');
  });
});

describe('reproduce', () => {
  it('fills every cell of the tables, and resumes from its cache without retraining', () => {
    const rng = new Rng(5);
    const data = [
      ...Array.from({ length: 30 }, (_, i) => toSample(run(`a${i}`, ['normal', 'cpu', 'hdd', 'loss'][i % 4] as string, rng, 'wa'))),
      ...Array.from({ length: 30 }, (_, i) => toSample(run(`b${i}`, ['normal', 'cpu', 'hdd', 'loss'][i % 4] as string, rng, 'wb'))),
    ];
    const store = new Map<string, TrainingOutcome>();
    let sets = 0;
    const cache = { get: (k: string) => store.get(k), set: (k: string, v: TrainingOutcome) => void (sets++, store.set(k, v)) };
    const base = { maxEpochs: 2, patience: 2, batchSize: 8 };
    const first = reproduce(data, { seeds: 2, base, cache, dataKey: 'toy' });
    // 3 groups (wa, wb, ALL) × 2 tasks × 3 (graph, node paper, node run) × 2 seeds.
    assert.equal(sets, 36);
    for (const table of [first.graph, first.node, first.nodeByRun]) {
      for (const task of ['binary', 'multiclass'] as const) assert.deepEqual(Object.keys(table[task]).sort(), ['ALL', 'wa', 'wb']);
    }
    assert.ok(first.byCategory.ALL?.normal, 'Table IV has a normal column');
    assert.equal(first.figures.curve.length > 0, true);
    const second = reproduce(data, { seeds: 2, base, cache, dataKey: 'toy' });
    assert.equal(sets, 36, 'nothing retrained');
    assert.deepEqual(second.graph, first.graph);
    assert.deepEqual(second.node, first.node);
    const third = reproduce(data, { seeds: 2, base, cache, dataKey: 'other data' });
    assert.equal(sets, 72, 'other data is not served from the cache');
    assert.deepEqual(third.graph, first.graph, 'same data under another key trains to the same figures');

    // A spent time budget trains nothing new: cells report the seeds the cache has, others are left out.
    const partial = new Map([...store].filter(([k]) => k.includes('|toy|') && k.includes('|graph|') && k.endsWith('|0')));
    const budget = reproduce(data, { seeds: 2, base, cache: { get: (k) => partial.get(k), set: () => assert.fail('trained past the deadline') }, dataKey: 'toy', deadline: 0 });
    assert.equal(budget.graph.binary.ALL?.accuracy.n, 1);
    assert.equal(budget.graph.binary.ALL?.accuracy.mean, Number(((store.get([...partial.keys()].find((k) => k.includes('|ALL|graph|binary|')) as string) as TrainingOutcome).test.accuracy).toFixed(4)));
    assert.deepEqual(budget.node.binary, {}, 'no job-level cell without a result');
  });
});
