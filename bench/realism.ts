/**
 * bench/realism: how close are generated traces to real ones, as a detector sees them?
 *
 *   npm run bench:realism [-- --json] [-- --runs N] [-- --normal-runs N] [-- --epochs N] [-- --seed S]
 *
 * Generates a dataset (all five workflows × the 14 flowgad labels; `--runs` per anomaly label,
 * `--normal-runs` per workflow for normal, ~4× as in flowgad), reads it and the real flowgad
 * dataset from files with the ingest's parser (they cannot share one Neo4j: same workflow names,
 * other templates), trains the graph-level GCN (binary and multiclass) on each, and tests each
 * model on both test splits (the held-out 20 % of each dataset): generated → generated, generated →
 * real, real → real, real → generated. Runs of the other dataset are put in the training
 * dataset's template order first (features/align.ts). Also prints each test split's majority-class
 * accuracy for reference, and the feature gap: how often a job feature of a normal run lies more
 * than 3σ from the same job's feature in real normal training runs (the scaler's per-job baseline),
 * for real and for generated normal test runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultDatasetPath } from '../src/config';
import { alignRun } from '../src/features/align';
import { classesOf, targetOf, toSample, type GraphSample, type Task } from '../src/features/dataset';
import { generateDataset } from '../src/generate';
import type { RunRecord } from '../src/graph/read-runs';
import { auxKey } from '../src/ingest/names';
import { readRunFiles } from '../src/ingest/records';
import { evaluate } from '../src/train/evaluate';
import { FEATURES } from '../src/features/job-features';
import { applyScaler, fitScaler, logIndices } from '../src/features/scaler';
import { stratifiedSplit } from '../src/train/split';
import { metrics, type Metrics } from '../src/train/metrics';
import { DEFAULT_CONFIG, stratumOf, train, type TrainResult } from '../src/train/trainer';
import { table } from '../src/cli/output';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const json = args.includes('--json');
const RUNS = flag('--runs', 20);
const NORMAL_RUNS = flag('--normal-runs', 4 * RUNS);
const EPOCHS = flag('--epochs', 50);
const SEED = flag('--seed', 1);
const log = (s: string): void => void process.stderr.write(`${s}\n`);

type Domain = 'generated' | 'real';

interface Data {
  records: RunRecord[];
  samples: GraphSample[];
  /** Template job order per workflow (names as in a run). */
  order: Map<string, string[]>;
}

function load(records: RunRecord[]): Data {
  const order = new Map<string, string[]>();
  for (const r of records) if (!order.has(r.workflow)) order.set(r.workflow, r.jobNames);
  return { records, samples: records.map(toSample), order };
}

/** `data`'s runs of split 2 (test), in `target`'s template order. */
function testSamples(data: Data, split: Uint8Array, target: Data): GraphSample[] {
  return data.records.flatMap((r, g) => {
    if (split[g] !== 2) return [];
    const order = target.order.get(r.workflow);
    if (!order) throw new Error(`workflow ${r.workflow} is missing from the training data`);
    // Same template order already (same data) → keep the run as is.
    const same = order.length === r.jobNames.length && order.every((n, i) => auxKey(n) === auxKey(r.jobNames[i] as string));
    return [same ? (data.samples[g] as GraphSample) : toSample(alignRun(r, order))];
  });
}

function majority(samples: readonly GraphSample[], task: Task): Metrics {
  const y = samples.map((s) => targetOf(s, task));
  const C = classesOf(task).length;
  const counts = new Array<number>(C).fill(0);
  for (const t of y) counts[t] = (counts[t] as number) + 1;
  const top = counts.indexOf(Math.max(...counts));
  return metrics(y, y.map(() => top), C);
}

interface Gap {
  feature: string;
  real: number;
  generated: number;
}

/** Share of |per-job z| > 3 per 'log' feature, normal runs only, baselines from real normal training runs. */
function featureGap(real: Data, gen: Data): { overall: { real: number; generated: number }; features: Gap[] } {
  const split = stratifiedSplit(real.samples, stratumOf, 0);
  const scaler = fitScaler(FEATURES, real.samples.flatMap((s, g) => (split[g] === 0 && s.category === 'normal' ? [{ workflow: s.workflow, x: s.x, reference: true }] : [])));
  const logs = logIndices(scaler.kinds);
  const F = FEATURES.length;
  const W = F + logs.length;
  const genSplit = stratifiedSplit(gen.samples, stratumOf, 0);
  const share = (samples: GraphSample[]): number[] => {
    const over = new Array<number>(logs.length).fill(0);
    let rows = 0;
    for (const s of samples) {
      const z = applyScaler(scaler, s.workflow, s.x);
      for (let j = 0; j < s.numNodes; j++) {
        rows++;
        logs.forEach((_, q) => {
          if (Math.abs(z[j * W + F + q] as number) > 3) over[q] = (over[q] as number) + 1;
        });
      }
    }
    return over.map((o) => o / Math.max(rows, 1));
  };
  const normal = (d: Data, sp: Uint8Array): Data => ({ ...d, records: d.records.filter((r, g) => sp[g] === 2 && r.category === 'normal'), samples: d.samples.filter((s, g) => sp[g] === 2 && s.category === 'normal') });
  const realShare = share(normal(real, split).samples);
  const genNormal = normal(gen, genSplit);
  const genShare = share(genNormal.records.map((r) => toSample(alignRun(r, real.order.get(r.workflow) as string[]))));
  const features = logs.map((f, q) => ({ feature: FEATURES[f]?.name as string, real: realShare[q] as number, generated: genShare[q] as number })).sort((a, b) => b.generated - a.generated);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { overall: { real: mean(realShare), generated: mean(genShare) }, features };
}

interface Row {
  task: Task;
  train: Domain | 'majority class';
  test: Domain;
  metrics: Metrics;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const dataset = defaultDatasetPath();
  if (!fs.existsSync(path.join(dataset, 'adjacency_list_dags'))) throw new Error(`no flowgad dataset at ${dataset} (set WFAD_DATASET)`);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-realism-'));
  try {
    const gen = generateDataset({ runsPerLabel: RUNS, normalRuns: NORMAL_RUNS, seed: SEED, out });
    log(`generated ${gen.runs} runs in ${gen.seconds.toFixed(1)} s`);
    const genFiles = readRunFiles(out);
    if (genFiles.rejected.length) throw new Error(`generated files rejected: ${JSON.stringify(genFiles.rejected.slice(0, 3))}`);
    const realFiles = readRunFiles(dataset);
    log(`read ${realFiles.records.length} real runs (${realFiles.rejected.length} files rejected, as by the ingest)`);
    const data: Record<Domain, Data> = { generated: load(genFiles.records), real: load(realFiles.records) };

    const gap = featureGap(data.real, data.generated);
    log(`feature gap (normal runs, share of job features > 3σ from real normal baselines): real ${gap.overall.real.toFixed(3)}, generated ${gap.overall.generated.toFixed(3)}`);
    const rows: Row[] = [];
    const trainings: Record<string, { runs: number; epochs: number; bestEpoch: number; seconds: number }> = {};
    for (const task of ['binary', 'multiclass'] as const) {
      const trained = {} as Record<Domain, TrainResult>;
      for (const d of ['generated', 'real'] as const) {
        log(`training ${task} on ${d} (${data[d].samples.length} runs, ≤ ${EPOCHS} epochs)…`);
        trained[d] = train(data[d].samples, { ...DEFAULT_CONFIG, level: 'graph', task, maxEpochs: EPOCHS, seed: 0 });
        trainings[`${task}/${d}`] = { runs: data[d].samples.length, epochs: trained[d].epochs, bestEpoch: trained[d].bestEpoch, seconds: Number(trained[d].seconds.toFixed(1)) };
      }
      for (const test of ['generated', 'real'] as const) {
        const samples = testSamples(data[test], trained[test].graphSplit, data[test]);
        rows.push({ task, train: 'majority class', test, metrics: majority(samples, task) });
        for (const from of ['generated', 'real'] as const) {
          const m = from === test ? trained[from].test : evaluate(trained[from].model, trained[from].scaler, testSamples(data[test], trained[test].graphSplit, data[from]), task).metrics;
          rows.push({ task, train: from, test, metrics: m });
        }
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const result = {
      command: `npm run bench:realism -- --runs ${RUNS} --normal-runs ${NORMAL_RUNS} --epochs ${EPOCHS} --seed ${SEED}`,
      generated: { runs: gen.runs, runsPerLabel: RUNS, normalRuns: NORMAL_RUNS, seed: SEED },
      real: { runs: realFiles.records.length, rejected: realFiles.rejected.length, path: dataset },
      trainings,
      rows,
      featureGap: gap,
      seconds: Number(seconds.toFixed(1)),
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const f = (v: number): string => v.toFixed(3);
    console.log(`realism check: graph-level GCN (${DEFAULT_CONFIG.arch}, ≤ ${EPOCHS} epochs), test = the held-out 20 % of each dataset`);
    console.log(`generated: ${gen.runs} runs (seed ${SEED}); real: ${realFiles.records.length} runs\n`);
    console.log(
      table(
        ['task', 'trained on', 'tested on', 'n', 'accuracy', 'F1', 'precision', 'recall'],
        rows.map((r) => [r.task, r.train, r.test, r.metrics.n, f(r.metrics.accuracy), f(r.metrics.f1), f(r.metrics.precision), f(r.metrics.recall)]),
      ),
    );
    console.log('\nbinary: F1/precision/recall of "anomalous"; multiclass: macro averages over normal/cpu/hdd/loss');
    for (const r of rows.filter((x) => x.train !== 'majority class' && x.train !== x.test)) {
      const classes = classesOf(r.task);
      console.log(`\n${r.task}, trained on ${r.train}, tested on ${r.test} (rows: true, columns: predicted)`);
      console.log(table(['', ...classes], r.metrics.confusion.map((row, i) => [classes[i] as string, ...row])));
    }
    console.log(`\nfeature gap, normal test runs: share of job features more than 3σ from the same job in real normal training runs`);
    console.log(`(real ${gap.overall.real.toFixed(3)}, generated ${gap.overall.generated.toFixed(3)} over all 'log' features; the largest for generated:)`);
    console.log(table(['feature', 'real', 'generated'], gap.features.slice(0, 8).map((g) => [g.feature, f(g.real), f(g.generated)])));
    console.log(`\n${seconds.toFixed(0)} s in all (trainings: ${Object.entries(trainings).map(([k, v]) => `${k} ${v.seconds} s/${v.epochs} ep`).join(', ')})`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
