/**
 * A trained model on other samples: the training's scaler applied to them, the forward pass in
 * evaluation mode, metrics against their labels. Used to test a model on data it was not trained
 * on at all (e.g. trained on generated traces, tested on real ones).
 */
import type { GraphSample, Task } from '../features/dataset';
import { classesOf, jobTargets, targetOf } from '../features/dataset';
import { applyScaler, scaledWidth, type ScalerState } from '../features/scaler';
import type { GcnModel } from '../models/gcn';
import { softmaxRows } from '../nn/cross-entropy';
import { makeBatch } from './batch';
import { metrics, withRanking, type Metrics } from './metrics';
import type { Prediction } from './trainer';

export interface Evaluation {
  metrics: Metrics;
  /** Per run (graph level) or per job (job level): truth and prediction. */
  predictions: Prediction[];
  /** [predictions.length, C]: softmax probabilities, rows in the order of `predictions`. */
  probabilities: Float32Array;
}

export function evaluate(model: GcnModel, scaler: ScalerState, samples: readonly GraphSample[], task: Task, batchSize = 512): Evaluation {
  const C = model.config.numClasses;
  if (classesOf(task).length !== C) throw new Error(`a ${task} evaluation needs ${classesOf(task).length} classes, the model has ${C}`);
  const width = scaledWidth(scaler);
  if (width !== model.config.inFeatures) throw new Error(`scaler gives ${width} features, the model expects ${model.config.inFeatures}`);
  const graphLevel = model.config.level === 'graph';
  const yT: number[] = [];
  const yP: number[] = [];
  const predictions: Prediction[] = [];
  const probs: Float32Array[] = [];
  for (let b0 = 0; b0 < samples.length; b0 += batchSize) {
    const chunk = samples.slice(b0, b0 + batchSize);
    const batch = makeBatch(chunk.map((s) => ({ numNodes: s.numNodes, x: applyScaler(scaler, s.workflow, s.x), edgeIndex: s.edgeIndex })), width);
    const logits = model.forward({ ...batch }, false);
    // prob: [rows, C]
    const prob = softmaxRows(logits.data, logits.rows, C);
    probs.push(prob);
    let own: Int32Array = new Int32Array(0);
    for (let r = 0; r < logits.rows; r++) {
      const g = graphLevel ? r : (batch.batch[r] as number);
      if (!graphLevel && r === batch.ptr[g]) own = jobTargets(chunk[g] as GraphSample, task);
      const target = graphLevel ? targetOf(chunk[g] as GraphSample, task) : (own[r - (batch.ptr[g] as number)] as number);
      let best = 0;
      for (let c = 1; c < C; c++) if ((prob[r * C + c] as number) > (prob[r * C + best] as number)) best = c;
      yT.push(target);
      yP.push(best);
      predictions.push({ sample: b0 + g, node: graphLevel ? -1 : r - (batch.ptr[g] as number), target, predicted: best });
    }
  }
  const probabilities = new Float32Array(predictions.length * C);
  let at = 0;
  for (const p of probs) {
    probabilities.set(p, at);
    at += p.length;
  }
  return { metrics: withRanking(metrics(yT, yP, C), probabilities, yT, classesOf(task)), predictions, probabilities };
}
