/**
 * `wfad reproduce`: the paper's evaluation on the stored runs. Every configuration
 * (5 workflows + ALL) × (graph, job) × (binary, multiclass) is trained and tested over several
 * seeds (each seed its own split and initialisation); job level under both protocols ('paper' for
 * the tables, 'run' as the stricter check). Also accuracy by anomaly category and by level from the
 * binary graph-level models, and the conventional baselines on 1000genome.
 */
import type { GraphSample, Task } from '../features/dataset';
import type { Level } from '../models/gcn';
import { baselines, type BaselineName } from './baselines';
import type { Metrics } from './metrics';
import { DEFAULT_CONFIG, train, type EpochLog, type JobProtocol, type TrainConfig } from './trainer';

export interface Stat {
  mean: number;
  std: number;
}
export interface CellStats {
  accuracy: Stat;
  f1: Stat;
  precision: Stat;
  recall: Stat;
}
type Table = Record<Task, Record<string, CellStats>>;

export interface ReproduceResult {
  seeds: number;
  config: Omit<TrainConfig, 'level' | 'task' | 'seed' | 'protocol'>;
  graph: Table;
  node: Table;
  nodeByRun: Table;
  byCategory: Record<string, Record<string, Stat>>;
  byLevel: Record<string, Record<string, Stat>>;
  baselines: Record<string, Record<Task, Record<BaselineName, Stat>>>;
  /** For the figures: seed 0 of ALL. */
  figures: { confusion: { classes: string[]; matrix: number[][] }; curve: EpochLog[] };
  seconds: number;
  timings: Array<{ what: string; seconds: number; epochs: number }>;
}

export function stat(xs: number[]): Stat {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(n, 1);
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean: Number(mean.toFixed(4)), std: Number(std.toFixed(4)) };
}

function cell(ms: Metrics[]): CellStats {
  return { accuracy: stat(ms.map((m) => m.accuracy)), f1: stat(ms.map((m) => m.f1)), precision: stat(ms.map((m) => m.precision)), recall: stat(ms.map((m) => m.recall)) };
}

export interface ReproduceOptions {
  seeds: number;
  base?: Partial<TrainConfig>;
  onStep?: (done: number, total: number, what: string) => void;
}

export function reproduce(all: readonly GraphSample[], opts: ReproduceOptions): ReproduceResult {
  const t0 = performance.now();
  const base: TrainConfig = { ...DEFAULT_CONFIG, ...opts.base };
  const workflows = [...new Set(all.map((s) => s.workflow))].sort();
  const groups: Array<[string, GraphSample[]]> = [...workflows.map((w) => [w, all.filter((s) => s.workflow === w)] as [string, GraphSample[]]), ['ALL', [...all]]];
  const seeds = Array.from({ length: opts.seeds }, (_, i) => i);
  const plan: Array<{ wf: string; level: Level; task: Task; protocol: JobProtocol }> = [];
  for (const [wf] of groups) {
    for (const task of ['binary', 'multiclass'] as const) {
      plan.push({ wf, level: 'graph', task, protocol: 'run' });
      plan.push({ wf, level: 'node', task, protocol: 'paper' });
      plan.push({ wf, level: 'node', task, protocol: 'run' });
    }
  }
  const total = plan.length * seeds.length + seeds.length;
  let done = 0;
  const empty = (): Table => ({ binary: {}, multiclass: {} });
  const out: ReproduceResult = {
    seeds: opts.seeds,
    config: { arch: base.arch, direction: base.direction, hidden: base.hidden, dropout: base.dropout, lr: base.lr, weightDecay: base.weightDecay, batchSize: base.batchSize, maxEpochs: base.maxEpochs, patience: base.patience, classWeights: base.classWeights },
    graph: empty(),
    node: empty(),
    nodeByRun: empty(),
    byCategory: {},
    byLevel: {},
    baselines: {},
    figures: { confusion: { classes: [], matrix: [] }, curve: [] },
    seconds: 0,
    timings: [],
  };
  for (const p of plan) {
    const samples = (groups.find(([w]) => w === p.wf) as [string, GraphSample[]])[1];
    const results: Metrics[] = [];
    const cats: Record<string, number[]> = {};
    const lvls: Record<string, number[]> = {};
    for (const seed of seeds) {
      opts.onStep?.(done, total, `${p.wf} ${p.level} ${p.task}${p.level === 'node' ? ` (${p.protocol})` : ''} seed ${seed}`);
      const r = train(samples, { ...base, level: p.level, task: p.task, protocol: p.protocol, seed });
      out.timings.push({ what: `${p.wf} ${p.level} ${p.task} ${p.protocol} seed ${seed}`, seconds: Number(r.seconds.toFixed(2)), epochs: r.epochs });
      results.push(r.test);
      if (p.level === 'graph' && p.task === 'binary') {
        const byCat: Record<string, [number, number]> = {};
        const byLab: Record<string, [number, number]> = {};
        for (const pr of r.testPredictions) {
          const s = samples[pr.sample] as GraphSample;
          const ok = pr.predicted === pr.target ? 1 : 0;
          const c = (byCat[s.category] ??= [0, 0]);
          c[0] += ok;
          c[1]++;
          const l = (byLab[s.label] ??= [0, 0]);
          l[0] += ok;
          l[1]++;
        }
        for (const [k, [a, n]] of Object.entries(byCat)) (cats[k] ??= []).push(a / n);
        for (const [k, [a, n]] of Object.entries(byLab)) (lvls[k] ??= []).push(a / n);
        if (p.wf === 'ALL' && seed === 0) out.figures.curve = r.curve;
      }
      if (p.level === 'graph' && p.task === 'multiclass' && p.wf === 'ALL' && seed === 0) {
        out.figures.confusion = { classes: [...r.classes], matrix: r.test.confusion };
      }
      done++;
    }
    const table = p.level === 'graph' ? out.graph : p.protocol === 'paper' ? out.node : out.nodeByRun;
    table[p.task][p.wf] = cell(results);
    if (Object.keys(cats).length) {
      out.byCategory[p.wf] = Object.fromEntries(Object.entries(cats).map(([k, v]) => [k, stat(v)]));
      out.byLevel[p.wf] = Object.fromEntries(Object.entries(lvls).map(([k, v]) => [k, stat(v)]));
    }
  }
  // Table VI: conventional baselines on 1000genome.
  const genome = groups.find(([w]) => w === '1000genome')?.[1] ?? [];
  if (genome.length) {
    const acc: Record<Task, Record<BaselineName, number[]>> = { binary: { 'svm-rbf': [], 'random-forest-d3': [], mlp: [] }, multiclass: { 'svm-rbf': [], 'random-forest-d3': [], mlp: [] } };
    for (const seed of seeds) {
      opts.onStep?.(done, total, `1000genome baselines seed ${seed}`);
      for (const task of ['binary', 'multiclass'] as const) {
        const b = baselines(genome, task, seed);
        for (const k of Object.keys(b) as BaselineName[]) acc[task][k].push(b[k].accuracy);
      }
      done++;
    }
    out.baselines['1000genome'] = {
      binary: Object.fromEntries(Object.entries(acc.binary).map(([k, v]) => [k, stat(v)])) as Record<BaselineName, Stat>,
      multiclass: Object.fromEntries(Object.entries(acc.multiclass).map(([k, v]) => [k, stat(v)])) as Record<BaselineName, Stat>,
    };
  }
  out.seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  return out;
}
