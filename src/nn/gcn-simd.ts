/**
 * A matmul-first GCN layer with its intermediate kept in WebAssembly memory:
 *
 *   forward:   T = X W,  Y = act(Â T + b)                 T never leaves the module's memory
 *   backward:  dZ = dY ⊙ [Y > 0], db += Σ_rows dZ,  dT = Âᵀ dZ,  dW += Xᵀ dT,  dX (+)= dT Wᵀ
 *              dZ and dT never leave it either
 *
 * and the backward of a propagate-first layer whose input needs no gradient (P = Â X given):
 *
 *   dZ = dY ⊙ [Y > 0],  db += Σ_rows dZ,  dW += Pᵀ dZ
 *
 * The same kernels (simd.ts) and the same operation order as gemmAcc / spmmSimd / gemmTnAcc /
 * gemmNtAcc one after another (so the same values), minus the copies of T and dT out and back
 * in; the ReLU gradient and the bias gradient run on the f32x4 kernel too (float32 sums). Only for widths that fill the kernels' blocks (F_in, F_out multiples of 8); returns false
 * (nothing done) otherwise, and the caller takes the separate products.
 */
import { colSumAcc } from './dense';
import type { Csr } from './gcn-norm';
import { TN_ROWS } from './gemm';
import { simdGemm } from './simd';
import { csrFloats, putCsr, runSpmm, spmmFlags } from './spmm-simd';

const pad4 = (n: number): number => (n + 3) & ~3;

function fits(n: number, fin: number, fout: number, mat: Csr): boolean {
  return simdGemm !== null && n >= 4 && fin % 8 === 0 && fout % 8 === 0 && fin > 0 && fout > 0 && mat.rowPtr[0] === 0 && n * fin * fout >= 4096 && (mat.rowPtr[n] as number) * fout >= 2048;
}

/** Y[n, fout] = act(Â (X W) + b), overwriting Y. */
export function matmulFirstForward(x: Float32Array, w: Float32Array, a: Csr, bias: Float32Array | null, relu: boolean, y: Float32Array, n: number, fin: number, fout: number): boolean {
  const simd = simdGemm;
  if (simd === null || !fits(n, fin, fout, a)) return false;
  const rows = pad4(n);
  const oW = rows * fin;
  const oT = oW + fin * fout;
  const oA = oT + rows * fout;
  const oB = oA + csrFloats(a);
  const oY = oB + pad4(fout);
  if (!simd.reserve(oY + n * fout)) return false;
  const { csr } = putCsr(simd, a, oA);
  const f = simd.floats();
  f.set(x.subarray(0, n * fin), 0);
  f.set(w.subarray(0, fin * fout), oW);
  if (bias) f.set(bias.subarray(0, fout), oB);
  simd.kernel(0, 4 * fin, 4, 4 * oW, 4 * fout, 4 * oT, 4 * fout, rows, fout, fin, 0);
  runSpmm(simd, csr, oT, oY, n, fout, fout, oB, spmmFlags(false, bias !== null, relu));
  y.set(f.subarray(oY, oY + n * fout));
  return true;
}

/**
 * Puts dZ at float offset 0 from dY (and Y for a ReLU layer, else dZ = dY), adding the column sums
 * into db; `at` is where scratch may start.
 */
function putReluGrad(simd: NonNullable<typeof simdGemm>, dy: Float32Array, y: Float32Array | null, db: Float32Array | null, n: number, f: number, at: number): void {
  const fl = simd.floats();
  if (y === null) {
    fl.set(dy.subarray(0, n * f), 0);
    if (db) colSumAcc(dy, n, f, db);
    return;
  }
  const oDY = at;
  const oY = oDY + n * f;
  const oDB = oY + n * f;
  fl.set(dy.subarray(0, n * f), oDY);
  fl.set(y.subarray(0, n * f), oY);
  fl.fill(0, oDB, oDB + f);
  simd.reluGrad(4 * oDY, 4 * oY, 0, n, 4 * f, 4 * oDB, f, 0, 0, 0, 0);
  if (db) for (let j = 0; j < f; j++) db[j] = (db[j] as number) + (fl[oDB + j] as number);
}

/** Floats putReluGrad needs past `at`. */
const reluGradFloats = (n: number, f: number): number => 2 * n * f + f;

/**
 * Given dY and Y (ReLU) or null (no activation): dZ, db += Σ_rows dZ (when db), dT = Âᵀ dZ;
 * dW += Xᵀ dT (when dw); dX = dT Wᵀ, or += when !dxIsZero (when dx).
 */
export function matmulFirstBackward(x: Float32Array, w: Float32Array, at: Csr, dy: Float32Array, y: Float32Array | null, db: Float32Array | null, n: number, fin: number, fout: number, dw: Float32Array | null, dx: Float32Array | null, dxIsZero: boolean): boolean {
  const simd = simdGemm;
  if (simd === null || !fits(n, fin, fout, at)) return false;
  const rows = pad4(n);
  const oA = n * fout;
  const oDT = oA + csrFloats(at);
  const oX = oDT + rows * fout;
  const oDW = oX + pad4(n * fin + 3);
  const oWT = oDW + fin * fout;
  const oDX = oWT + fout * fin;
  const oR = oDX + rows * fin;
  if (!simd.reserve(oR + reluGradFloats(n, fout))) return false;
  putReluGrad(simd, dy, y, db, n, fout, oR);
  const { csr } = putCsr(simd, at, oA);
  const f = simd.floats();
  runSpmm(simd, csr, 0, oDT, n, fout, fout, 0, spmmFlags(false, false, false));
  if (dw) {
    f.set(x.subarray(0, n * fin), oX);
    f.set(dw.subarray(0, fin * fout), oDW);
    for (let r0 = 0; r0 < n; r0 += TN_ROWS) {
      const len = Math.min(TN_ROWS, n - r0);
      simd.kernel(4 * (oX + r0 * fin), 4, 4 * fin, 4 * (oDT + r0 * fout), 4 * fout, 4 * oDW, 4 * fout, fin, fout, len, 1);
    }
    dw.set(f.subarray(oDW, oDW + fin * fout));
  }
  if (dx) {
    for (let p = 0; p < fin; p++) for (let j = 0; j < fout; j++) f[oWT + j * fin + p] = w[p * fout + j] as number;
    if (!dxIsZero) f.set(dx.subarray(0, n * fin), oDX);
    simd.kernel(4 * oDT, 4 * fout, 4, 4 * oWT, 4 * fin, 4 * oDX, 4 * fin, rows, fin, fout, dxIsZero ? 0 : 1);
    dx.set(f.subarray(oDX, oDX + n * fin));
  }
  return true;
}

/** Given dY, Y (ReLU) or null, and P = Â X: dZ, db += Σ_rows dZ (when db), dW += Pᵀ dZ. */
export function propagateFirstBackward(p: Float32Array, dy: Float32Array, y: Float32Array | null, db: Float32Array | null, dw: Float32Array, n: number, fin: number, fout: number): boolean {
  const simd = simdGemm;
  if (simd === null || n < 1 || fin < 1 || fout % 8 !== 0 || fout === 0 || n * fin * fout < 4096) return false;
  const rows = pad4(fin);
  const oP = n * fout;
  const oDW = oP + pad4(n * fin + 3); // C rows past F_in read up to 3 floats beyond P
  const oR = oDW + rows * fout;
  if (!simd.reserve(oR + reluGradFloats(n, fout))) return false;
  putReluGrad(simd, dy, y, db, n, fout, oR);
  const f = simd.floats();
  f.set(p.subarray(0, n * fin), oP);
  f.set(dw.subarray(0, fin * fout), oDW);
  for (let r0 = 0; r0 < n; r0 += TN_ROWS) {
    const len = Math.min(TN_ROWS, n - r0);
    simd.kernel(4 * (oP + r0 * fin), 4, 4 * fin, 4 * r0 * fout, 4 * fout, 4 * oDW, 4 * fout, rows, fout, len, 1);
  }
  dw.set(f.subarray(oDW, oDW + fin * fout));
  return true;
}
