/**
 * Training one detector: scaling fitted on the training split, mini-batches of whole graphs
 * (disjoint unions), Adam, cross-entropy, early stopping on validation accuracy (best weights
 * kept), then test metrics. Seeded: the same seed and data give bit-for-bit the same weights.
 * The graphs are packed once (packed-graphs.ts); each step's gradient is the sum of two shards'
 * (parallel.ts), on one thread or two, with the same weights either way.
 *
 * Job level, two protocols (see split.ts): 'paper' masks the loss and the metrics to each split's
 * jobs while message passing sees whole graphs; 'run' splits by run.
 */
import type { GraphSample, Task } from '../features/dataset';
import { classesOf, jobTargets, targetOf } from '../features/dataset';
import { FEATURES } from '../features/job-features';
import { applyScaler, fitScaler, scaledWidth, type ScalerState } from '../features/scaler';
import { GcnModel, type Arch, type Level } from '../models/gcn';
import { Adam } from '../nn/adam';
import { releaseArena } from '../nn/arena';
import { softmaxRows } from '../nn/cross-entropy';
import type { EdgeDirection } from '../nn/gcn-norm';
import { Rng } from '../nn/random';
import { gatherMask, gatherTargets, GatherScratch, packGraphs } from './packed-graphs';
import { defaultThreads, MIN_PARALLEL_NODES, ShardRunner } from './parallel';
import { metrics, withRanking, type Metrics } from './metrics';
import { jobSplit, stratifiedSplit } from './split';

export type JobProtocol = 'paper' | 'run';

export interface TrainConfig {
  level: Level;
  task: Task;
  arch: Arch;
  direction: EdgeDirection;
  hidden: number;
  dropout: number;
  lr: number;
  weightDecay: number;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  seed: number;
  protocol: JobProtocol;
  classWeights: boolean;
}

export const DEFAULT_CONFIG: TrainConfig = {
  level: 'graph',
  task: 'binary',
  arch: 'skip',
  direction: 'forward',
  hidden: 64,
  dropout: 0.2,
  lr: 1e-3,
  weightDecay: 1e-4,
  batchSize: 32,
  maxEpochs: 200,
  patience: 25,
  seed: 0,
  protocol: 'run',
  classWeights: false,
};

export interface EpochLog {
  epoch: number;
  trainLoss: number;
  valAccuracy: number;
  seconds: number;
}

/** Per evaluated item (a run at graph level, a job at job level): truth and prediction. */
export interface Prediction {
  sample: number;
  node: number;
  target: number;
  predicted: number;
}

export interface TrainResult {
  model: GcnModel;
  scaler: ScalerState;
  config: TrainConfig;
  classes: readonly string[];
  curve: EpochLog[];
  bestEpoch: number;
  epochs: number;
  seconds: number;
  secondsToBest: number;
  secondsPerEpoch: number;
  val: Metrics;
  test: Metrics;
  testPredictions: Prediction[];
  /** Split of each sample (0 train, 1 val, 2 test); at job level with 'paper', of each job. */
  graphSplit: Uint8Array;
  nodeSplit: Uint8Array[] | null;
  /** Threads that trained it (the weights are the same for any count). */
  threads: number;
}

export function stratumOf(s: GraphSample): string {
  return `${s.workflow}|${s.label}`;
}

export interface TrainOptions {
  /**
   * Threads (1 or 2; parallel.ts). The weights do not depend on it. Default: 2 on a machine with
   * two cores or more (WFAD_TRAIN_THREADS overrides) when the training split is large enough.
   */
  threads?: number;
}

export function train(samples: readonly GraphSample[], cfg: TrainConfig, log?: (e: EpochLog) => void, opts: TrainOptions = {}): TrainResult {
  const t0 = performance.now();
  const classes = classesOf(cfg.task);
  const C = classes.length;
  const paperJobs = cfg.level === 'node' && cfg.protocol === 'paper';
  const graphSplit = stratifiedSplit(samples, stratumOf, cfg.seed);
  const nodeSplit = paperJobs ? jobSplit(samples.map((s) => s.numNodes), samples.map(stratumOf), cfg.seed) : null;

  // Scaling from training rows only.
  const scaler = fitScaler(
    FEATURES,
    samples.flatMap((s, g) => {
      const reference = s.category === 'normal';
      if (nodeSplit) return [{ workflow: s.workflow, x: s.x, reference, rows: (nodeSplit[g] as Uint8Array).map((v) => (v === 0 ? 1 : 0)) }];
      return graphSplit[g] === 0 ? [{ workflow: s.workflow, x: s.x, reference }] : [];
    }),
  );
  const width = scaledWidth(scaler);
  // Every graph scaled, normalised and packed once; a mini-batch is gathered from the pack.
  const pack = packGraphs(
    samples.map((s, g) => ({
      numNodes: s.numNodes,
      x: () => applyScaler(scaler, s.workflow, s.x),
      edgeIndex: s.edgeIndex,
      target: targetOf(s, cfg.task),
      nodeTargets: () => jobTargets(s, cfg.task),
      nodeSplit: nodeSplit?.[g],
    })),
    width,
    cfg.direction,
    cfg.level,
  );

  const model = new GcnModel(
    { level: cfg.level, arch: cfg.arch, inFeatures: width, hidden: cfg.hidden, numClasses: C, direction: cfg.direction, dropout: cfg.dropout },
    cfg.seed,
  );
  const rng = new Rng(cfg.seed ^ 0x5bd1e995);
  const opt = new Adam(model.parameters(), { lr: cfg.lr, weightDecay: cfg.weightDecay });

  const inSplit = (split: number): number[] =>
    samples.map((_, g) => g).filter((g) => (nodeSplit ? true : graphSplit[g] === split));

  // Class weights (optional): inverse frequency over training targets.
  let weights: Float32Array | undefined;
  if (cfg.classWeights) {
    const counts = new Float64Array(C);
    samples.forEach((s, g) => {
      if (!(nodeSplit || graphSplit[g] === 0)) return;
      if (cfg.level === 'graph') counts[targetOf(s, cfg.task)] = (counts[targetOf(s, cfg.task)] as number) + 1;
      else for (const t of jobTargets(s, cfg.task)) counts[t] = (counts[t] as number) + 1;
    });
    const total = counts.reduce((a, b) => a + b, 0);
    weights = Float32Array.from(counts, (c) => (c > 0 ? total / (C * c) : 0));
  }

  const chunk = (idx: number[], size: number): number[][] => {
    const out: number[][] = [];
    for (let i = 0; i < idx.length; i += size) out.push(idx.slice(i, i + size));
    return out;
  };
  const trainIdx = inSplit(0);
  const trainNodes = trainIdx.reduce((a, g) => a + (samples[g] as GraphSample).numNodes, 0);
  const threads = opts.threads ?? (trainNodes >= MIN_PARALLEL_NODES ? defaultThreads() : 1);
  const runner = new ShardRunner(model, pack, weights, threads);
  try {
    const valBatches = chunk(inSplit(1), 1024);
    const testBatches = chunk(inSplit(2), 1024);
    const scratch = new GatherScratch();

    const evaluate = (batches: number[][], split: number): { m: Metrics; preds: Prediction[] } => {
      const yT: number[] = [];
      const yP: number[] = [];
      const probRows: number[] = [];
      const preds: Prediction[] = [];
      for (const graphs of batches) {
        const logits = runner.logits(graphs);
        const rows = logits.length / C;
        const prob = softmaxRows(logits, rows, C);
        const t = gatherTargets(pack, graphs, scratch);
        const mask = gatherMask(pack, graphs, split);
        // Job level: row r is job r − first of graphs[b].
        let b = -1;
        let first = 0;
        let end = 0;
        for (let r = 0; r < rows; r++) {
          if (cfg.level === 'node') {
            while (r >= end) {
              const g = graphs[++b] as number;
              first = end;
              end += (pack.nodePtr[g + 1] as number) - (pack.nodePtr[g] as number);
            }
          }
          if (mask && !mask[r]) continue;
          let best = 0;
          for (let c = 1; c < C; c++) if ((prob[r * C + c] as number) > (prob[r * C + best] as number)) best = c;
          yT.push(t[r] as number);
          yP.push(best);
          for (let c = 0; c < C; c++) probRows.push(prob[r * C + c] as number);
          const g = cfg.level === 'graph' ? (graphs[r] as number) : (graphs[b] as number);
          preds.push({ sample: g, node: cfg.level === 'graph' ? -1 : r - first, target: t[r] as number, predicted: best });
        }
      }
      return { m: withRanking(metrics(yT, yP, C), probRows, yT, classes), preds };
    };

    const curve: EpochLog[] = [];
    let best = { acc: -1, epoch: 0, weights: model.parameters().map((p) => p.data.slice()), at: 0 };
    let epoch = 0;
    for (epoch = 1; epoch <= cfg.maxEpochs; epoch++) {
      const e0 = performance.now();
      const order = rng.shuffle(trainIdx.slice());
      let lossSum = 0;
      let nb = 0;
      for (const idx of chunk(order, cfg.batchSize)) {
        // Two shards (dropout seeds drawn here, so the stream does not depend on the thread count).
        const seeds = [rng.int(2 ** 32), rng.int(2 ** 32)] as const;
        lossSum += runner.trainStep(idx, seeds);
        opt.step();
        nb++;
      }
      const val = evaluate(valBatches, 1).m;
      const entry = { epoch, trainLoss: lossSum / Math.max(nb, 1), valAccuracy: val.accuracy, seconds: (performance.now() - e0) / 1000 };
      curve.push(entry);
      log?.(entry);
      if (val.accuracy > best.acc) best = { acc: val.accuracy, epoch, weights: model.parameters().map((p) => p.data.slice()), at: performance.now() };
      else if (epoch - best.epoch >= cfg.patience) break;
    }
    model.parameters().forEach((p, k) => p.data.set(best.weights[k] as Float32Array));
    const val = evaluate(valBatches, 1).m;
    const test = evaluate(testBatches, 2);
    releaseArena();
    const seconds = (performance.now() - t0) / 1000;
    const epochs = curve.length;
    return {
      model,
      scaler,
      config: cfg,
      classes,
      curve,
      bestEpoch: best.epoch,
      epochs,
      seconds,
      secondsToBest: (best.at - t0) / 1000,
      secondsPerEpoch: curve.reduce((a, e) => a + e.seconds, 0) / Math.max(epochs, 1),
      val,
      test: test.m,
      testPredictions: test.preds,
      graphSplit,
      nodeSplit,
      threads: runner.threads,
    };
  } finally {
    runner.close();
  }
}
