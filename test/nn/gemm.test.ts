/**
 * The matrix-product kernels against a float64 reference: the dispatching `gemm*` (wasm SIMD for
 * large products) and the scalar ones, on shapes that fill whole blocks and shapes that leave edges.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, gemmAcc, gemmAccScalar, gemmNtAcc, gemmNtAccScalar, gemmTnAcc, gemmTnAccScalar, simdGemm } from '../../src/nn';

const rand = (rng: Rng, n: number): Float32Array => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

/** max |got − want| over all entries */
function maxDiff(got: Float32Array, want: Float64Array): number {
  let d = 0;
  for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs((got[i] as number) - (want[i] as number)));
  return d;
}

// [N, K, M]: tiny (scalar path), block multiples, ragged rows/columns, one-row, wide reductions.
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 8],
  [16, 30, 64],
  [37, 29, 19],
  [130, 30, 64],
  [5, 64, 64],
  [257, 64, 2],
  [300, 13, 24],
  [1, 200, 40],
];

describe('gemm kernels', () => {
  it('WebAssembly SIMD is available on Node 20 (unless WFAD_NN_SIMD=0)', () => {
    if (process.env.WFAD_NN_SIMD === '0') assert.equal(simdGemm, null);
    else assert.ok(simdGemm, 'expected the wasm SIMD kernel to instantiate');
  });

  for (const [n, k, m] of SHAPES) {
    it(`[${n}, ${k}] · [${k}, ${m}] and its two transposed forms, accumulating into C`, () => {
      const rng = new Rng(n * 7919 + k * 31 + m);
      const tol = 1e-5 * Math.max(k, n);
      // C[N, M] += A[N, K] B[K, M]
      const a = rand(rng, n * k);
      const b = rand(rng, k * m);
      const c0 = rand(rng, n * m);
      const ref = Float64Array.from(c0);
      for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) ref[i * m + j] = (ref[i * m + j] as number) + (a[i * k + p] as number) * (b[p * m + j] as number);
      for (const f of [gemmAcc, gemmAccScalar]) {
        const c = c0.slice();
        f(a, b, c, n, k, m);
        assert.ok(maxDiff(c, ref) < tol, `${f.name}: ${maxDiff(c, ref)}`);
      }
      // cIsZero: C starts at 0 and is not read
      const z = new Float32Array(n * m);
      gemmAcc(a, b, z, n, k, m, true);
      const ref0 = Float64Array.from(ref, (v, i) => v - (c0[i] as number));
      assert.ok(maxDiff(z, ref0) < tol);

      // C[N, K] += A[N, M] B[K, M]ᵀ
      const a2 = rand(rng, n * m);
      const b2 = rand(rng, k * m);
      const d0 = rand(rng, n * k);
      const ref2 = Float64Array.from(d0);
      for (let i = 0; i < n; i++)
        for (let p = 0; p < k; p++) {
          let s = 0;
          for (let j = 0; j < m; j++) s += (a2[i * m + j] as number) * (b2[p * m + j] as number);
          ref2[i * k + p] = (ref2[i * k + p] as number) + s;
        }
      for (const f of [gemmNtAcc, gemmNtAccScalar]) {
        const d = d0.slice();
        f(a2, b2, d, n, k, m);
        assert.ok(maxDiff(d, ref2) < tol, `${f.name}: ${maxDiff(d, ref2)}`);
      }
      const dz = new Float32Array(n * k);
      gemmNtAcc(a2, b2, dz, n, k, m, true);
      assert.ok(maxDiff(dz, Float64Array.from(ref2, (v, i) => v - (d0[i] as number))) < tol);

      // C[K, M] += A[N, K]ᵀ B[N, M]
      const a3 = rand(rng, n * k);
      const b3 = rand(rng, n * m);
      const e0 = rand(rng, k * m);
      const ref3 = Float64Array.from(e0);
      for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) ref3[p * m + j] = (ref3[p * m + j] as number) + (a3[i * k + p] as number) * (b3[i * m + j] as number);
      for (const f of [gemmTnAcc, gemmTnAccScalar]) {
        const e = e0.slice();
        f(a3, b3, e, n, k, m);
        assert.ok(maxDiff(e, ref3) < tol, `${f.name}: ${maxDiff(e, ref3)}`);
      }
    });
  }

  it('leaves the operands untouched and is deterministic', () => {
    const rng = new Rng(5);
    const a = rand(rng, 64 * 48);
    const b = rand(rng, 48 * 32);
    const [a0, b0] = [a.slice(), b.slice()];
    const c1 = new Float32Array(64 * 32);
    const c2 = new Float32Array(64 * 32);
    gemmAcc(a, b, c1, 64, 48, 32);
    gemmAcc(a, b, c2, 64, 48, 32);
    assert.deepEqual(a, a0);
    assert.deepEqual(b, b0);
    assert.deepEqual(c1, c2);
  });
});
