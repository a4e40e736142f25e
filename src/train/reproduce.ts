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
  /** How many seeds the figure is over. */
  n: number;
}
export interface CellStats {
  accuracy: Stat;
  f1: Stat;
  precision: Stat;
  recall: Stat;
  /** From scores; over the seeds whose outcome has them (trainings cached before they existed have none). */
  rocAuc: Stat;
  averagePrecision: Stat;
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
  /** Wall time of this invocation (cached trainings cost it nothing). */
  seconds: number;
  /** Every training the report uses, cached or not, with its own time (baselines included). */
  timings: Array<{ what: string; seconds: number; epochs: number }>;
}

/** The report's compute cost: the trainings' own times, whichever invocation ran them. */
export function trainingSeconds(r: Pick<ReproduceResult, 'timings'>): number {
  return r.timings.reduce((a, t) => a + t.seconds, 0);
}

export function stat(xs: number[]): Stat {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(n, 1);
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean: Number(mean.toFixed(4)), std: Number(std.toFixed(4)), n };
}

function cellStats(ms: Metrics[]): CellStats {
  const ranked = (pick: (m: Metrics) => number | null | undefined): Stat => stat(ms.map(pick).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
  return {
    accuracy: stat(ms.map((m) => m.accuracy)),
    f1: stat(ms.map((m) => m.f1)),
    precision: stat(ms.map((m) => m.precision)),
    recall: stat(ms.map((m) => m.recall)),
    rocAuc: ranked((m) => m.rocAuc),
    averagePrecision: ranked((m) => m.averagePrecision),
  };
}

/** What one training contributes to the report; cached so an interrupted run resumes. */
export interface TrainingOutcome {
  test: Metrics;
  seconds: number;
  epochs: number;
  /** Graph-level binary only: test accuracy by category and by label, as [correct, total]. */
  byCategory?: Record<string, [number, number]>;
  byLabel?: Record<string, [number, number]>;
  curve?: EpochLog[];
  classes?: string[];
  /** Baseline entries only: accuracy of each conventional model. */
  baselines?: Record<BaselineName, number>;
}

/** Outcomes by key; `wfad reproduce` backs it with a JSON file (see cli). */
export interface OutcomeCache {
  get(key: string): TrainingOutcome | undefined;
  set(key: string, value: TrainingOutcome): void;
}

export interface ReproduceOptions {
  seeds: number;
  base?: Partial<TrainConfig>;
  onStep?: (done: number, total: number, what: string) => void;
  /** Finished trainings, keyed by configuration + seed + data fingerprint. */
  cache?: OutcomeCache;
  /** Identifies the data (e.g. its fingerprint): a cache entry is reused only for the same data. */
  dataKey?: string;
  /**
   * Time budget: once `performance.now()` passes it, no new training starts; cells then report
   * the seeds they have (cached ones included), and cells with none are left out.
   */
  deadline?: number;
}

interface Cell {
  wf: string;
  level: Level;
  task: Task;
  protocol: JobProtocol;
}

function outcomeOf(r: ReturnType<typeof train>, samples: readonly GraphSample[], cell: Cell): TrainingOutcome {
  const o: TrainingOutcome = { test: r.test, seconds: Number(r.seconds.toFixed(2)), epochs: r.epochs };
  if (cell.level === 'graph' && cell.task === 'binary') {
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
    o.byCategory = byCat;
    o.byLabel = byLab;
  }
  if (cell.wf === 'ALL' && cell.level === 'graph') {
    o.curve = r.curve;
    o.classes = [...r.classes];
  }
  return o;
}

/**
 * Seed-major order: every cell gets seed 0 before any cell gets seed 1, so an interrupted run has
 * complete tables for the seeds it finished (and a resumed run picks up where it stopped).
 */
export function reproduce(all: readonly GraphSample[], opts: ReproduceOptions): ReproduceResult {
  const t0 = performance.now();
  const base: TrainConfig = { ...DEFAULT_CONFIG, ...opts.base };
  const workflows = [...new Set(all.map((s) => s.workflow))].sort();
  const groups = new Map<string, GraphSample[]>([...workflows.map((w) => [w, all.filter((s) => s.workflow === w)] as [string, GraphSample[]]), ['ALL', [...all]]]);
  const seeds = Array.from({ length: opts.seeds }, (_, i) => i);
  // Graph level first (Table II), then job level (Table III), then the stricter job-level split:
  // under a time budget the headline tables fill first.
  const plan: Cell[] = [];
  for (const [level, protocol] of [['graph', 'run'], ['node', 'paper'], ['node', 'run']] as const) {
    for (const wf of groups.keys()) for (const task of ['binary', 'multiclass'] as const) plan.push({ wf, level, task, protocol });
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
  // Table VI: conventional baselines on 1000genome; seed 0 before the GCN trainings (so the
  // table exists under any budget), further seeds after them, within the budget.
  const genome = groups.get('1000genome') ?? [];
  const acc: Record<Task, Record<BaselineName, number[]>> = { binary: { 'svm-rbf': [], 'random-forest-d3': [], mlp: [] }, multiclass: { 'svm-rbf': [], 'random-forest-d3': [], mlp: [] } };
  const runBaselines = (seed: number): void => {
    opts.onStep?.(done, total, `1000genome baselines seed ${seed}`);
    done++;
    for (const task of ['binary', 'multiclass'] as const) {
      const key = `baselines|${opts.dataKey ?? ''}|${task}|${seed}`;
      let o = opts.cache?.get(key);
      if (!o?.baselines && seed > 0 && opts.deadline !== undefined && performance.now() > opts.deadline) continue;
      if (!o?.baselines) {
        const t1 = performance.now();
        const b = baselines(genome, task, seed);
        const bAcc = Object.fromEntries((Object.keys(b) as BaselineName[]).map((k) => [k, b[k].accuracy])) as Record<BaselineName, number>;
        o = { test: b['svm-rbf'], seconds: Number(((performance.now() - t1) / 1000).toFixed(2)), epochs: 0, baselines: bAcc };
        opts.cache?.set(key, o);
      }
      for (const k of Object.keys(o.baselines ?? {}) as BaselineName[]) acc[task][k].push((o.baselines as Record<BaselineName, number>)[k]);
      out.timings.push({ what: `1000genome baselines ${task} seed ${seed}`, seconds: o.seconds, epochs: 0 });
    }
  };
  if (genome.length) runBaselines(0);
  const configKey = JSON.stringify(out.config);
  const outcomes = new Map<Cell, TrainingOutcome[]>(plan.map((c) => [c, []]));
  for (const seed of seeds) {
    for (const cell of plan) {
      const what = `${cell.wf} ${cell.level} ${cell.task}${cell.level === 'node' ? ` (${cell.protocol})` : ''} seed ${seed}`;
      opts.onStep?.(done, total, what);
      const key = `${configKey}|${opts.dataKey ?? ''}|${cell.wf}|${cell.level}|${cell.task}|${cell.protocol}|${seed}`;
      let o = opts.cache?.get(key);
      if (!o && opts.deadline !== undefined && performance.now() > opts.deadline) {
        done++;
        continue;
      }
      if (!o) {
        const samples = groups.get(cell.wf) as GraphSample[];
        o = outcomeOf(train(samples, { ...base, level: cell.level, task: cell.task, protocol: cell.protocol, seed }), samples, cell);
        opts.cache?.set(key, o);
      }
      (outcomes.get(cell) as TrainingOutcome[]).push(o);
      out.timings.push({ what, seconds: o.seconds, epochs: o.epochs });
      done++;
    }
  }
  for (const cell of plan) {
    const os = outcomes.get(cell) as TrainingOutcome[];
    if (os.length === 0) continue;
    const table = cell.level === 'graph' ? out.graph : cell.protocol === 'paper' ? out.node : out.nodeByRun;
    table[cell.task][cell.wf] = cellStats(os.map((o) => o.test));
    if (cell.level === 'graph' && cell.task === 'binary') {
      const frac = (pick: (o: TrainingOutcome) => Record<string, [number, number]> | undefined): Record<string, Stat> => {
        const per: Record<string, number[]> = {};
        for (const o of os) for (const [k, [a, n]] of Object.entries(pick(o) ?? {})) (per[k] ??= []).push(a / n);
        return Object.fromEntries(Object.entries(per).map(([k, v]) => [k, stat(v)]));
      };
      out.byCategory[cell.wf] = frac((o) => o.byCategory);
      out.byLevel[cell.wf] = frac((o) => o.byLabel);
      if (cell.wf === 'ALL') out.figures.curve = os[0]?.curve ?? [];
    }
    if (cell.wf === 'ALL' && cell.level === 'graph' && cell.task === 'multiclass') {
      out.figures.confusion = { classes: os[0]?.classes ?? [], matrix: os[0]?.test.confusion ?? [] };
    }
  }
  if (genome.length) {
    for (const seed of seeds.slice(1)) runBaselines(seed);
    out.baselines['1000genome'] = {
      binary: Object.fromEntries(Object.entries(acc.binary).map(([k, v]) => [k, stat(v)])) as Record<BaselineName, Stat>,
      multiclass: Object.fromEntries(Object.entries(acc.multiclass).map(([k, v]) => [k, stat(v)])) as Record<BaselineName, Stat>,
    };
  }
  out.seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  return out;
}
