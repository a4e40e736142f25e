/**
 * Sparse × dense products on the WebAssembly SIMD kernel (simd.ts), with the GCN epilogue:
 *
 *   Y = [Y +] M · H [+ 1 bᵀ], then [ReLU]      M: CSR [n, n], H: [n, f], Y: [n, f], b: [f]
 *
 * Operands are copied into the module's memory, the kernel runs over blocks of 4·V columns
 * (V f32x4 accumulators per row), and Y is copied back; columns past a multiple of 4 are summed
 * here in JavaScript. Returns false (nothing done) where the kernel is missing or the product
 * too small to pay for the copies; callers then use their JavaScript loops.
 */
import type { Csr } from './gcn-norm';
import { simdGemm, SPMM_WIDTHS, type SimdGemm, type SpmmKernel } from './simd';

/** Below this many multiply-adds (non-zeros × columns) the copies cost more than SIMD saves. */
const SIMD_MIN_MACS = 2048;

const pad4 = (n: number): number => (n + 3) & ~3;

export interface SpmmEpilogue {
  /** Add into Y (else Y is overwritten). */
  accumulate: boolean;
  bias?: Float32Array | null;
  relu?: boolean;
}

export const spmmFlags = (accumulate: boolean, bias: boolean, relu: boolean): number => (accumulate ? 1 : 0) | (bias ? 2 : 0) | (relu ? 4 : 0);

/** CSR offsets (in floats) inside the module's memory. */
export interface CsrAt {
  row: number;
  col: number;
  val: number;
}

/** Copies a CSR matrix (rowPtr[0] = 0) to float offset `at`; returns its offsets and the end. */
export function putCsr(simd: SimdGemm, mat: Csr, at: number): { csr: CsrAt; end: number } {
  const n = mat.n;
  const nnz = mat.rowPtr[n] as number;
  const csr = { row: at, col: at + pad4(n + 1), val: at + pad4(n + 1) + pad4(nnz) };
  simd.ints().set(mat.rowPtr.subarray(0, n + 1), csr.row);
  simd.ints().set(mat.col.subarray(0, nnz), csr.col);
  simd.floats().set(mat.val.subarray(0, nnz), csr.val);
  return { csr, end: csr.val + pad4(nnz) };
}

/** Floats a CSR matrix takes in putCsr. */
export const csrFloats = (mat: Csr): number => pad4(mat.n + 1) + 2 * pad4(mat.rowPtr[mat.n] as number);

/** The kernel over columns [0, cols) (cols a multiple of 4) of an [n, f] product; offsets in floats. */
export function runSpmm(simd: SimdGemm, m: CsrAt, oH: number, oY: number, n: number, cols: number, f: number, oBias: number, flags: number): void {
  for (let c = 0; c < cols; ) {
    const v = SPMM_WIDTHS.find((w) => 4 * w <= cols - c) as number;
    (simd.spmm[v] as SpmmKernel)(4 * m.row, 4 * m.col, 4 * m.val, 4 * oH, 4 * f, 4 * oY, 4 * f, n, 4 * c, 4 * oBias, flags);
    c += 4 * v;
  }
}

export function spmmSimd(mat: Csr, h: Float32Array, f: number, y: Float32Array, ep: SpmmEpilogue): boolean {
  const simd = simdGemm;
  const n = mat.n;
  const nnz = mat.rowPtr[n] as number;
  const f4 = f - (f % 4);
  if (simd === null || f4 === 0 || n === 0 || nnz * f < SIMD_MIN_MACS || mat.rowPtr[0] !== 0) return false;
  const bias = ep.bias ?? null;
  const oH = csrFloats(mat);
  const oY = oH + pad4(h.length);
  const oB = oY + pad4(n * f);
  if (!simd.reserve(oB + pad4(f))) return false;
  const { csr } = putCsr(simd, mat, 0);
  const floats = simd.floats();
  floats.set(h, oH);
  if (ep.accumulate) floats.set(y.subarray(0, n * f), oY);
  if (bias) floats.set(bias.subarray(0, f), oB);
  runSpmm(simd, csr, oH, oY, n, f4, f, oB, spmmFlags(ep.accumulate, bias !== null, ep.relu === true));
  y.set(floats.subarray(oY, oY + n * f));
  if (f4 < f) {
    const { rowPtr, col, val } = mat;
    for (let i = 0; i < n; i++) {
      for (let c = f4; c < f; c++) {
        let s = 0;
        for (let p = rowPtr[i] as number; p < (rowPtr[i + 1] as number); p++) s += (val[p] as number) * (h[(col[p] as number) * f + c] as number);
        const o = i * f + c;
        if (ep.accumulate) s += y[o] as number;
        if (bias) s += bias[c] as number;
        y[o] = ep.relu ? Math.max(s, 0) : s;
      }
    }
  }
  return true;
}
