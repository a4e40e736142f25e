/**
 * Ranking metrics from scores (not from hard predictions), as the anomaly-detection literature
 * reports them (Flow-Bench: ROC-AUC, average precision, precision@k). Positive = anomalous.
 *
 *   ROC-AUC  = P(score of a random positive > score of a random negative) + ½ P(equal)
 *            = (Σ_{i ∈ pos} rank_i − P(P+1)/2) / (P·N), ranks averaged over ties (Mann–Whitney U).
 *            Ties count one half: the trapezoidal area under the ROC curve, as sklearn's
 *            roc_auc_score computes it.
 *   AP       = Σ_t (R_t − R_{t−1}) · P_t over the distinct score thresholds t, descending; all
 *            items tied at a threshold enter together (sklearn's average_precision_score; no
 *            interpolation).
 *   P@k      = precision among the k highest scores, k = number of positives by default
 *            (R-precision); a tie straddling rank k counts each tied positive by the share of the
 *            tied group that fits above k (the expected value under a random order of the ties).
 *
 * Undefined cases (no positive or no negative) are NaN, never a made-up 0.5 or 1.
 */

export interface Ranking {
  /** Items scored. */
  n: number;
  positives: number;
  rocAuc: number;
  averagePrecision: number;
  precisionAtK: number;
  k: number;
}

/** Indices sorted by score, descending (stable). */
function descending(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
}

function checked(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): void {
  if (scores.length !== positive.length) throw new Error(`ranking: ${scores.length} scores for ${positive.length} labels`);
  for (let i = 0; i < scores.length; i++) if (Number.isNaN(scores[i] as number)) throw new Error(`ranking: score ${i} is NaN`);
}

export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  checked(scores, positive);
  const order = descending(scores).reverse(); // ascending
  let P = 0;
  let rankSum = 0;
  for (let a = 0; a < order.length; ) {
    let b = a;
    while (b + 1 < order.length && scores[order[b + 1] as number] === scores[order[a] as number]) b++;
    const avgRank = (a + b + 2) / 2; // ranks a+1 … b+1, averaged over the tie
    for (let i = a; i <= b; i++) if (positive[order[i] as number]) {
      P++;
      rankSum += avgRank;
    }
    a = b + 1;
  }
  const N = order.length - P;
  if (P === 0 || N === 0) return NaN;
  return (rankSum - (P * (P + 1)) / 2) / (P * N);
}

export function averagePrecision(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  checked(scores, positive);
  const order = descending(scores);
  let P = 0;
  for (let i = 0; i < positive.length; i++) if (positive[i]) P++;
  if (P === 0) return NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let a = 0; a < order.length; ) {
    let b = a;
    while (b + 1 < order.length && scores[order[b + 1] as number] === scores[order[a] as number]) b++;
    let tpHere = 0;
    for (let i = a; i <= b; i++) if (positive[order[i] as number]) tpHere++;
    tp += tpHere;
    seen += b - a + 1;
    ap += (tpHere / P) * (tp / seen);
    a = b + 1;
  }
  return ap;
}

export function precisionAtK(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>, k?: number): number {
  checked(scores, positive);
  let P = 0;
  for (let i = 0; i < positive.length; i++) if (positive[i]) P++;
  const K = Math.min(k ?? P, scores.length);
  if (K <= 0) return NaN;
  const order = descending(scores);
  let hits = 0;
  for (let a = 0; a < order.length && a < K; ) {
    let b = a;
    while (b + 1 < order.length && scores[order[b + 1] as number] === scores[order[a] as number]) b++;
    let posHere = 0;
    for (let i = a; i <= b; i++) if (positive[order[i] as number]) posHere++;
    const fits = Math.min(b, K - 1) - a + 1;
    hits += (posHere * fits) / (b - a + 1);
    a = b + 1;
  }
  return hits / K;
}

/** All three for one binary problem. */
export function ranking(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>, k?: number): Ranking {
  let P = 0;
  for (let i = 0; i < positive.length; i++) if (positive[i]) P++;
  const pk = precisionAtK(scores, positive, k);
  return { n: scores.length, positives: P, rocAuc: rocAuc(scores, positive), averagePrecision: averagePrecision(scores, positive), precisionAtK: pk, k: Math.min(k ?? P, scores.length) };
}

export interface ClassRanking {
  /** Binary: anomalous vs normal from the anomaly score. Multiclass: macro mean of one-vs-rest. */
  rocAuc: number;
  averagePrecision: number;
  precisionAtK: number;
  /** Multiclass only: per class, its probability column ranked against every other class. */
  perClass?: Record<string, { rocAuc: number; averagePrecision: number }>;
}

/**
 * Ranking metrics of a classifier's probabilities: [n, C] rows, targets in 0..C-1, class 0 = normal.
 * Binary (C = 2): class 1's probability. Multiclass: the anomaly score 1 − P(normal) gives
 * ROC-AUC/AP/P@k of "anomalous at all", and each class one-vs-rest is averaged (macro, skipping
 * classes absent from the targets) into perClass and the headline figures.
 */
export function classRanking(prob: ArrayLike<number>, targets: ArrayLike<number>, classes: readonly string[]): ClassRanking {
  const C = classes.length;
  const n = targets.length;
  if (prob.length !== n * C) throw new Error(`classRanking: ${prob.length} probabilities for ${n} × ${C}`);
  const anomalyScore = Float64Array.from({ length: n }, (_, i) => 1 - (prob[i * C] as number));
  const isAnomalous = Uint8Array.from({ length: n }, (_, i) => ((targets[i] as number) > 0 ? 1 : 0));
  if (C === 2) return { rocAuc: rocAuc(anomalyScore, isAnomalous), averagePrecision: averagePrecision(anomalyScore, isAnomalous), precisionAtK: precisionAtK(anomalyScore, isAnomalous) };
  const perClass: Record<string, { rocAuc: number; averagePrecision: number }> = {};
  const aucs: number[] = [];
  const aps: number[] = [];
  for (let c = 0; c < C; c++) {
    const s = Float64Array.from({ length: n }, (_, i) => prob[i * C + c] as number);
    const y = Uint8Array.from({ length: n }, (_, i) => (targets[i] === c ? 1 : 0));
    const auc = rocAuc(s, y);
    const ap = averagePrecision(s, y);
    perClass[classes[c] as string] = { rocAuc: auc, averagePrecision: ap };
    if (!Number.isNaN(auc)) aucs.push(auc);
    if (!Number.isNaN(ap)) aps.push(ap);
  }
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  return { rocAuc: mean(aucs), averagePrecision: mean(aps), precisionAtK: precisionAtK(anomalyScore, isAnomalous), perClass };
}
