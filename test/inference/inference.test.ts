/**
 * Inference without a database: execution-provider choice (auto falls back to CPU and says so,
 * cuda fails with a typed error where CUDA is missing), the Predictor's input checks and
 * per-run splitting, and the batcher's collecting of concurrent requests into few session.runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inferenceConfig } from '../../src/config';
import { WfadError } from '../../src/errors';
import { FEATURES, FEATURE_NAMES, NUM_FEATURES, selectFeatures } from '../../src/features/job-features';
import { fitScaler, scaledWidth } from '../../src/features/scaler';
import { cudaMissingReason, InferenceBatcher, Predictor, ProviderUnavailableError, type PredictInput } from '../../src/inference';
import { GcnModel, type Level } from '../../src/models/gcn';
import { Rng } from '../../src/nn/random';
import { gcnToOnnx } from '../../src/onnx';

const rng = new Rng(21);
function run(id: string, n: number, workflow = 'toy'): PredictInput {
  const edges: number[][] = [];
  for (let i = 1; i < n; i++) edges.push([Math.floor(rng.next() * i), i]);
  return {
    runId: id,
    workflow,
    numNodes: n,
    x: Float32Array.from({ length: n * NUM_FEATURES }, () => 50 * rng.next()),
    edgeIndex: Int32Array.from([...edges.map((e) => e[0] as number), ...edges.map((e) => e[1] as number)]),
  };
}

const runs = Array.from({ length: 40 }, (_, i) => run(`r${i}`, 3 + (i % 9)));
const scaler = fitScaler(FEATURES, runs.map((s) => ({ workflow: s.workflow, x: s.x })));
let tmp: string;

function writeModel(level: Level, tag: string): string {
  const model = new GcnModel({ level, arch: 'skip', inFeatures: scaledWidth(scaler), hidden: 16, numClasses: 4, direction: 'both', dropout: 0 }, 9);
  const dir = path.join(tmp, tag);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), gcnToOnnx(model, { name: tag, version: 'v1', workflow: 'ALL', task: 'multiclass', classes: ['normal', 'cpu', 'hdd', 'loss'], features: FEATURE_NAMES, scaler }));
  return dir;
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-inf-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('execution providers', () => {
  const cudaMissing = cudaMissingReason();

  it("'auto' runs on CUDA when its provider loads, else on CPU, and says which once", async () => {
    const lines: string[] = [];
    const log = (l: string): void => void lines.push(l);
    const dir = writeModel('graph', 'auto');
    const a = await Predictor.load(dir, { provider: 'auto', log });
    const b = await Predictor.load(dir, { provider: 'auto', log });
    try {
      const expected = cudaMissing === null ? 'cuda' : 'cpu';
      assert.equal(a.provider, expected);
      assert.equal(b.provider, expected);
      assert.equal(lines.length, 1, `said once: ${JSON.stringify(lines)}`);
      assert.match(lines[0] as string, new RegExp(`auto → ${expected}`));
      // On this project's machines there is no CUDA: the line says why it fell back.
      if (cudaMissing !== null) assert.match(lines[0] as string, /CUDA execution provider is not installed|no CUDA provider/);
      const preds = await a.predict(runs.slice(0, 3));
      assert.equal(preds.length, 3, 'and it scores');
    } finally {
      await a.release();
      await b.release();
    }
  });

  it("'cuda' fails with a typed error that says why and how to install it (runs where CUDA loads)", async () => {
    const dir = writeModel('graph', 'cuda');
    if (cudaMissing === null) {
      const p = await Predictor.load(dir, { provider: 'cuda', log: () => undefined });
      assert.equal(p.provider, 'cuda');
      await p.release();
      return;
    }
    await assert.rejects(Predictor.load(dir, { provider: 'cuda', log: () => undefined }), (err: unknown) => {
      assert.ok(err instanceof ProviderUnavailableError);
      assert.equal(err.code, 'PROVIDER_UNAVAILABLE');
      assert.equal(err.provider, 'cuda');
      assert.match(err.message, /CUDA requested but unavailable/);
      assert.match(err.message, /ONNXRUNTIME_NODE_INSTALL=cuda12/);
      assert.match(err.message, /WFAD_ONNX_PROVIDER=cpu/);
      return true;
    });
  });

  it("'cpu' runs on CPU", async () => {
    const p = await Predictor.load(writeModel('graph', 'cpu'), { provider: 'cpu', log: () => undefined });
    assert.equal(p.provider, 'cpu');
    await p.release();
  });

  it('reads the provider and batching settings from the environment, and refuses bad values', () => {
    assert.equal(inferenceConfig({}).provider, 'auto');
    assert.equal(inferenceConfig({ WFAD_ONNX_PROVIDER: 'CPU' }).provider, 'cpu');
    assert.equal(inferenceConfig({ WFAD_ONNX_THREADS: '3', WFAD_BATCH_MAX: '64', WFAD_BATCH_WAIT_MS: '0' }).threads, 3);
    assert.throws(() => inferenceConfig({ WFAD_ONNX_PROVIDER: 'tpu' }), /WFAD_ONNX_PROVIDER="tpu" must be one of auto, cpu, cuda/);
    assert.throws(() => inferenceConfig({ WFAD_BATCH_MAX: '0' }), /WFAD_BATCH_MAX="0" must be an integer ≥ 1/);
  });
});

describe('a model trained on an older feature list', () => {
  it('reads its own columns, by name, of the current raw features (a model from before type_subwf)', async () => {
    const older = FEATURES.filter((f) => f.name !== 'type_subwf');
    const oldRuns = runs.map((s) => ({ ...s, x: selectFeatures(s.x, s.numNodes, FEATURE_NAMES, older.map((f) => f.name)) as Float32Array }));
    const oldScaler = fitScaler(older, oldRuns.map((s) => ({ workflow: s.workflow, x: s.x })));
    const model = new GcnModel({ level: 'graph', arch: 'skip', inFeatures: scaledWidth(oldScaler), hidden: 8, numClasses: 4, direction: 'both', dropout: 0 }, 5);
    const dir = path.join(tmp, 'older');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'model.onnx'), gcnToOnnx(model, { name: 'older', version: 'v1', workflow: 'ALL', task: 'multiclass', classes: ['normal', 'cpu', 'hdd', 'loss'], features: older.map((f) => f.name), scaler: oldScaler }));
    const p = await Predictor.load(dir, { provider: 'cpu', log: () => undefined });
    try {
      const current = await p.predict(runs.slice(0, 5));
      const own = await p.predict(oldRuns.slice(0, 5));
      assert.deepEqual(current.map((r) => r.verdicts[0]?.probabilities), own.map((r) => r.verdicts[0]?.probabilities));
    } finally {
      await p.release();
    }
  });
});

describe('Predictor', () => {
  it('refuses a folder without model.onnx, naming the export command', async () => {
    const dir = path.join(tmp, 'empty');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'model.json'), '{}');
    await assert.rejects(Predictor.load(dir), (err: unknown) => err instanceof WfadError && err.code === 'MODEL_MISSING' && /wfad export --model/.test(err.message));
  });

  it('splits one union back per run: a run scores the same alone or in a batch', async () => {
    for (const level of ['graph', 'node'] as const) {
      const p = await Predictor.load(writeModel(level, `split-${level}`), { provider: 'cpu', log: () => undefined });
      try {
        const together = await p.predict(runs);
        assert.equal(p.stats.calls, 1);
        assert.equal(p.stats.graphs, runs.length);
        for (const i of [0, 7, 39]) {
          const [alone] = await p.predict([runs[i] as PredictInput]);
          const t = together[i];
          assert.equal(t?.runId, runs[i]?.runId);
          assert.equal(t?.verdicts.length, level === 'graph' ? 1 : runs[i]?.numNodes);
          t?.verdicts.forEach((v, j) => {
            const a = alone?.verdicts[j];
            v.probabilities.forEach((q, c) => assert.ok(Math.abs(q - (a?.probabilities[c] as number)) < 1e-6));
            assert.equal(v.predicted, p.classes[v.classIndex]);
            assert.ok(Math.abs(v.score - (1 - (v.probabilities[0] as number))) < 1e-12, 'score = 1 − P(normal)');
          });
        }
      } finally {
        await p.release();
      }
    }
  });

  it('names the run and field of a bad input', async () => {
    const p = await Predictor.load(writeModel('graph', 'bad'), { provider: 'cpu', log: () => undefined });
    try {
      const bad = { ...run('broken', 4), edgeIndex: Int32Array.from([0, 1, 2, 9]) };
      await assert.rejects(p.predict([bad]), /run broken: edgeIndex\[3\] = 9 is not a job index in \[0, 4\)/);
      await assert.rejects(p.predict([{ ...run('short', 3), x: new Float32Array(5) }]), new RegExp(`run short: x has 5 values, \\[3, ${NUM_FEATURES}\\] raw features expected`));
      await assert.rejects(p.predict([]), /no runs given/);
      assert.equal(p.stats.calls, 0, 'nothing reached onnxruntime');
    } finally {
      await p.release();
    }
  });
});

describe('InferenceBatcher', () => {
  it('collects concurrent requests into few session.runs, capped at maxBatch, same answers as one by one', async () => {
    const p = await Predictor.load(writeModel('graph', 'batch'), { provider: 'cpu', log: () => undefined });
    try {
      const reference = await p.predict(runs);
      const b = new InferenceBatcher(p, { maxBatch: 16, maxWaitMs: 20 });
      const calls0 = p.stats.calls;
      const out = await Promise.all(runs.map((r) => b.predict(r)));
      assert.equal(b.stats.requests, 40);
      assert.equal(b.stats.graphs, 40);
      assert.equal(b.stats.calls, 3, '40 requests at once → batches of 16, 16, 8');
      assert.equal(b.stats.largestBatch, 16);
      assert.equal(b.stats.pending, 0);
      assert.equal(p.stats.calls - calls0, 3, 'the batcher counts real session.run calls');
      out.forEach((o, i) => {
        assert.equal(o.runId, runs[i]?.runId);
        assert.deepEqual(o.verdicts.map((v) => v.classIndex), reference[i]?.verdicts.map((v) => v.classIndex));
        o.verdicts[0]?.probabilities.forEach((q, c) => assert.ok(Math.abs(q - (reference[i]?.verdicts[0]?.probabilities[c] as number)) < 1e-6));
      });
    } finally {
      await p.release();
    }
  });

  it('sends a partial batch after maxWaitMs, and requests arriving meanwhile join the next batch', async (t) => {
    const p = await Predictor.load(writeModel('node', 'wait'), { provider: 'cpu', log: () => undefined });
    // The batcher's clock is mocked, so the wait window is exact even on a loaded machine
    // (onnxruntime's own work is native and not timer-driven).
    t.mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const b = new InferenceBatcher(p, { maxBatch: 1000, maxWaitMs: 30 });
      const first = b.predict(runs[0] as PredictInput);
      const second = b.predict(runs[1] as PredictInput);
      t.mock.timers.tick(29);
      assert.equal(b.stats.calls, 0, 'still waiting for more at 29 ms');
      assert.equal(b.stats.pending, 2);
      t.mock.timers.tick(1);
      assert.equal(b.stats.calls, 1, 'sent at 30 ms');
      const [a, c] = await Promise.all([first, second]);
      assert.equal(b.stats.calls, 1);
      assert.equal(a.verdicts.length, runs[0]?.numNodes);
      assert.equal(c.verdicts.length, runs[1]?.numNodes);
      // Staggered arrivals: 10 requests, 2 ms apart, all within one wait window → one call.
      const staggered: Array<Promise<unknown>> = [];
      for (let i = 0; i < 10; i++) {
        staggered.push(b.predict(runs[i] as PredictInput));
        t.mock.timers.tick(2);
      }
      assert.equal(b.stats.calls, 1, 'the window opened by the first of them has 10 ms left');
      assert.equal(b.stats.pending, 10);
      t.mock.timers.tick(10);
      await Promise.all(staggered);
      assert.equal(b.stats.calls, 2, '10 staggered requests took one session.run');
      assert.equal(b.stats.largestBatch, 10);
      await b.drain();
    } finally {
      t.mock.timers.reset();
      await p.release();
    }
  });

  it('rejects a bad request on its own without failing the others', async () => {
    const p = await Predictor.load(writeModel('graph', 'isolate'), { provider: 'cpu', log: () => undefined });
    try {
      const b = new InferenceBatcher(p, { maxBatch: 8, maxWaitMs: 5 });
      const good = [b.predict(runs[0] as PredictInput), b.predict(runs[1] as PredictInput)];
      const bad = b.predict({ ...run('bad', 3), numNodes: 0 });
      await assert.rejects(bad, /run bad: numNodes=0/);
      const ok = await Promise.all(good);
      assert.deepEqual(ok.map((o) => o.runId), ['r0', 'r1']);
      assert.equal(b.stats.requests, 2);
    } finally {
      await p.release();
    }
  });

  it('refuses nonsense options', () => {
    assert.throws(() => new InferenceBatcher({} as Predictor, { maxBatch: 0 }), /maxBatch 0/);
  });
});
