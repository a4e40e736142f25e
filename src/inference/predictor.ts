/**
 * A loaded model: one onnxruntime session, its metadata, and prediction over many runs at once.
 *
 *   predict(runs): scale each run's raw features with the model's scaler (the one scaling path),
 *   build the disjoint union x: [N, F], edge_index: [2, E] (ids offset per run), batch: [N],
 *   one session.run, then split probabilities [B, C] (graph level) or [N, C] (job level) per run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { inferenceConfig, type ProviderSetting } from '../config';
import { WfadError } from '../errors';
import type { ModelLevel, ModelTask } from '../model-identity';
import { edgeIndexOf, hostsOf, type GraphSample } from '../features/dataset';
import { FEATURE_NAMES, NUM_FEATURES, featureColumns, rawJobFeatures } from '../features/job-features';
import { applyScalerInto, scaledWidth, type FeatureSource, type ScalerState } from '../features/scaler';
import { explainRun, type JobContribution } from '../models/explain';
import { calibrationOf, contextGroups, type NormalOnlyState } from '../models/normal-only';
import { deviations, type Deviations } from '../models/normal-profile';
import { jobCountOf, type RunRecord } from '../graph/read-runs';
import { ONNX_FILE, readOnnxMeta, type OnnxModelMeta } from '../onnx/model-file';
import type { AnyModelCard } from '../train/model-store';
import { createSession, type Provider } from './provider';

/**
 * What predict needs of a run (a GraphSample fits): raw features [n, F_raw], edge_index [2, e] and,
 * for per-job baselines and explanations, the job names in template order.
 */
export type PredictInput = Pick<GraphSample, 'runId' | 'workflow' | 'numNodes' | 'x' | 'edgeIndex' | 'jobNames' | 'hosts'>;

/** One verdict: for a run (graph level) or a job (job level). */
export interface Verdict {
  /** Index into the model's classes. */
  classIndex: number;
  predicted: string;
  /** 1 − P(normal): how anomalous, whatever the kind. */
  score: number;
  /** In the model's class order. */
  probabilities: number[];
}

export interface RunPrediction {
  runId: string;
  workflow: string;
  /** "<name>@<version>" */
  modelId: string;
  level: ModelLevel;
  /** Graph level: one verdict for the run; job level: one per job, in template order (job index). */
  verdicts: Verdict[];
  /**
   * Jobs ranked by deviation from normal (models/explain.ts); null when the model has no normal
   * profile, or when predict was asked not to explain (scoring stores none: see explainInputs).
   */
  explanation: JobContribution[] | null;
}

export interface PredictOptions {
  /**
   * Compute each run's explanation (default true). It costs more than the inference itself on small
   * DAGs, and depends only on the run and the model's normal profile, so stored predictions leave it
   * out and it is computed when asked (explainInputs).
   */
  explain?: boolean;
}

export interface PredictorOptions {
  /** Default: WFAD_ONNX_PROVIDER or 'auto'. */
  provider?: ProviderSetting;
  /** onnxruntime intra-op threads; default WFAD_ONNX_THREADS or half the cores. */
  threads?: number;
  /** Where the provider choice is said (once); default stderr. */
  log?: (line: string) => void;
}

/** A batch encoded for session.run, plus where each run's rows are. */
export interface EncodedBatch {
  feeds: Record<string, ort.Tensor>;
  inputs: readonly PredictInput[];
  /** [B + 1] first node of each run, then N. */
  ptr: Int32Array;
  /** Normal-only models: each run's deviations (reused by the explanations). */
  deviations?: Deviations[];
}

export interface PredictorStats {
  /** session.run calls. */
  calls: number;
  /** Runs (graphs) scored. */
  graphs: number;
  /** Jobs (nodes) scored. */
  nodes: number;
  /** Seconds inside session.run. */
  runSeconds: number;
}

const stderrLog = (line: string): void => void process.stderr.write(`${line}\n`);
const LITTLE_ENDIAN = os.endianness() === 'LE';

/** A RunRecord (graph/read-runs.ts) as predictor input; needs no label. */
export function toPredictInput(run: RunRecord): PredictInput {
  const edgeIndex = edgeIndexOf(run.edges);
  return { runId: run.id, workflow: run.workflow, numNodes: jobCountOf(run), x: rawJobFeatures(run), edgeIndex, jobNames: run.jobNames, hosts: hostsOf(run) };
}

/** int64 tensor data from int32 values without one BigInt per element (low words; values ≥ 0). */
function int64Of(n: number, fill: (low: Int32Array) => void): BigInt64Array {
  const out = new BigInt64Array(n);
  if (LITTLE_ENDIAN) {
    const view = new Int32Array(out.buffer);
    const low = new Int32Array(n);
    fill(low);
    for (let i = 0; i < n; i++) view[2 * i] = low[i] as number;
  } else {
    const low = new Int32Array(n);
    fill(low);
    for (let i = 0; i < n; i++) out[i] = BigInt(low[i] as number);
  }
  return out;
}

export class Predictor {
  readonly stats: PredictorStats = { calls: 0, graphs: 0, nodes: 0, runSeconds: 0 };
  private readonly rawWidth: number;
  private readonly width: number;
  private readonly normal: number;
  /** This model's features among the current ones (null: it has one they lack). */
  private readonly ownColumns: FeatureSource | null;

  private constructor(
    /** The model folder (or the .onnx file's folder). */
    readonly dir: string,
    readonly meta: OnnxModelMeta,
    /** model.json beside model.onnx, when present (metrics, training config). */
    readonly card: AnyModelCard | null,
    readonly session: ort.InferenceSession,
    readonly provider: Provider,
  ) {
    this.rawWidth = meta.featureNames.length;
    this.width = meta.normalOnly ? meta.normalOnly.profile.columns.length : scaledWidth(meta.scaler as ScalerState);
    this.normal = Math.max(0, meta.classes.indexOf('normal'));
    const columns = featureColumns(FEATURE_NAMES, meta.featureNames);
    this.ownColumns = columns ? { width: NUM_FEATURES, columns } : null;
    const want = meta.normalOnly ? (meta.level === 'graph' ? ['x', 'batch', 'run_center', 'run_scale'] : ['x', 'group']) : meta.level === 'graph' ? ['x', 'edge_index', 'batch'] : ['x', 'edge_index'];
    if (want.some((n) => !session.inputNames.includes(n)) || !session.outputNames.includes('probabilities')) {
      throw new WfadError('BAD_MODEL', `${dir}: the ONNX inputs are ${session.inputNames.join(', ')} and outputs ${session.outputNames.join(', ')}; expected inputs ${want.join(', ')} and output probabilities`);
    }
  }

  /** Loads `<dir>/model.onnx` (or an .onnx file) on the configured execution provider. */
  static async load(dirOrFile: string, opts: PredictorOptions = {}): Promise<Predictor> {
    const file = dirOrFile.endsWith('.onnx') ? dirOrFile : path.join(dirOrFile, ONNX_FILE);
    const dir = path.dirname(file);
    if (!fs.existsSync(file)) {
      const hint = fs.existsSync(path.join(dir, 'model.json')) ? `export it with \`wfad export --model ${dir}\`` : 'train a model with `wfad train` or give a models/<name> folder';
      throw new WfadError('MODEL_MISSING', `no ONNX model at ${file}: ${hint}`);
    }
    const bytes = fs.readFileSync(file);
    const meta = readOnnxMeta(bytes, file);
    const cardFile = path.join(dir, 'model.json');
    const card = fs.existsSync(cardFile) ? (JSON.parse(fs.readFileSync(cardFile, 'utf8')) as AnyModelCard) : null;
    const cfg = inferenceConfig();
    const { session, provider } = await createSession(bytes, { provider: opts.provider ?? cfg.provider, threads: opts.threads ?? cfg.threads, log: opts.log ?? stderrLog });
    return new Predictor(dir, meta, card, session, provider);
  }

  get modelId(): string {
    return `${this.meta.name}@${this.meta.version}`;
  }
  get name(): string {
    return this.meta.name;
  }
  get version(): string {
    return this.meta.version;
  }
  get level(): ModelLevel {
    return this.meta.level;
  }
  get task(): ModelTask {
    return this.meta.task;
  }
  get classes(): readonly string[] {
    return this.meta.classes;
  }
  /** 'supervised' (GCN) or 'normal-only'. */
  get detector(): 'supervised' | 'normal-only' {
    return this.meta.detector;
  }
  /** "ALL" or the one workflow the model was trained on. */
  get workflow(): string {
    return this.meta.workflow;
  }

  /**
   * The workflows whose runs this model scores: its own; for an ALL model, those its training runs
   * came from (model.json `data.workflows`). null: any workflow (an ALL model whose card predates
   * that list). A run of another workflow gets no prediction: its jobs' timings would be judged
   * against workflows it never saw, a confident verdict on no evidence.
   */
  get coveredWorkflows(): readonly string[] | null {
    if (this.workflow !== 'ALL') return [this.workflow];
    return this.card?.data.workflows ?? null;
  }

  /** Why this model does not score runs of `workflow` (null: it does). */
  notCovering(workflow: string): string | null {
    const covered = this.coveredWorkflows;
    if (covered === null || covered.includes(workflow)) return null;
    if (this.workflow !== 'ALL') return `${this.modelId} was trained on ${this.workflow} only`;
    return `${this.modelId} was trained on ${covered.join(', ')}, not ${workflow}`;
  }

  /**
   * Where the input's raw features in this model's feature order are: all of x when it has the
   * model's width (undefined), else the model's columns of the current feature set (a model
   * trained before a feature was added); null when x fits neither.
   */
  private featureSource(s: PredictInput): FeatureSource | undefined | null {
    if (s.x.length === s.numNodes * this.rawWidth) return undefined;
    return s.x.length === s.numNodes * NUM_FEATURES ? this.ownColumns : null;
  }

  /** Checks one input; names the run and the field at fault. */
  validate(s: PredictInput): void {
    if (!Number.isInteger(s.numNodes) || s.numNodes < 1) throw new WfadError('BAD_INPUT', `run ${s.runId}: numNodes=${s.numNodes}, a run needs at least one job`);
    if (this.featureSource(s) === null) {
      throw new WfadError('BAD_INPUT', `run ${s.runId}: x has ${s.x.length} values, [${s.numNodes}, ${this.rawWidth}] raw features expected`);
    }
    if (s.edgeIndex.length % 2 !== 0) throw new WfadError('BAD_INPUT', `run ${s.runId}: edgeIndex has ${s.edgeIndex.length} values, not [2, E]`);
    for (let i = 0; i < s.edgeIndex.length; i++) {
      const v = s.edgeIndex[i] as number;
      if (v < 0 || v >= s.numNodes) throw new WfadError('BAD_INPUT', `run ${s.runId}: edgeIndex[${i}] = ${v} is not a job index in [0, ${s.numNodes})`);
    }
  }

  /** Scales and unions runs into session inputs. */
  encode(inputs: readonly PredictInput[]): EncodedBatch {
    if (inputs.length === 0) throw new WfadError('BAD_INPUT', 'predict: no runs given');
    let N = 0;
    let E = 0;
    for (const s of inputs) {
      this.validate(s);
      N += s.numNodes;
      E += s.edgeIndex.length / 2;
    }
    const W = this.width;
    const x = new Float32Array(N * W);
    const ptr = new Int32Array(inputs.length + 1);
    let n0 = 0;
    const st = this.meta.normalOnly;
    const devs: Deviations[] = [];
    inputs.forEach((s, b) => {
      ptr[b] = n0;
      if (st) {
        const d = deviations(st.profile, s);
        devs.push(d);
        x.set(d.z, n0 * W);
      } else applyScalerInto(this.meta.scaler as ScalerState, s.workflow, s.x, x, n0, this.featureSource(s) ?? undefined);
      n0 += s.numNodes;
    });
    ptr[inputs.length] = N;
    if (st) return this.encodeNormalOnly(st, inputs, x, ptr, devs);
    const edgeIndex = int64Of(2 * E, (low) => {
      let e0 = 0;
      inputs.forEach((s, b) => {
        const e = s.edgeIndex.length / 2;
        const off = ptr[b] as number;
        const ei = s.edgeIndex;
        for (let k = 0; k < e; k++) {
          low[e0 + k] = (ei[k] as number) + off;
          low[E + e0 + k] = (ei[e + k] as number) + off;
        }
        e0 += e;
      });
    });
    const feeds: Record<string, ort.Tensor> = {
      x: new ort.Tensor('float32', x, [N, W]),
      edge_index: new ort.Tensor('int64', edgeIndex, [2, E]),
    };
    if (this.meta.level === 'graph') {
      const batch = int64Of(N, (low) => {
        for (let b = 0; b < inputs.length; b++) low.fill(b, ptr[b] as number, ptr[b + 1] as number);
      });
      feeds.batch = new ort.Tensor('int64', batch, [N]);
    }
    return { feeds, inputs, ptr };
  }

  private encodeNormalOnly(st: NormalOnlyState, inputs: readonly PredictInput[], x: Float32Array, ptr: Int32Array, devs: Deviations[]): EncodedBatch {
    const N = ptr[inputs.length] as number;
    const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', x, [N, this.width]) };
    if (this.meta.level === 'graph') {
      const B = inputs.length;
      feeds.batch = new ort.Tensor('int64', int64Of(N, (low) => {
        for (let b = 0; b < B; b++) low.fill(b, ptr[b] as number, ptr[b + 1] as number);
      }), [N]);
      const cal = inputs.map((s) => calibrationOf(st, s.workflow));
      feeds.run_center = new ort.Tensor('float32', Float32Array.from(cal, (c) => c.center), [B]);
      feeds.run_scale = new ort.Tensor('float32', Float32Array.from(cal, (c) => c.scale), [B]);
    } else {
      // Context groups numbered across the batch: one per (run, host), one per job without a host.
      let next = 0;
      const groups = new Int32Array(N);
      inputs.forEach((s, b) => {
        const local = contextGroups(s.hosts, s.numNodes);
        let most = -1;
        for (let j = 0; j < s.numNodes; j++) {
          groups[(ptr[b] as number) + j] = next + (local[j] as number);
          most = Math.max(most, local[j] as number);
        }
        next += most + 1;
      });
      feeds.group = new ort.Tensor('int64', int64Of(N, (low) => low.set(groups)), [N]);
    }
    return { feeds, inputs, ptr, deviations: devs };
  }

  /** Explanations of the batch's runs (null each when the model has no normal profile). */
  explain(batch: EncodedBatch): Array<JobContribution[] | null> {
    const profile = this.meta.profile;
    return batch.inputs.map((s, b) => (profile ? explainRun(profile, s, {}, batch.deviations?.[b]) : null));
  }

  /**
   * Explanations of runs without scoring them (null each when the model has no normal profile): the
   * same as predict's, which they depend on only through the run and the profile.
   */
  explainInputs(inputs: readonly PredictInput[]): Array<JobContribution[] | null> {
    const profile = this.meta.profile;
    return inputs.map((s) => (profile ? explainRun(profile, s) : null));
  }

  /** One session.run; probabilities: [B, C] (graph level) or [N, C] (job level). */
  async run(batch: EncodedBatch): Promise<Float32Array> {
    const t0 = performance.now();
    const out = await this.session.run(batch.feeds, ['probabilities']);
    this.stats.runSeconds += (performance.now() - t0) / 1000;
    this.stats.calls++;
    this.stats.graphs += batch.inputs.length;
    this.stats.nodes += batch.ptr[batch.inputs.length] as number;
    const p = out.probabilities;
    if (!p) throw new WfadError('BAD_MODEL', `${this.dir}: session.run returned no probabilities`);
    return p.data as Float32Array;
  }

  /** Scores runs in one session.run over their disjoint union. */
  async predict(inputs: readonly PredictInput[], opts: PredictOptions = {}): Promise<RunPrediction[]> {
    const batch = this.encode(inputs);
    const probs = await this.run(batch);
    return this.split(batch, probs, opts);
  }

  /** Per-run verdicts from the batch's output rows. */
  split(batch: EncodedBatch, probs: Float32Array, opts: PredictOptions = {}): RunPrediction[] {
    const C = this.meta.classes.length;
    const verdict = (row: number): Verdict => {
      const o = row * C;
      let best = 0;
      for (let c = 1; c < C; c++) if ((probs[o + c] as number) > (probs[o + best] as number)) best = c;
      const probabilities = Array.from(probs.subarray(o, o + C));
      return { classIndex: best, predicted: this.meta.classes[best] as string, score: 1 - (probabilities[this.normal] as number), probabilities };
    };
    const explanations = opts.explain === false ? null : this.explain(batch);
    return batch.inputs.map((s, b) => {
      const verdicts: Verdict[] = [];
      if (this.meta.level === 'graph') verdicts.push(verdict(b));
      else for (let r = batch.ptr[b] as number; r < (batch.ptr[b + 1] as number); r++) verdicts.push(verdict(r));
      return { runId: s.runId, workflow: s.workflow, modelId: this.modelId, level: this.meta.level, verdicts, explanation: explanations?.[b] ?? null };
    });
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
