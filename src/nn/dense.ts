/**
 * Dense ops on [rows, cols] tensors: matrix product, bias, linear layer.
 *
 *   matmul:  Y = X W          X: [N, K], W: [K, M] → Y: [N, M]
 *            dX = dY Wᵀ,  dW = Xᵀ dY
 *   addBias: Y = X + 1 bᵀ     b: [1, M];  db = Σ_rows dY
 *
 * The kernels (gemm.ts) work on 4 × 4 register blocks of the output.
 */
import { alloc } from './arena';
import { Tensor, result } from './autograd';
import { gemmAcc, gemmNtAcc, gemmTnAcc } from './gemm';

export { gemmAcc, gemmNtAcc, gemmTnAcc };

export function matmul(x: Tensor, w: Tensor): Tensor {
  if (x.cols !== w.rows) throw new Error(`matmul: [${x.rows}, ${x.cols}] × [${w.rows}, ${w.cols}]`);
  const n = x.rows;
  const k = x.cols;
  const m = w.cols;
  const y = alloc(n * m);
  gemmAcc(x.data, w.data, y, n, k, m, true);
  return result(y, n, m, [x, w], (out) => {
    const dy = out.grad as Float32Array;
    if (x.tracks) {
      const fresh = x.grad === null;
      gemmNtAcc(dy, w.data, x.gradBuffer(), n, k, m, fresh);
    }
    if (w.tracks) gemmTnAcc(x.data, dy, w.gradBuffer(), n, k, m);
  });
}

export function addBias(x: Tensor, b: Tensor): Tensor {
  if (b.rows !== 1 || b.cols !== x.cols) throw new Error(`addBias: bias [${b.rows}, ${b.cols}] for [${x.rows}, ${x.cols}]`);
  const n = x.rows;
  const m = x.cols;
  const y = alloc(n * m);
  const xd = x.data;
  const bd = b.data;
  for (let i = 0; i < n; i++) {
    const r = i * m;
    for (let j = 0; j < m; j++) y[r + j] = (xd[r + j] as number) + (bd[j] as number);
  }
  return result(y, n, m, [x, b], (out) => {
    const dy = out.grad as Float32Array;
    if (x.tracks) x.addGrad(dy);
    if (b.tracks) colSumAcc(dy, n, m, b.gradBuffer());
  });
}

/** out[M] += Σ_rows Y[N, M] (the bias gradient); 8 columns at a time in float64 locals. */
export function colSumAcc(y: Float32Array, n: number, m: number, out: Float32Array): void {
  let j = 0;
  for (; j + 8 <= m; j += 8) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let r = j; r < n * m; r += m) {
      s0 += y[r] as number;
      s1 += y[r + 1] as number;
      s2 += y[r + 2] as number;
      s3 += y[r + 3] as number;
      s4 += y[r + 4] as number;
      s5 += y[r + 5] as number;
      s6 += y[r + 6] as number;
      s7 += y[r + 7] as number;
    }
    out[j] = (out[j] as number) + s0;
    out[j + 1] = (out[j + 1] as number) + s1;
    out[j + 2] = (out[j + 2] as number) + s2;
    out[j + 3] = (out[j + 3] as number) + s3;
    out[j + 4] = (out[j + 4] as number) + s4;
    out[j + 5] = (out[j + 5] as number) + s5;
    out[j + 6] = (out[j + 6] as number) + s6;
    out[j + 7] = (out[j + 7] as number) + s7;
  }
  for (; j < m; j++) {
    let s = 0;
    for (let r = j; r < n * m; r += m) s += y[r] as number;
    out[j] = (out[j] as number) + s;
  }
}

/** Linear layer Y = X W + b (PyTorch's nn.Linear with W stored as [in, out]). */
export function linear(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return addBias(matmul(x, w), b);
}

/** Column-wise concatenation [N, A] ‖ [N, B] ‖ … → [N, A + B + …] (skip connections). */
export function concatCols(parts: Tensor[]): Tensor {
  const n = parts[0]?.rows ?? 0;
  let m = 0;
  for (const p of parts) {
    if (p.rows !== n) throw new Error(`concatCols: row counts differ (${p.rows} vs ${n})`);
    m += p.cols;
  }
  const y = alloc(n * m);
  let off = 0;
  for (const p of parts) {
    const pc = p.cols;
    const pd = p.data;
    for (let i = 0; i < n; i++) y.set(pd.subarray(i * pc, (i + 1) * pc), i * m + off); // row memcpy beats a JS loop
    off += pc;
  }
  return result(y, n, m, parts, (out) => {
    const dy = out.grad as Float32Array;
    let o = 0;
    for (const p of parts) {
      const pc = p.cols;
      if (p.tracks) {
        const fresh = p.grad === null;
        const dp = p.gradBuffer();
        for (let i = 0; i < n; i++) {
          const yi = i * m + o;
          const pi = i * pc;
          if (fresh) dp.set(dy.subarray(yi, yi + pc), pi);
          else for (let j = 0; j < pc; j++) dp[pi + j] = (dp[pi + j] as number) + (dy[yi + j] as number);
        }
      }
      o += pc;
    }
  });
}
