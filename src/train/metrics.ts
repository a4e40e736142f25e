/**
 * Classification metrics as in the paper: accuracy; for binary tasks precision, recall and F1
 * with "anomalous" (class 1) as the positive class; for multiclass tasks macro-averaged
 * precision/recall/F1 and the confusion matrix (rows = true class, columns = predicted).
 */
import { classRanking } from './ranking';

export interface Metrics {
  n: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: number[][];
  /**
   * From the scores (ranking.ts): anomalous vs normal, or the macro one-vs-rest mean (multiclass);
   * null when undefined (no anomalous or no normal item), so that JSON round-trips it.
   */
  rocAuc?: number | null;
  averagePrecision?: number | null;
  /** Precision among the k top scores, k = the number of anomalous items. */
  precisionAtK?: number | null;
  /** Multiclass: one-vs-rest per class. */
  perClass?: Record<string, { rocAuc: number | null; averagePrecision: number | null }>;
}

/** Metrics plus the ranking figures of the probabilities ([n, C] rows, class 0 = normal). */
export function withRanking(m: Metrics, prob: ArrayLike<number>, targets: ArrayLike<number>, classes: readonly string[]): Metrics {
  const r = classRanking(prob, targets, classes);
  return { ...m, rocAuc: orNull(r.rocAuc), averagePrecision: orNull(r.averagePrecision), precisionAtK: orNull(r.precisionAtK), ...(r.perClass ? { perClass: Object.fromEntries(Object.entries(r.perClass).map(([c, v]) => [c, { rocAuc: orNull(v.rocAuc), averagePrecision: orNull(v.averagePrecision) }])) } : {}) };
}

/** NaN (undefined figure) → null. */
export function orNull(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}

export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const row = m[yTrue[i] as number];
    if (row) row[yPred[i] as number] = (row[yPred[i] as number] ?? 0) + 1;
  }
  return m;
}

function prf(m: number[][], c: number): [number, number, number] {
  const tp = m[c]?.[c] ?? 0;
  let fp = 0;
  let fn = 0;
  m.forEach((row, t) => {
    if (t !== c) fp += row[c] ?? 0;
    else row.forEach((v, p) => p !== c && (fn += v));
  });
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return [precision, recall, f1];
}

export function metrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): Metrics {
  const confusion = confusionMatrix(yTrue, yPred, numClasses);
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  const n = yTrue.length;
  let precision: number;
  let recall: number;
  let f1: number;
  if (numClasses === 2) [precision, recall, f1] = prf(confusion, 1);
  else {
    const per = Array.from({ length: numClasses }, (_, c) => prf(confusion, c));
    precision = per.reduce((a, p) => a + p[0], 0) / numClasses;
    recall = per.reduce((a, p) => a + p[1], 0) / numClasses;
    f1 = per.reduce((a, p) => a + p[2], 0) / numClasses;
  }
  return { n, accuracy: n ? correct / n : 0, precision, recall, f1, confusion };
}
