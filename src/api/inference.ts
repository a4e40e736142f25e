/**
 * Live predictions for the API: one loaded predictor per registered model, requests coalesced
 * into batches of whole graphs, counters of calls and graphs (the batching test reads them).
 *
 * INTERIM: runs the TypeScript GCN (model.json + weights.bin) until the ONNX inference module
 * (src/inference) is merged; the interface below stays the same when it is swapped in.
 */
import type { GraphSample } from '../features/dataset';
import { applyScaler, scaledWidth } from '../features/scaler';
import { softmaxRows } from '../nn/cross-entropy';
import { makeBatch } from '../train/batch';
import { loadModel } from '../train/model-store';
import type { ModelRecord } from './store/models';

export interface LivePredictor {
  readonly model: ModelRecord;
  /** Class probabilities per sample: graph level [C]; node level [n, C] row-major. */
  predict(samples: readonly GraphSample[]): Promise<Float32Array[]>;
}

export interface InferenceCounters {
  /** Model invocations (one per batch of graphs). */
  calls: number;
  graphs: number;
}

export interface RuntimeOptions {
  provider: string;
  maxBatch: number;
  maxWaitMs: number;
}

export class ModelRuntime {
  private readonly loaded = new Map<string, Promise<LivePredictor>>();
  private readonly stats: InferenceCounters = { calls: 0, graphs: 0 };

  constructor(private readonly opts: RuntimeOptions) {}

  counters(): InferenceCounters {
    return { ...this.stats };
  }

  /** The predictor of a registered model, loaded once per process. */
  predictor(model: ModelRecord): Promise<LivePredictor> {
    let p = this.loaded.get(model.id);
    if (!p) {
      p = this.load(model);
      p.catch(() => this.loaded.delete(model.id));
      this.loaded.set(model.id, p);
    }
    return p;
  }

  private async load(model: ModelRecord): Promise<LivePredictor> {
    const { card, model: gcn } = loadModel(model.path);
    const width = scaledWidth(card.scaler);
    const C = card.classes.length;
    const stats = this.stats;
    const maxBatch = this.opts.maxBatch;
    return {
      model,
      async predict(samples) {
        const out: Float32Array[] = [];
        for (let i = 0; i < samples.length; i += maxBatch) {
          const chunk = samples.slice(i, i + maxBatch);
          const batch = makeBatch(chunk.map((s) => ({ numNodes: s.numNodes, x: applyScaler(card.scaler, s.workflow, s.x), edgeIndex: s.edgeIndex })), width);
          stats.calls++;
          stats.graphs += chunk.length;
          const logits = gcn.forward({ ...batch }, false);
          const prob = softmaxRows(logits.data, logits.rows, C);
          chunk.forEach((s, b) => {
            if (card.level === 'graph') out.push(prob.slice(b * C, (b + 1) * C));
            else out.push(prob.slice((batch.ptr[b] as number) * C, (batch.ptr[b + 1] as number) * C));
          });
        }
        return out;
      },
    };
  }

  async close(): Promise<void> {
    this.loaded.clear();
  }
}
