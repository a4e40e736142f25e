/**
 * One fused GCN layer (PyG's `GCNConv` followed by an optional ReLU):
 *
 *   Y = act(Â X W + b)      X: [N, F_in], W: [F_in, F_out], b: [1, F_out] → Y: [N, F_out]
 *
 * Same values as relu(addBias(propagate(matmul(x, w), adj), b)) up to float rounding, in fewer
 * passes over [N, F] memory: the bias and the ReLU ride on the sparse product's output loop, and
 * the backward pass computes dZ = dY ⊙ [Z > 0] once for db, dW and dX.
 *
 * Â (X W) = (Â X) W, so the product order is free; the sparse product costs nnz × its width:
 *  - matmul first, T = X W: Â T forward and Âᵀ dZ backward, both F_out wide;
 *  - propagate first, P = Â X: Â X forward and, only when X needs a gradient, Âᵀ (dZ Wᵀ), F_in wide.
 * An input layer (X without gradient, F_in = 30 < 2 · 64) propagates first and never runs Âᵀ;
 * as its Â X does not depend on the weights, a trainer may compute it once and pass it as X
 * (`xPropagated`), leaving one dense product per step.
 */
import { alloc } from './arena';
import { Tensor, result } from './autograd';
import { colSumAcc } from './dense';
import { gemmAcc, gemmNtAcc, gemmTnAcc } from './gemm';
import { spmm, type Csr, type NormalizedAdjacency } from './gcn-norm';
import { matmulFirstBackward, matmulFirstForward, propagateFirstBackward } from './gcn-simd';
import { spmmSimd } from './spmm-simd';

export type Activation = 'relu' | 'none';

const relu0 = (v: number): number => 0.5 * (v + Math.abs(v)); // max(v, 0) without a branch: signs are random

/** Y = act(M · T + 1 bᵀ) for CSR M, T: [n, f]; overwrites Y. The fused forward epilogue. */
function spmmBiasAct(mat: Csr, t: Float32Array, f: number, bias: Float32Array | null, relu: boolean, y: Float32Array): void {
  const { rowPtr, col, val } = mat;
  const f8 = f - (f % 8);
  for (let i = 0; i < mat.n; i++) {
    const p0 = rowPtr[i] as number;
    const p1 = rowPtr[i + 1] as number;
    const yi = i * f;
    for (let c = 0; c < f8; c += 8) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let p = p0; p < p1; p++) {
        const w = val[p] as number;
        const j = (col[p] as number) * f + c;
        s0 += w * (t[j] as number);
        s1 += w * (t[j + 1] as number);
        s2 += w * (t[j + 2] as number);
        s3 += w * (t[j + 3] as number);
        s4 += w * (t[j + 4] as number);
        s5 += w * (t[j + 5] as number);
        s6 += w * (t[j + 6] as number);
        s7 += w * (t[j + 7] as number);
      }
      if (bias) {
        s0 += bias[c] as number;
        s1 += bias[c + 1] as number;
        s2 += bias[c + 2] as number;
        s3 += bias[c + 3] as number;
        s4 += bias[c + 4] as number;
        s5 += bias[c + 5] as number;
        s6 += bias[c + 6] as number;
        s7 += bias[c + 7] as number;
      }
      const o = yi + c;
      if (relu) {
        y[o] = relu0(s0);
        y[o + 1] = relu0(s1);
        y[o + 2] = relu0(s2);
        y[o + 3] = relu0(s3);
        y[o + 4] = relu0(s4);
        y[o + 5] = relu0(s5);
        y[o + 6] = relu0(s6);
        y[o + 7] = relu0(s7);
      } else {
        y[o] = s0;
        y[o + 1] = s1;
        y[o + 2] = s2;
        y[o + 3] = s3;
        y[o + 4] = s4;
        y[o + 5] = s5;
        y[o + 6] = s6;
        y[o + 7] = s7;
      }
    }
    for (let c = f8; c < f; c++) {
      let s = 0;
      for (let p = p0; p < p1; p++) s += (val[p] as number) * (t[(col[p] as number) * f + c] as number);
      if (bias) s += bias[c] as number;
      y[yi + c] = relu ? relu0(s) : s;
    }
  }
}

/** dZ = dY ⊙ [Y > 0] and db += Σ_rows dZ, in one pass (8 columns at a time). */
function reluGradColSum(dy: Float32Array, y: Float32Array, n: number, f: number, dz: Float32Array, db: Float32Array | null): void {
  const end = n * f;
  let j = 0;
  for (; j + 8 <= f; j += 8) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let r = j; r < end; r += f) {
      const d0 = (dy[r] as number) * +((y[r] as number) > 0);
      const d1 = (dy[r + 1] as number) * +((y[r + 1] as number) > 0);
      const d2 = (dy[r + 2] as number) * +((y[r + 2] as number) > 0);
      const d3 = (dy[r + 3] as number) * +((y[r + 3] as number) > 0);
      const d4 = (dy[r + 4] as number) * +((y[r + 4] as number) > 0);
      const d5 = (dy[r + 5] as number) * +((y[r + 5] as number) > 0);
      const d6 = (dy[r + 6] as number) * +((y[r + 6] as number) > 0);
      const d7 = (dy[r + 7] as number) * +((y[r + 7] as number) > 0);
      dz[r] = d0;
      dz[r + 1] = d1;
      dz[r + 2] = d2;
      dz[r + 3] = d3;
      dz[r + 4] = d4;
      dz[r + 5] = d5;
      dz[r + 6] = d6;
      dz[r + 7] = d7;
      s0 += d0;
      s1 += d1;
      s2 += d2;
      s3 += d3;
      s4 += d4;
      s5 += d5;
      s6 += d6;
      s7 += d7;
    }
    if (db) {
      db[j] = (db[j] as number) + s0;
      db[j + 1] = (db[j + 1] as number) + s1;
      db[j + 2] = (db[j + 2] as number) + s2;
      db[j + 3] = (db[j + 3] as number) + s3;
      db[j + 4] = (db[j + 4] as number) + s4;
      db[j + 5] = (db[j + 5] as number) + s5;
      db[j + 6] = (db[j + 6] as number) + s6;
      db[j + 7] = (db[j + 7] as number) + s7;
    }
  }
  for (; j < f; j++) {
    let s = 0;
    for (let r = j; r < end; r += f) {
      const d = (dy[r] as number) * +((y[r] as number) > 0);
      dz[r] = d;
      s += d;
    }
    if (db) db[j] = (db[j] as number) + s;
  }
}

/** Z[n, f] = act(Z + 1 bᵀ) in place (one loop per case: no per-element tests). */
function biasActInPlace(z: Float32Array, n: number, f: number, bias: Float32Array | null, relu: boolean): void {
  const len = n * f;
  if (bias && relu) {
    for (let r = 0; r < len; r += f) for (let j = 0; j < f; j++) z[r + j] = relu0((z[r + j] as number) + (bias[j] as number));
  } else if (bias) {
    for (let r = 0; r < len; r += f) for (let j = 0; j < f; j++) z[r + j] = (z[r + j] as number) + (bias[j] as number);
  } else if (relu) {
    for (let i = 0; i < len; i++) z[i] = relu0(z[i] as number);
  }
}

/**
 * act(Â X W + b) as one autograd node. `bias` may be null (PyG's bias=False); `activation`
 * 'relu' or 'none'. `xPropagated`: x already holds Â X (only for an x without gradient).
 */
export function gcnConv(x: Tensor, w: Tensor, bias: Tensor | null, adj: NormalizedAdjacency, activation: Activation = 'relu', xPropagated = false): Tensor {
  const n = x.rows;
  const fin = x.cols;
  const fout = w.cols;
  if (w.rows !== fin) throw new Error(`gcnConv: X [${n}, ${fin}] × W [${w.rows}, ${fout}]`);
  if (n !== adj.n) throw new Error(`gcnConv: ${n} rows for a graph of ${adj.n} nodes`);
  if (bias && (bias.rows !== 1 || bias.cols !== fout)) throw new Error(`gcnConv: bias [${bias.rows}, ${bias.cols}] for ${fout} outputs`);
  const relu = activation === 'relu';
  const bd = bias ? bias.data : null;
  if (xPropagated && x.tracks) throw new Error('gcnConv: a propagated X must not need a gradient');
  const propagateFirst = xPropagated || (x.tracks ? fin < fout : fin < 2 * fout);
  const y = alloc(n * fout);
  // The operand of the dense product that dW needs: X (matmul first) or Â X (propagate first).
  let left: Float32Array;
  if (propagateFirst) {
    if (xPropagated) left = x.data;
    else spmm(adj.a, x.data, fin, (left = alloc(n * fin)), true);
    gemmAcc(left, w.data, y, n, fin, fout, true);
    biasActInPlace(y, n, fout, bd, relu);
  } else {
    left = x.data;
    if (!matmulFirstForward(x.data, w.data, adj.a, bd, relu, y, n, fin, fout)) {
      const t = alloc(n * fout);
      gemmAcc(x.data, w.data, t, n, fin, fout, true);
      if (!spmmSimd(adj.a, t, fout, y, { accumulate: false, bias: bd, relu })) spmmBiasAct(adj.a, t, fout, bd, relu, y);
    }
  }
  const parents = bias ? [x, w, bias] : [x, w];
  return result(y, n, fout, parents, (out) => {
    const dy = out.grad as Float32Array;
    // dZ = dY ⊙ [Y > 0]  (Y > 0 exactly where Z > 0);  db = Σ_rows dZ
    const db = bias?.tracks ? bias.gradBuffer() : null;
    const dw = w.tracks ? w.gradBuffer() : null;
    const mask = relu ? y : null;
    if (propagateFirst && dw && !x.tracks && propagateFirstBackward(left, dy, mask, db, dw, n, fin, fout)) return;
    const fresh = x.grad === null;
    if (!propagateFirst && matmulFirstBackward(left, w.data, adj.at, dy, mask, db, n, fin, fout, dw, x.tracks ? x.gradBuffer() : null, fresh)) return;
    let dz = dy;
    if (relu) reluGradColSum(dy, y, n, fout, (dz = alloc(dy.length)), db);
    else if (db) colSumAcc(dy, n, fout, db);
    if (propagateFirst) {
      // Z = P W:  dW = Pᵀ dZ,  dX = Âᵀ (dZ Wᵀ)
      if (dw) gemmTnAcc(left, dz, dw, n, fin, fout);
      if (x.tracks) {
        const dp = alloc(n * fin);
        gemmNtAcc(dz, w.data, dp, n, fin, fout, true);
        spmm(adj.at, dp, fin, x.gradBuffer());
      }
    } else {
      // Z = Â T, T = X W:  dT = Âᵀ dZ,  dW = Xᵀ dT,  dX = dT Wᵀ
      const dt = alloc(n * fout);
      spmm(adj.at, dz, fout, dt, true);
      if (dw) gemmTnAcc(left, dt, dw, n, fin, fout);
      if (x.tracks) gemmNtAcc(dt, w.data, x.gradBuffer(), n, fin, fout, fresh);
    }
  });
}
