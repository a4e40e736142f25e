/**
 * ONNX export parity: onnxruntime (graph optimisations 'all') on the exported file gives the same
 * probabilities as the TypeScript forward pass (max abs diff ≤ 1e-5), on batches mixing real runs
 * of all five workflows, for every level × task × edge direction × arch; plus a trained model
 * through save → export → load, gcn-norm's edge cases, and every model shipped in models/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { PROJECT_ROOT } from '../../src/config';
import { classesOf, toSample, type GraphSample, type Task } from '../../src/features/dataset';
import { FEATURES, FEATURE_NAMES, NUM_FEATURES, selectFeatures } from '../../src/features/job-features';
import { applyScaler, fitScaler, scaledWidth, type ScalerState } from '../../src/features/scaler';
import type { Graph } from '../../src/graph/driver';
import { readRuns } from '../../src/graph/read-runs';
import { Predictor, type PredictInput } from '../../src/inference';
import { ingest } from '../../src/ingest/pipeline';
import { ARCHS, GcnModel, type Level } from '../../src/models/gcn';
import { softmaxRows } from '../../src/nn/cross-entropy';
import { EDGE_DIRECTIONS } from '../../src/nn/gcn-norm';
import { Rng } from '../../src/nn/random';
import { exportModelDir, gcnToOnnx, OPSET, readOnnxMeta } from '../../src/onnx';
import { makeBatch } from '../../src/train/batch';
import { loadModel, saveModel } from '../../src/train/model-store';
import { DEFAULT_CONFIG, train } from '../../src/train/trainer';
import { datasetPresent, skipWithoutDataset, testGraph, wipe } from '../helpers/neo4j';
import { generateDataset } from '../../src/generate';
import { realSubset, WORKFLOWS } from '../helpers/real-subset';

const TOL = 1e-5;

/** TypeScript reference: scale, union, forward, softmax → [rows, C]. */
function tsProbabilities(model: GcnModel, scaler: ScalerState, inputs: readonly PredictInput[]): Float32Array {
  const b = makeBatch(
    inputs.map((s) => ({ numNodes: s.numNodes, x: applyScaler(scaler, s.workflow, s.x), edgeIndex: s.edgeIndex })),
    model.config.inFeatures,
  );
  const logits = model.forward({ ...b });
  return softmaxRows(logits.data, logits.rows, logits.cols);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'same number of probabilities');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** All verdicts' probabilities in row order (runs, or their jobs in template order). */
function flat(preds: Awaited<ReturnType<Predictor['predict']>>): number[] {
  return preds.flatMap((p) => p.verdicts.flatMap((v) => v.probabilities));
}

/** A randomly initialised model with non-zero biases (so every term of the graph matters). */
function randomModel(level: Level, task: Task, direction: (typeof EDGE_DIRECTIONS)[number], arch: (typeof ARCHS)[number], width: number, seed: number): GcnModel {
  const m = new GcnModel({ level, arch, inFeatures: width, hidden: 64, numClasses: classesOf(task).length, direction, dropout: 0 }, seed);
  const rng = new Rng(seed + 1);
  for (const [name, p] of m.params) {
    if (name.endsWith('bias')) for (let i = 0; i < p.data.length; i++) p.data[i] = rng.uniform(-0.3, 0.3);
  }
  return m;
}

let tmp: string;
async function predictorFor(model: GcnModel, task: Task, scaler: ScalerState, tag: string): Promise<Predictor> {
  const dir = path.join(tmp, tag);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), gcnToOnnx(model, { name: tag, version: 'test', workflow: 'ALL', task, classes: classesOf(task), features: FEATURE_NAMES, scaler }));
  return Predictor.load(dir, { provider: 'cpu', threads: 1, log: () => undefined });
}

describe('ONNX parity on real runs of all five workflows', { skip: skipWithoutDataset }, () => {
  let graph: Graph;
  let samples: GraphSample[];
  let scaler: ScalerState;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-onnx-'));
    graph = testGraph();
    await wipe(graph);
    const root = realSubset(['normal', 'cpu_2', 'hdd_50', 'loss_1'], 2);
    try {
      await ingest(graph, root);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    samples = (await readRuns(graph)).map(toSample);
    scaler = fitScaler(FEATURES, samples.map((s) => ({ workflow: s.workflow, x: s.x, reference: s.category === 'normal' })));
  });
  after(async () => {
    await graph.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('has a batch mixing every workflow and label category', () => {
    assert.deepEqual(new Set(samples.map((s) => s.workflow)), new Set(WORKFLOWS));
    assert.deepEqual(new Set(samples.map((s) => s.category)), new Set(['normal', 'cpu', 'hdd', 'loss']));
    assert.equal(samples.length, 5 * 4 * 2);
  });

  for (const level of ['graph', 'node'] as const) {
    for (const task of ['binary', 'multiclass'] as const) {
      for (const direction of EDGE_DIRECTIONS) {
        for (const arch of ARCHS) {
          it(`${level} level, ${task}, edges ${direction}, arch ${arch}: one session.run, max |Δp| ≤ 1e-5`, async () => {
            const model = randomModel(level, task, direction, arch, scaledWidth(scaler), 7);
            const p = await predictorFor(model, task, scaler, `${level}-${task}-${direction}-${arch}`);
            try {
              const preds = await p.predict(samples);
              assert.equal(p.stats.calls, 1, 'the whole mixed batch in one session.run');
              assert.equal(preds.length, samples.length);
              preds.forEach((r, i) => {
                assert.equal(r.runId, samples[i]?.runId);
                assert.equal(r.verdicts.length, level === 'graph' ? 1 : samples[i]?.numNodes);
              });
              const ref = tsProbabilities(model, scaler, samples);
              const got = flat(preds);
              const diff = maxAbsDiff(got, ref);
              assert.ok(diff <= TOL, `max abs diff ${diff}`);
              // The comparison means something only if the outputs vary across runs.
              const C = classesOf(task).length;
              const first = Array.from({ length: got.length / C }, (_, r) => got[r * C] as number);
              assert.ok(Math.max(...first) - Math.min(...first) > 1e-3, 'probabilities differ between rows');
            } finally {
              await p.release();
            }
          });
        }
      }
    }
  }

  it('a trained model: save → model.onnx → load gives the TypeScript probabilities and its metadata', async () => {
    for (const [level, task] of [['graph', 'binary'], ['node', 'multiclass']] as const) {
      const r = train(samples, { ...DEFAULT_CONFIG, level, task, maxEpochs: 3, patience: 3, batchSize: 8 });
      const dir = path.join(tmp, `trained-${level}-${task}`);
      const card = saveModel(dir, `trained-${level}-${task}`, 'ALL', samples, r);
      exportModelDir(dir);
      const bytes = fs.readFileSync(path.join(dir, 'model.onnx'));
      const meta = readOnnxMeta(bytes);
      assert.equal(meta.name, card.name);
      assert.equal(meta.version, card.version);
      assert.deepEqual(meta.classes, card.classes);
      assert.deepEqual(meta.featureNames, FEATURE_NAMES);
      assert.deepEqual(meta.scaler, card.scaler);
      assert.equal(meta.level, level);
      assert.equal(meta.task, task);
      assert.ok(meta.opset >= 17 && meta.opset === OPSET);
      // Dynamic N, E (and B): symbolic dims on the graph's inputs and outputs.
      const g = onnx.ModelProto.decode(bytes).graph as onnx.GraphProto;
      const dims = (v: onnx.IValueInfoProto): string[] => (v.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || String(d.dimValue));
      assert.deepEqual(g.input.map((v) => [v.name, dims(v)]), [['x', ['N', String(card.model.inFeatures)]], ['edge_index', ['2', 'E']], ...(level === 'graph' ? [['batch', ['N']]] : [])]);
      assert.deepEqual(g.output.map((v) => [v.name, dims(v)]), ['logits', 'probabilities'].map((n) => [n, [level === 'graph' ? 'B' : 'N', String(card.classes.length)]]));
      const p = await Predictor.load(dir, { provider: 'cpu', log: () => undefined });
      try {
        assert.equal(p.modelId, `${card.name}@${card.version}`);
        assert.deepEqual(p.card?.metrics, card.metrics);
        const { model } = loadModel(dir);
        const diff = maxAbsDiff(flat(await p.predict(samples)), tsProbabilities(model, card.scaler, samples));
        assert.ok(diff <= TOL, `${level} ${task}: max abs diff ${diff}`);
      } finally {
        await p.release();
      }
    }
  });
});

describe('ONNX Â matches gcn-norm on edge cases', () => {
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-onnx-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  // Input self-loops (dropped: each node keeps exactly one), a duplicate edge (counts twice),
  // an isolated node, a single-job run, and runs of different sizes in one batch.
  const rng = new Rng(11);
  const run = (id: string, n: number, edges: Array<[number, number]>): PredictInput => ({
    runId: id,
    workflow: 'toy',
    numNodes: n,
    x: Float32Array.from({ length: n * NUM_FEATURES }, (_, i) => (i % NUM_FEATURES < 4 ? +(rng.next() > 0.5) : 100 * rng.next())),
    edgeIndex: Int32Array.from([...edges.map((e) => e[0]), ...edges.map((e) => e[1])]),
  });
  const inputs = [
    run('a', 5, [[0, 1], [1, 2], [1, 2], [2, 2], [0, 0], [3, 1]]),
    run('b', 1, []),
    run('c', 4, [[0, 1], [1, 2], [2, 3], [0, 3]]),
    run('d', 3, [[2, 1], [1, 1]]),
  ];
  const scaler = fitScaler(FEATURES, inputs.map((s) => ({ workflow: s.workflow, x: s.x })));

  for (const level of ['graph', 'node'] as const) {
    for (const direction of EDGE_DIRECTIONS) {
      it(`${level} level, edges ${direction}`, async () => {
        const model = randomModel(level, 'multiclass', direction, 'skip', scaledWidth(scaler), 3);
        const p = await predictorFor(model, 'multiclass', scaler, `edge-${level}-${direction}`);
        try {
          const diff = maxAbsDiff(flat(await p.predict(inputs)), tsProbabilities(model, scaler, inputs));
          assert.ok(diff <= TOL, `max abs diff ${diff}`);
        } finally {
          await p.release();
        }
      });
    }
  }

  it('a model that ignored edge direction would differ: forward and reverse exports disagree', async () => {
    const f = randomModel('node', 'multiclass', 'forward', 'paper', scaledWidth(scaler), 5);
    const r = randomModel('node', 'multiclass', 'reverse', 'paper', scaledWidth(scaler), 5);
    const pf = await predictorFor(f, 'multiclass', scaler, 'dir-f');
    const pr = await predictorFor(r, 'multiclass', scaler, 'dir-r');
    try {
      assert.ok(maxAbsDiff(flat(await pf.predict(inputs)), flat(await pr.predict(inputs))) > 1e-3);
    } finally {
      await pf.release();
      await pr.release();
    }
  });
});

// The shipped models are checked on real runs when the dataset is here, else on generated runs of
// the same workflows (same columns, so the same features): the check never depends on the dataset.
describe('models shipped in models/', () => {
  const shipped = fs.existsSync(path.join(PROJECT_ROOT, 'models'))
    ? fs.readdirSync(path.join(PROJECT_ROOT, 'models')).filter((d) => fs.existsSync(path.join(PROJECT_ROOT, 'models', d, 'model.onnx')))
    : [];
  let graph: Graph;
  let samples: GraphSample[];
  before(async () => {
    graph = testGraph();
    await wipe(graph);
    const labels = ['normal', 'cpu_3', 'hdd_100', 'loss_5'];
    const root = datasetPresent ? realSubset(labels, 1) : generateDataset({ labels, runsPerLabel: 1, seed: 3, out: fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-gen-')) }).out;
    try {
      await ingest(graph, root);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    samples = (await readRuns(graph)).map(toSample);
    assert.ok(samples.length >= labels.length, `${samples.length} runs to check the models on`);
  });
  after(async () => graph.close());

  it('ships the default graph- and job-level models with model cards', () => {
    for (const name of ['ALL-graph-binary', 'ALL-graph-multiclass', 'ALL-node-binary', 'ALL-node-multiclass', '1000genome-graph-binary']) {
      assert.ok(shipped.includes(name), `models/${name}/model.onnx`);
      const card = fs.readFileSync(path.join(PROJECT_ROOT, 'models', name, 'MODEL_CARD.md'), 'utf8');
      assert.match(card, /wfad train --workflow \S+ --level (graph|node) --task (binary|multiclass)/, 'the command that trained it');
      assert.match(card, /fingerprint/);
    }
  });

  for (const name of shipped) {
    it(`${name}: loads with graphOptimizationLevel 'all' and matches its TypeScript weights`, async () => {
      const dir = path.join(PROJECT_ROOT, 'models', name);
      const { card, model } = loadModel(dir);
      const mine = samples.filter((s) => card.workflow === 'ALL' || s.workflow === card.workflow);
      assert.ok(mine.length > 0, `no runs of ${card.workflow} to check ${name} on`);
      const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), { graphOptimizationLevel: 'all', executionProviders: ['cpu'] });
      const p = await Predictor.load(dir, { provider: 'cpu', log: () => undefined });
      try {
        const enc = p.encode(mine);
        const out = await session.run(enc.feeds);
        const probs = out.probabilities?.data as Float32Array;
        // A model trained before a feature was added reads its own columns of today's features (by name).
        const own = mine.map((s) => ({ ...s, x: selectFeatures(s.x, s.numNodes, FEATURE_NAMES, card.features) as Float32Array }));
        const diff = maxAbsDiff(probs, tsProbabilities(model, card.scaler, own));
        assert.ok(diff <= TOL, `max abs diff ${diff}`);
        assert.equal((out.logits?.dims ?? [])[0], card.level === 'graph' ? mine.length : mine.reduce((a, s) => a + s.numNodes, 0));
      } finally {
        await session.release();
        await p.release();
      }
    });
  }
});
