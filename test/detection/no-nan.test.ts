/**
 * The normal-only detector never answers NaN: a job with no baseline (it never ran in the normal
 * runs, saved as null in model.json) contributes nothing; training refuses too few normal runs;
 * `--assume-normal` leaves failed and still-running runs out; scoring never stores a non-finite
 * score; metrics over no item print "—". No database.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { figure, metricsLine, trainAndSaveNormalOnly } from '../../src/cli/detect';
import { WfadError } from '../../src/errors';
import type { GraphSample } from '../../src/features/dataset';
import { FEATURES, NUM_FEATURES } from '../../src/features/job-features';
import type { Graph } from '../../src/graph/driver';
import { writePredictions } from '../../src/graph/predictions';
import { explainRun } from '../../src/models/explain';
import { anomalyProbability, fitNormalOnly, scoreRun, type NormalOnlyState } from '../../src/models/normal-only';
import { deviations, fitProfile, type ProfileInput } from '../../src/models/normal-profile';
import { summarize } from '../../src/train/detection-report';
import { MIN_NORMAL_RUNS, normalOnlySplit, trainNormalOnly, type NormalOnlyConfig } from '../../src/train/normal-only-train';

const col = (name: string): number => FEATURES.findIndex((f) => f.name === name);
const RUNTIME = col('runtime');
const CPU = col('cpu_time');
const COMPUTE = col('type_compute');
const JOBS = ['prepare', 'work', 'cleanup'];

/** A run of `process`: its jobs' runtimes (NaN = the job never ran: every measurement missing). */
function run(id: string, runtimes: number[], extra: Partial<GraphSample> = {}): GraphSample {
  const n = runtimes.length;
  const x = new Float32Array(n * NUM_FEATURES).fill(NaN);
  runtimes.forEach((r, j) => {
    x[j * NUM_FEATURES + COMPUTE] = 1;
    x[j * NUM_FEATURES + RUNTIME] = r;
    x[j * NUM_FEATURES + CPU] = Number.isNaN(r) ? NaN : r * 0.9;
  });
  return {
    runId: id,
    workflow: 'process',
    label: 'normal',
    category: 'normal',
    level: null,
    numNodes: n,
    x,
    edgeIndex: new Int32Array(0),
    yMulti: 0,
    jobY: new Int32Array(n),
    jobNames: JOBS.slice(0, n),
    hosts: new Array<string | null>(n).fill(null),
    state: 'succeeded',
    ...extra,
  };
}
const unlabelled = (s: GraphSample): GraphSample => ({ ...s, label: '', category: '', yMulti: -1, jobY: new Int32Array(s.numNodes).fill(-1) });
const strip = (s: GraphSample): ProfileInput => ({ workflow: s.workflow, jobNames: s.jobNames, x: s.x, hosts: s.hosts });
/** As a saved model reads it back: NaN became null in model.json. */
const roundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const cfg: NormalOnlyConfig = { level: 'graph', seed: 0, falseAlarmRate: 0.05, assumeNormal: false, budget: null };

describe('normal-only: a job without a baseline', () => {
  // The cleanup job never ran in any normal run: its baseline has no value for any measurement.
  const normal = Array.from({ length: 6 }, (_, i) => run(`n${i}`, [10 + i, 20 + i, NaN]));
  const st = roundTrip(fitNormalOnly(normal.slice(0, 4).map(strip), normal.slice(4).map(strip), { level: 'graph', falseAlarmRate: 0.05 }));

  it('is saved as null and contributes z = 0, whether the new job ran 0 s or 30 s', () => {
    const cleanup = st.profile.baselines['process|cleanup'];
    assert.ok(cleanup, 'the never-run job has a baseline key');
    assert.ok(cleanup.median.every((m) => m === null), 'its medians read back from JSON as null');
    for (const t of [0, 30]) {
      const d = deviations(st.profile, strip(run('new', [10, 20, t])));
      const L = st.profile.columns.length;
      for (let q = 0; q < L; q++) assert.equal(d.z[2 * L + q], 0, `cleanup runtime ${t}: feature ${st.profile.features[q]}`);
      assert.ok(d.z.every((v) => Number.isFinite(v)));
    }
  });

  it('the run score and its probability stay finite, and equal those of the run without that job\'s values', () => {
    const withCleanup = scoreRun(st, strip(run('a', [10, 20, 0])));
    const without = scoreRun(st, strip(run('b', [10, 20, NaN])));
    assert.ok(Number.isFinite(withCleanup.run), `score ${withCleanup.run}`);
    assert.ok(withCleanup.jobs.every((v) => Number.isFinite(v)));
    assert.ok(Number.isFinite(anomalyProbability(st, withCleanup.run)));
    assert.equal(withCleanup.run, without.run);
  });

  it('an explanation never blames a measurement without a baseline, nor shows its normal as 0', () => {
    // cleanup ran 30 s in the new run: without a baseline it is not an outlier, whatever it took.
    const ex = explainRun(st.profile, strip(run('slow', [100, 20, 30])), { topFeatures: 10 });
    assert.ok(ex.length > 0, 'the slow prepare job is explained');
    assert.ok(ex.every((j) => j.job !== 'cleanup'), JSON.stringify(ex));
    for (const f of ex.flatMap((j) => j.features)) assert.ok(f.normal === null || (Number.isFinite(f.normal) && f.normal > 0), JSON.stringify(f));
  });

  it('a calibration from no held-out run (validation empty) still scores finite', () => {
    const s = fitNormalOnly([strip(run('only', [10, 20, NaN]))], [], { level: 'graph', falseAlarmRate: 0.05 });
    const saved = roundTrip(s) as NormalOnlyState;
    const sc = scoreRun(saved, strip(run('other', [0, 0, 0])));
    assert.ok(Number.isFinite(sc.run) && Number.isFinite(anomalyProbability(saved, sc.run)), `score ${sc.run}`);
  });
});

describe('normal-only training: enough normal runs', () => {
  it(`refuses fewer than ${MIN_NORMAL_RUNS} normal runs of a workflow (BAD_INPUT naming the workflow, the count and the minimum)`, () => {
    const few = Array.from({ length: MIN_NORMAL_RUNS - 1 }, (_, i) => run(`r${i}`, [10 + i, 20, 5]));
    assert.throws(
      () => trainNormalOnly(few, cfg),
      (e: unknown) => e instanceof WfadError && e.code === 'BAD_INPUT' && /workflow "process": 9 runs labelled normal found/.test(e.message) && new RegExp(`at least ${MIN_NORMAL_RUNS}`).test(e.message) && /ingest more runs/.test(e.message),
    );
  });

  it(`trains on ${MIN_NORMAL_RUNS}, with at least 2 held out for the threshold`, () => {
    const enough = Array.from({ length: MIN_NORMAL_RUNS }, (_, i) => run(`r${i}`, [10 + i, 20 + (i % 3), 5]));
    const r = trainNormalOnly(enough, cfg);
    assert.ok(r.split.validation.length >= 2, `held out ${r.split.validation.length}`);
    assert.ok(Number.isFinite(r.state.threshold));
  });

  it('refuses a --normal-runs budget that leaves fewer than 2 held out, naming the option', () => {
    const many = Array.from({ length: 20 }, (_, i) => run(`r${i}`, [10 + i, 20, 5]));
    assert.throws(() => trainNormalOnly(many, { ...cfg, budget: 3 }), (e: unknown) => e instanceof WfadError && e.code === 'BAD_INPUT' && /--normal-runs/.test(e.message));
  });
});

describe('--assume-normal leaves out runs that failed or are still running', () => {
  const ok = Array.from({ length: 12 }, (_, i) => unlabelled(run(`ok${i}`, [10 + i, 20, 5])));
  const failed = unlabelled(run('failed', [10, 20, NaN], { state: 'failed' }));
  const running = unlabelled(run('running', [10, NaN, NaN], { state: 'running' }));
  const samples = [...ok, failed, running];

  it('neither is trained, held out or tested on; both are listed with their state', () => {
    const split = normalOnlySplit(samples, { ...cfg, assumeNormal: true });
    const used = new Set([...split.train, ...split.validation, ...split.test].map((i) => samples[i]?.runId));
    assert.ok(!used.has('failed') && !used.has('running'));
    assert.deepEqual(split.leftOut, [
      { runId: 'failed', workflow: 'process', state: 'failed' },
      { runId: 'running', workflow: 'process', state: 'running' },
    ]);
  });

  it('the saved model records them (model.json training.leftOut, what train --json prints)', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-no-nan-')), 'process-no');
    try {
      const { card } = trainAndSaveNormalOnly(samples, 'process', { ...cfg, assumeNormal: true }, dir, 'test');
      assert.deepEqual(card.training.leftOut?.map((l) => `${l.runId} ${l.state}`), ['failed failed', 'running running']);
      const saved = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as typeof card;
      assert.deepEqual(saved.training.leftOut, card.training.leftOut);
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it('the operator\'s case: one succeeded and one failed run refuses, and says the failed one was left out', () => {
    assert.throws(
      () => trainNormalOnly([ok[0] as GraphSample, failed], { ...cfg, assumeNormal: true }),
      (e: unknown) => e instanceof WfadError && e.code === 'BAD_INPUT' && /: 1 normal runs/.test(e.message) && /1 run\(s\) of unknown truth left out \(failed\)/.test(e.message),
    );
  });
});

describe('scoring never stores a non-finite score', () => {
  it('writePredictions raises BAD_MODEL naming the model and the run, before touching the database', async () => {
    let touched = false;
    const graph = { write: () => ((touched = true), Promise.resolve({ records: [] })) } as unknown as Graph;
    await assert.rejects(
      writePredictions(graph, 'process-no@abc', 'graph', [
        { targetId: 'process/ok', predicted: 'normal', score: 0.2, probabilities: [0.8, 0.2] },
        { targetId: 'process/bad', predicted: 'normal', score: NaN, probabilities: [NaN, NaN] },
      ], new Date().toISOString()),
      (e: unknown) => e instanceof WfadError && e.code === 'BAD_MODEL' && /process-no@abc/.test(e.message) && /process\/bad/.test(e.message),
    );
    assert.equal(touched, false);
    await assert.rejects(writePredictions(graph, 'm@1', 'graph', [{ targetId: 'r', predicted: 'normal', score: 0.1, probabilities: [Infinity, 0] }], ''), /probabilities/);
  });
});

describe('metrics over no item', () => {
  it('print "—" for every figure, not 0.0000; JSON keeps the numbers and nulls as computed', () => {
    const empty = summarize([], ['normal', 'anomalous']);
    assert.equal(empty.n, 0);
    const line = metricsLine(empty);
    assert.doesNotMatch(line, /0\.0000/);
    assert.match(line, /^accuracy —, F1 —, ROC-AUC —, AP —, precision@k — \(n=0\)$/);
    assert.equal(figure({ n: 3 }, 0), '0.0000');
    assert.equal(figure({ n: 3 }, NaN), '—');
    assert.equal(JSON.parse(JSON.stringify(empty)).rocAuc ?? null, null);
  });
});
