/**
 * Dense matrix-product kernels on row-major Float32Arrays, each accumulating into C:
 *
 *   gemmAcc:   C[N, M] += A[N, K] · B[K, M]      (forward  Y = X W)
 *   gemmNtAcc: C[N, K] += A[N, M] · B[K, M]ᵀ     (backward dX = dY Wᵀ)
 *   gemmTnAcc: C[K, M] += A[N, K]ᵀ · B[N, M]     (backward dW = Xᵀ dY)
 *
 * V8 does not vectorise, so what limits scalar code is loads and stores, not arithmetic. Each
 * kernel keeps a 4 × 4 block of C in 16 local accumulators over the whole reduction: per step it
 * loads 4 values of each operand for 16 multiply-adds (an i-k-j loop with C in memory needs ~9
 * loads/stores per 4), and C is read and written once per block. The sums run in float64 and are
 * rounded to float32 once. Edges that do not fill a block take the plain i-k-j loops (`*Tail`).
 *
 * Where WebAssembly SIMD is available the exported `gemm*` run large products on the f32x4
 * kernel of simd.ts instead and only block edges here; the `*Scalar` versions serve small
 * products and are the fallback.
 */
import { simdGemm } from './simd';

/** C[i0:i1, j0:j1] += A[i0:i1, :K] · B[:K, j0:j1], i-k-j order. */
function gemmTail(a: Float32Array, b: Float32Array, c: Float32Array, i0: number, i1: number, j0: number, j1: number, k: number, m: number): void {
  for (let i = i0; i < i1; i++) {
    const ai = i * k;
    const ci = i * m;
    for (let p = 0; p < k; p++) {
      const av = a[ai + p] as number;
      const bp = p * m;
      for (let j = j0; j < j1; j++) c[ci + j] = (c[ci + j] as number) + av * (b[bp + j] as number);
    }
  }
}

/** C[N, M] += A[N, K] · B[K, M] */
export function gemmAccScalar(a: Float32Array, b: Float32Array, c: Float32Array, n: number, k: number, m: number): void {
  const n4 = n - (n % 4);
  const m4 = m - (m % 4);
  for (let i = 0; i < n4; i += 4) {
    const a0 = i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    for (let j = 0; j < m4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0, bp = j; p < k; p++, bp += m) {
        const b0 = b[bp] as number;
        const b1 = b[bp + 1] as number;
        const b2 = b[bp + 2] as number;
        const b3 = b[bp + 3] as number;
        const x0 = a[a0 + p] as number;
        const x1 = a[a1 + p] as number;
        const x2 = a[a2 + p] as number;
        const x3 = a[a3 + p] as number;
        c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
        c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
        c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
        c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
      }
      let o = i * m + j;
      c[o] = (c[o] as number) + c00; c[o + 1] = (c[o + 1] as number) + c01; c[o + 2] = (c[o + 2] as number) + c02; c[o + 3] = (c[o + 3] as number) + c03;
      o += m;
      c[o] = (c[o] as number) + c10; c[o + 1] = (c[o + 1] as number) + c11; c[o + 2] = (c[o + 2] as number) + c12; c[o + 3] = (c[o + 3] as number) + c13;
      o += m;
      c[o] = (c[o] as number) + c20; c[o + 1] = (c[o + 1] as number) + c21; c[o + 2] = (c[o + 2] as number) + c22; c[o + 3] = (c[o + 3] as number) + c23;
      o += m;
      c[o] = (c[o] as number) + c30; c[o + 1] = (c[o + 1] as number) + c31; c[o + 2] = (c[o + 2] as number) + c32; c[o + 3] = (c[o + 3] as number) + c33;
    }
  }
  if (m4 < m) gemmTail(a, b, c, 0, n4, m4, m, k, m);
  if (n4 < n) gemmTail(a, b, c, n4, n, 0, m, k, m);
}

/** C[i0:i1, p0:p1] += A[i0:i1, :M] · B[p0:p1, :M]ᵀ, one dot product per entry. */
function gemmNtTail(a: Float32Array, b: Float32Array, c: Float32Array, i0: number, i1: number, p0: number, p1: number, k: number, m: number): void {
  for (let i = i0; i < i1; i++) {
    const ai = i * m;
    for (let p = p0; p < p1; p++) {
      const bp = p * m;
      let s = 0;
      for (let j = 0; j < m; j++) s += (a[ai + j] as number) * (b[bp + j] as number);
      c[i * k + p] = (c[i * k + p] as number) + s;
    }
  }
}

/** C[N, K] += A[N, M] · B[K, M]ᵀ */
export function gemmNtAccScalar(a: Float32Array, b: Float32Array, c: Float32Array, n: number, k: number, m: number): void {
  const n4 = n - (n % 4);
  const k4 = k - (k % 4);
  for (let i = 0; i < n4; i += 4) {
    const a0 = i * m;
    const a1 = a0 + m;
    const a2 = a1 + m;
    const a3 = a2 + m;
    for (let p = 0; p < k4; p += 4) {
      const b0 = p * m;
      const b1 = b0 + m;
      const b2 = b1 + m;
      const b3 = b2 + m;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let j = 0; j < m; j++) {
        const y0 = b[b0 + j] as number;
        const y1 = b[b1 + j] as number;
        const y2 = b[b2 + j] as number;
        const y3 = b[b3 + j] as number;
        const x0 = a[a0 + j] as number;
        const x1 = a[a1 + j] as number;
        const x2 = a[a2 + j] as number;
        const x3 = a[a3 + j] as number;
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      let o = i * k + p;
      c[o] = (c[o] as number) + c00; c[o + 1] = (c[o + 1] as number) + c01; c[o + 2] = (c[o + 2] as number) + c02; c[o + 3] = (c[o + 3] as number) + c03;
      o += k;
      c[o] = (c[o] as number) + c10; c[o + 1] = (c[o + 1] as number) + c11; c[o + 2] = (c[o + 2] as number) + c12; c[o + 3] = (c[o + 3] as number) + c13;
      o += k;
      c[o] = (c[o] as number) + c20; c[o + 1] = (c[o + 1] as number) + c21; c[o + 2] = (c[o + 2] as number) + c22; c[o + 3] = (c[o + 3] as number) + c23;
      o += k;
      c[o] = (c[o] as number) + c30; c[o + 1] = (c[o + 1] as number) + c31; c[o + 2] = (c[o + 2] as number) + c32; c[o + 3] = (c[o + 3] as number) + c33;
    }
  }
  if (k4 < k) gemmNtTail(a, b, c, 0, n4, k4, k, k, m);
  if (n4 < n) gemmNtTail(a, b, c, n4, n, 0, k, k, m);
}

/** C[p0:p1, j0:j1] += A[i0:i1, p0:p1]ᵀ · B[i0:i1, j0:j1], i-p-j order. */
function gemmTnTail(a: Float32Array, b: Float32Array, c: Float32Array, i0: number, i1: number, p0: number, p1: number, j0: number, j1: number, k: number, m: number): void {
  for (let i = i0; i < i1; i++) {
    const ai = i * k;
    const bi = i * m;
    for (let p = p0; p < p1; p++) {
      const av = a[ai + p] as number;
      const cp = p * m;
      for (let j = j0; j < j1; j++) c[cp + j] = (c[cp + j] as number) + av * (b[bi + j] as number);
    }
  }
}

/** Rows of A and B per pass in gemmTnAcc: 128 rows × 64 columns × 4 B × 2 stay in L1/L2 across blocks. */
export const TN_ROWS = 128;

/** C[K, M] += A[N, K]ᵀ · B[N, M] */
export function gemmTnAccScalar(a: Float32Array, b: Float32Array, c: Float32Array, n: number, k: number, m: number): void {
  const k4 = k - (k % 4);
  const m4 = m - (m % 4);
  for (let r0 = 0; r0 < n; r0 += TN_ROWS) {
    const r1 = Math.min(n, r0 + TN_ROWS);
    for (let p = 0; p < k4; p += 4) {
      for (let j = 0; j < m4; j += 4) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let i = r0, ai = r0 * k + p, bi = r0 * m + j; i < r1; i++, ai += k, bi += m) {
          const x0 = a[ai] as number;
          const x1 = a[ai + 1] as number;
          const x2 = a[ai + 2] as number;
          const x3 = a[ai + 3] as number;
          const y0 = b[bi] as number;
          const y1 = b[bi + 1] as number;
          const y2 = b[bi + 2] as number;
          const y3 = b[bi + 3] as number;
          c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
          c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
          c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
          c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
        }
        let o = p * m + j;
        c[o] = (c[o] as number) + c00; c[o + 1] = (c[o + 1] as number) + c01; c[o + 2] = (c[o + 2] as number) + c02; c[o + 3] = (c[o + 3] as number) + c03;
        o += m;
        c[o] = (c[o] as number) + c10; c[o + 1] = (c[o + 1] as number) + c11; c[o + 2] = (c[o + 2] as number) + c12; c[o + 3] = (c[o + 3] as number) + c13;
        o += m;
        c[o] = (c[o] as number) + c20; c[o + 1] = (c[o + 1] as number) + c21; c[o + 2] = (c[o + 2] as number) + c22; c[o + 3] = (c[o + 3] as number) + c23;
        o += m;
        c[o] = (c[o] as number) + c30; c[o + 1] = (c[o + 1] as number) + c31; c[o + 2] = (c[o + 2] as number) + c32; c[o + 3] = (c[o + 3] as number) + c33;
      }
    }
    if (m4 < m) gemmTnTail(a, b, c, r0, r1, 0, k4, m4, m, k, m);
    if (k4 < k) gemmTnTail(a, b, c, r0, r1, k4, k, 0, m, k, m);
  }
}

/** Below this many multiply-adds the copies into wasm memory cost more than SIMD saves. */
const SIMD_MIN_MACS = 4096;

const pad4 = (n: number): number => (n + 3) & ~3;

// The kernel works on blocks of 4 rows × 8 columns of C. Rows past a multiple of 4 are computed
// from whatever lies beyond the copied operand (in bounds: regions are padded) into padding rows
// of C that are never copied back; columns past a multiple of 8 take the scalar tails.

/** C[N, M] += A[N, K] · B[K, M];  `cIsZero` (C known to be all zeros) skips reading C. */
export function gemmAcc(a: Float32Array, b: Float32Array, c: Float32Array, n: number, k: number, m: number, cIsZero = false): void {
  const m8 = m - (m % 8);
  const simd = simdGemm;
  if (simd === null || m8 === 0 || k === 0 || n * k * m < SIMD_MIN_MACS) return gemmAccScalar(a, b, c, n, k, m);
  const rows = pad4(n);
  const bOff = pad4(rows * k);
  const cOff = bOff + pad4(k * m);
  if (!simd.reserve(cOff + rows * m)) return gemmAccScalar(a, b, c, n, k, m);
  const f = simd.floats();
  f.set(a.subarray(0, n * k), 0);
  f.set(b.subarray(0, k * m), bOff);
  if (!cIsZero) f.set(c.subarray(0, n * m), cOff);
  else if (m8 < m) f.fill(0, cOff, cOff + n * m); // columns past m8 are copied back untouched
  simd.kernel(0, 4 * k, 4, 4 * bOff, 4 * m, 4 * cOff, 4 * m, rows, m8, k, cIsZero ? 0 : 1);
  c.set(f.subarray(cOff, cOff + n * m));
  if (m8 < m) gemmTail(a, b, c, 0, n, m8, m, k, m);
}

/** C[N, K] += A[N, M] · B[K, M]ᵀ;  `cIsZero` as in gemmAcc. */
export function gemmNtAcc(a: Float32Array, b: Float32Array, c: Float32Array, n: number, k: number, m: number, cIsZero = false): void {
  const k8 = k - (k % 8);
  const simd = simdGemm;
  if (simd === null || k8 === 0 || m === 0 || n * k * m < SIMD_MIN_MACS) return gemmNtAccScalar(a, b, c, n, k, m);
  const rows = pad4(n);
  const bOff = pad4(rows * m);
  const cOff = bOff + pad4(k * m);
  if (!simd.reserve(cOff + rows * k)) return gemmNtAccScalar(a, b, c, n, k, m);
  const f = simd.floats();
  f.set(a.subarray(0, n * m), 0);
  // The kernel reads B by rows of its reduction index, so it gets Bᵀ: [M, K] (W is small).
  for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) f[bOff + j * k + p] = b[p * m + j] as number;
  if (!cIsZero) f.set(c.subarray(0, n * k), cOff);
  else if (k8 < k) f.fill(0, cOff, cOff + n * k);
  simd.kernel(0, 4 * m, 4, 4 * bOff, 4 * k, 4 * cOff, 4 * k, rows, k8, m, cIsZero ? 0 : 1);
  c.set(f.subarray(cOff, cOff + n * k));
  if (k8 < k) gemmNtTail(a, b, c, 0, n, k8, k, k, m);
}

/** C[K, M] += A[N, K]ᵀ · B[N, M] */
export function gemmTnAcc(a: Float32Array, b: Float32Array, c: Float32Array, n: number, k: number, m: number): void {
  const m8 = m - (m % 8);
  const simd = simdGemm;
  if (simd === null || m8 === 0 || n === 0 || n * k * m < SIMD_MIN_MACS) return gemmTnAccScalar(a, b, c, n, k, m);
  const rows = pad4(k);
  const bOff = pad4(n * k + 3); // C rows past K read up to 3 floats beyond A
  const cOff = bOff + pad4(n * m);
  if (!simd.reserve(cOff + rows * m)) return gemmTnAccScalar(a, b, c, n, k, m);
  const f = simd.floats();
  f.set(a.subarray(0, n * k), 0);
  f.set(b.subarray(0, n * m), bOff);
  f.set(c.subarray(0, k * m), cOff);
  // Aᵀ's rows are A's columns (aRow = 1 float, aRed = K); passes of TN_ROWS rows stay in cache.
  for (let r0 = 0; r0 < n; r0 += TN_ROWS) {
    const len = Math.min(TN_ROWS, n - r0);
    simd.kernel(4 * r0 * k, 4, 4 * k, 4 * (bOff + r0 * m), 4 * m, 4 * cOff, 4 * m, rows, m8, len, 1);
  }
  c.set(f.subarray(cOff, cOff + k * m));
  if (m8 < m) gemmTnTail(a, b, c, 0, n, 0, k, m8, m, k, m);
}
