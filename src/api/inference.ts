/**
 * Live predictions for the API: per registered model one onnxruntime Predictor (src/inference),
 * loaded on first use, behind an InferenceBatcher, so predictions asked by one request (a
 * DataLoader batch) and by concurrent requests share session.run calls.
 */
import type { Logger } from 'pino';
import type { ProviderSetting } from '../config';
import { WfadError } from '../errors';
import { InferenceBatcher, Predictor, type PredictInput, type RunPrediction, type Verdict } from '../inference';
import type { ModelRecord } from './store/models';

export interface LivePredictor {
  readonly model: ModelRecord;
  readonly predictor: Predictor;
  /** Verdicts per input: one (graph level) or one per job in template order (node level). */
  predict(inputs: readonly PredictInput[]): Promise<Verdict[][]>;
  /** Whole run predictions (verdicts; no explanation: see loaders.ts), through the same batcher. */
  predictRuns(inputs: readonly PredictInput[]): Promise<RunPrediction[]>;
}

export interface InferenceCounters {
  /** session.run calls made for live predictions. */
  calls: number;
  /** Runs sent in those calls. */
  graphs: number;
}

export interface RuntimeOptions {
  provider: ProviderSetting;
  maxBatch: number;
  maxWaitMs: number;
  log: Logger;
}

export class ModelRuntime {
  private readonly loaded = new Map<string, Promise<{ live: LivePredictor; batcher: InferenceBatcher }>>();

  constructor(private readonly opts: RuntimeOptions) {}

  /** Summed over every loaded model's batcher. */
  async counters(): Promise<InferenceCounters> {
    const out = { calls: 0, graphs: 0 };
    for (const p of this.loaded.values()) {
      const s = (await p.catch(() => null))?.batcher.stats;
      if (s) {
        out.calls += s.calls;
        out.graphs += s.graphs;
      }
    }
    return out;
  }

  /** The predictor of a registered model, loaded once per process. */
  async predictor(model: ModelRecord): Promise<LivePredictor> {
    let p = this.loaded.get(model.id);
    if (!p) {
      p = this.load(model);
      p.catch(() => this.loaded.delete(model.id));
      this.loaded.set(model.id, p);
    }
    return (await p).live;
  }

  private async load(model: ModelRecord): Promise<{ live: LivePredictor; batcher: InferenceBatcher }> {
    const predictor = await Predictor.load(model.path, { provider: this.opts.provider, log: (line) => this.opts.log.info({ model: model.id }, line) });
    if (predictor.modelId !== model.id) {
      await predictor.release();
      throw new WfadError('BAD_MODEL', `the registry's model ${model.id} points at ${model.path}, which now holds ${predictor.modelId}; register that folder again (wfad score --model)`);
    }
    // Verdicts only: Prediction.explanation is computed when a query asks for it (loaders.ts).
    const batcher = new InferenceBatcher(predictor, { maxBatch: this.opts.maxBatch, maxWaitMs: this.opts.maxWaitMs, explain: false });
    const live: LivePredictor = {
      model,
      predictor,
      predict: async (inputs) => (await batcher.predictMany(inputs)).map((p) => p.verdicts),
      predictRuns: (inputs) => batcher.predictMany(inputs),
    };
    this.opts.log.info({ model: model.id, provider: predictor.provider }, 'model loaded');
    return { live, batcher };
  }

  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    for (const p of all) {
      const l = await p.catch(() => null);
      if (l) {
        await l.batcher.drain();
        await l.live.predictor.release();
      }
    }
  }
}
