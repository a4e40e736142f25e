/**
 * A matmul-first GCN layer with its intermediate kept in WebAssembly memory:
 *
 *   forward:   T = X W,  Y = act(Â T + b)                 T never leaves the module's memory
 *   backward:  dT = Âᵀ dZ,  dW += Xᵀ dT,  dX (+)= dT Wᵀ    dT never leaves it either
 *
 * The same kernels (simd.ts) and the same operation order as gemmAcc / spmmSimd / gemmTnAcc /
 * gemmNtAcc one after another (so the same values), minus the copies of T and dT out and back
 * in. Only for widths that fill the kernels' blocks (F_in, F_out multiples of 8); returns false
 * (nothing done) otherwise, and the caller takes the separate products.
 */
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

/** dT = Âᵀ dZ; dW += Xᵀ dT (when dw); dX = dT Wᵀ, or += when !dxIsZero (when dx). */
export function matmulFirstBackward(x: Float32Array, w: Float32Array, at: Csr, dz: Float32Array, n: number, fin: number, fout: number, dw: Float32Array | null, dx: Float32Array | null, dxIsZero: boolean): boolean {
  const simd = simdGemm;
  if (simd === null || !fits(n, fin, fout, at)) return false;
  const rows = pad4(n);
  const oA = n * fout;
  const oDT = oA + csrFloats(at);
  const oX = oDT + rows * fout;
  const oDW = oX + pad4(n * fin + 3);
  const oWT = oDW + fin * fout;
  const oDX = oWT + fout * fin;
  if (!simd.reserve(oDX + rows * fin)) return false;
  const { csr } = putCsr(simd, at, oA);
  const f = simd.floats();
  f.set(dz.subarray(0, n * fout), 0);
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
