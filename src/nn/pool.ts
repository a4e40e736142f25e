/**
 * global_mean_pool: the mean of each graph's node rows.
 *
 *   out[b] = (1 / |V_b|) Σ_{i : batch[i] = b} h[i]      h: [N, F], batch: [N] → out: [B, F]
 *   dh[i] = dout[batch[i]] / |V_batch[i]|
 *
 * A disjoint union stores each graph's nodes contiguously, so both passes walk runs of equal
 * batch[i]: a run's column sums stay in locals (one store per run, not per row), and its rows'
 * gradient is one scaled row copied. Any order of `batch` is still correct (runs of length 1).
 */
import { alloc } from './arena';
import { Tensor, result } from './autograd';

/** End (exclusive) of the run of rows from i on that share batch[i]. */
function runEnd(batch: Int32Array, i: number): number {
  const b = batch[i];
  let e = i + 1;
  while (e < batch.length && batch[e] === b) e++;
  return e;
}

export function meanPool(h: Tensor, batch: Int32Array, numGraphs: number): Tensor {
  const n = h.rows;
  if (batch.length !== n) throw new Error(`meanPool: batch has ${batch.length} entries for ${n} rows`);
  const f = h.cols;
  const counts = new Float64Array(numGraphs);
  for (let i = 0; i < n; i++) {
    const b = batch[i] as number;
    if (!(b >= 0 && b < numGraphs)) throw new Error(`meanPool: node ${i} is in graph ${b}, not in [0, ${numGraphs})`);
    counts[b] = (counts[b] as number) + 1;
  }
  const sums = new Float64Array(numGraphs * f);
  const hd = h.data;
  const f4 = f - (f % 4);
  for (let i = 0; i < n; ) {
    const e = runEnd(batch, i);
    const o = (batch[i] as number) * f;
    for (let c = 0; c < f4; c += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let r = i * f + c; r < e * f; r += f) {
        s0 += hd[r] as number;
        s1 += hd[r + 1] as number;
        s2 += hd[r + 2] as number;
        s3 += hd[r + 3] as number;
      }
      sums[o + c] = (sums[o + c] as number) + s0;
      sums[o + c + 1] = (sums[o + c + 1] as number) + s1;
      sums[o + c + 2] = (sums[o + c + 2] as number) + s2;
      sums[o + c + 3] = (sums[o + c + 3] as number) + s3;
    }
    for (let c = f4; c < f; c++) {
      let s = 0;
      for (let r = i * f + c; r < e * f; r += f) s += hd[r] as number;
      sums[o + c] = (sums[o + c] as number) + s;
    }
    i = e;
  }
  const y = alloc(numGraphs * f);
  for (let b = 0; b < numGraphs; b++) {
    const inv = (counts[b] as number) > 0 ? 1 / (counts[b] as number) : 0; // an empty graph pools to 0, as in PyG
    for (let c = 0; c < f; c++) y[b * f + c] = (sums[b * f + c] as number) * inv;
  }
  return result(y, numGraphs, f, [h], (out) => {
    const dy = out.grad as Float32Array;
    const fresh = h.grad === null;
    const dh = h.gradBuffer();
    const g = fresh ? new Float32Array(f) : new Float64Array(f);
    for (let i = 0; i < n; ) {
      const e = runEnd(batch, i);
      const b = batch[i] as number;
      const inv = 1 / (counts[b] as number);
      for (let c = 0; c < f; c++) g[c] = (dy[b * f + c] as number) * inv;
      // A fresh gradient takes the row as is (0 + g rounds the same); a shared one adds it.
      if (fresh) for (let r = i * f; r < e * f; r += f) dh.set(g, r);
      else for (let r = i * f; r < e * f; r += f) for (let c = 0; c < f; c++) dh[r + c] = (dh[r + c] as number) + (g[c] as number);
      i = e;
    }
  });
}
