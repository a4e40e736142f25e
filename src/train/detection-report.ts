/**
 * One evaluation summary for any detector and level: accuracy/F1 from hard verdicts, ROC-AUC,
 * average precision and precision@k from scores (ranking.ts), and the same per workflow and per
 * anomaly category (each category against the normal items).
 */
import { metrics, orNull, withRanking, type Metrics } from './metrics';
import { ranking } from './ranking';

/** One evaluated item: a run (graph level) or a job (job level). */
export interface ScoredItem {
  workflow: string;
  /** True category: normal, cpu, hdd, loss. */
  category: string;
  /** True class index (binary: 0 normal, 1 anomalous). */
  target: number;
  predicted: number;
  /** Anomaly score: higher = more anomalous (1 − P(normal), or the normal-only score). */
  score: number;
}

export interface SliceSummary {
  n: number;
  accuracy: number;
  f1: number;
  rocAuc: number;
  averagePrecision: number;
}

export interface DetectionSummary extends Metrics {
  perWorkflow: Record<string, SliceSummary>;
  /** Anomalous categories, each scored against the normal items: detection rate and ROC-AUC. */
  perCategory: Record<string, { n: number; recall: number; rocAuc: number; averagePrecision: number }>;
}

const binary = (t: number): number => (t > 0 ? 1 : 0);

/**
 * items: the evaluated items; prob (optional, [n, C]) gives the multiclass one-vs-rest figures;
 * without it the binary ranking uses `score`.
 */
export function summarize(items: readonly ScoredItem[], classes: readonly string[], prob?: ArrayLike<number>): DetectionSummary {
  const C = classes.length;
  const base = metrics(items.map((i) => i.target), items.map((i) => i.predicted), C);
  let m: Metrics;
  if (prob) m = withRanking(base, prob, items.map((i) => i.target), classes);
  else {
    const r = ranking(items.map((i) => i.score), items.map((i) => binary(i.target)));
    m = { ...base, rocAuc: orNull(r.rocAuc), averagePrecision: orNull(r.averagePrecision), precisionAtK: orNull(r.precisionAtK) };
  }
  const perWorkflow: Record<string, SliceSummary> = {};
  for (const w of [...new Set(items.map((i) => i.workflow))].sort()) {
    const sub = items.filter((i) => i.workflow === w);
    const sm = metrics(sub.map((i) => binary(i.target)), sub.map((i) => binary(i.predicted)), 2);
    const r = ranking(sub.map((i) => i.score), sub.map((i) => binary(i.target)));
    perWorkflow[w] = { n: sub.length, accuracy: sm.accuracy, f1: sm.f1, rocAuc: r.rocAuc, averagePrecision: r.averagePrecision };
  }
  const perCategory: DetectionSummary['perCategory'] = {};
  const normals = items.filter((i) => binary(i.target) === 0);
  for (const c of [...new Set(items.filter((i) => binary(i.target) === 1).map((i) => i.category))].sort()) {
    const pos = items.filter((i) => binary(i.target) === 1 && i.category === c);
    const both = [...pos, ...normals];
    const r = ranking(both.map((i) => i.score), both.map((i) => binary(i.target)));
    perCategory[c] = { n: pos.length, recall: pos.filter((i) => binary(i.predicted) === 1).length / pos.length, rocAuc: r.rocAuc, averagePrecision: r.averagePrecision };
  }
  return { ...m, perWorkflow, perCategory };
}
