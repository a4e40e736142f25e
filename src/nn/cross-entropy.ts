/**
 * Cross-entropy over log-softmax, fused (PyTorch's `CrossEntropyLoss(weight=w)`):
 *
 *   loss = Σ_i w[y_i] · (−log softmax(z_i)[y_i]) / Σ_i w[y_i]     over the rows i in `mask`
 *   dz_i = w[y_i] · (softmax(z_i) − onehot(y_i)) / Σ_i w[y_i]
 *
 * logits: [N, C], targets: [N]; rows with mask[i] = 0 (job-level splits) are left out.
 */
import { alloc } from './arena';
import { Tensor, result } from './autograd';

export function softmaxRows(z: Float32Array, n: number, c: number): Float32Array {
  const p = alloc(n * c);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, z[i * c + j] as number);
    let sum = 0;
    for (let j = 0; j < c; j++) {
      const e = Math.exp((z[i * c + j] as number) - max);
      p[i * c + j] = e;
      sum += e;
    }
    for (let j = 0; j < c; j++) p[i * c + j] = (p[i * c + j] as number) / sum;
  }
  return p;
}

/** Row-wise softmax probabilities of logits: [N, C] (no gradient; for prediction). */
export function softmax(logits: Tensor): Float32Array {
  return softmaxRows(logits.data, logits.rows, logits.cols);
}

/**
 * `denominator`, when given, replaces Σ_i w[y_i]: the rows are one part of a larger batch whose
 * mean loss is the sum of its parts' (data-parallel training, src/train/parallel.ts).
 */
export function crossEntropy(logits: Tensor, targets: Int32Array, classWeights?: Float32Array, mask?: Uint8Array, denominator?: number): Tensor {
  const n = logits.rows;
  const c = logits.cols;
  if (targets.length !== n) throw new Error(`crossEntropy: ${targets.length} targets for ${n} rows`);
  if (classWeights && classWeights.length !== c) throw new Error(`crossEntropy: ${classWeights.length} class weights for ${c} classes`);
  const z = logits.data;
  const p = alloc(n * c);
  let total = 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    const y = targets[i] as number;
    if (!(y >= 0 && y < c)) throw new Error(`crossEntropy: target ${y} of row ${i} is not a class in [0, ${c})`);
    // −log softmax(z)[y] = logsumexp(z) − z_y, shifted by the row max so exp never overflows.
    const r = i * c;
    let max = -Infinity;
    for (let j = 0; j < c; j++) if ((z[r + j] as number) > max) max = z[r + j] as number;
    let sum = 0;
    for (let j = 0; j < c; j++) {
      const e = Math.exp((z[r + j] as number) - max);
      p[r + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < c; j++) p[r + j] = (p[r + j] as number) * inv;
    const w = classWeights ? (classWeights[y] as number) : 1;
    total += w * (Math.log(sum) + max - (z[r + y] as number));
    wsum += w;
  }
  if (denominator !== undefined) wsum = wsum > 0 ? denominator : 0;
  const loss = new Float32Array([wsum > 0 ? total / wsum : 0]);
  return result(loss, 1, 1, [logits], (out) => {
    if (wsum === 0) return;
    const g = (out.grad as Float32Array)[0] as number;
    const dz = logits.gradBuffer();
    for (let i = 0; i < n; i++) {
      if (mask && !mask[i]) continue;
      const y = targets[i] as number;
      const s = (g * (classWeights ? (classWeights[y] as number) : 1)) / wsum;
      for (let j = 0; j < c; j++) dz[i * c + j] = (dz[i * c + j] as number) + s * ((p[i * c + j] as number) - (j === y ? 1 : 0));
    }
  });
}
