/**
 * The sparse kernels on WebAssembly SIMD against a float64 reference (every epilogue: accumulate,
 * bias, ReLU; widths that fill the f32x4 blocks and widths that leave columns to JavaScript), and
 * the matmul-first layer that keeps X W and Âᵀ dZ in WebAssembly memory against the separate
 * products, value for value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gemmAcc, gemmNtAcc, gemmTnAcc, normalizedAdjacency, Rng, simdGemm, spmm, type Csr } from '../../src/nn';
import { matmulFirstBackward, matmulFirstForward, propagateFirstBackward } from '../../src/nn/gcn-simd';
import { spmmSimd } from '../../src/nn/spmm-simd';
import { randomDag } from './gradcheck';

const rand = (rng: Rng, n: number): Float32Array => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

function reference(m: Csr, h: Float32Array, f: number, y0: Float32Array | null, bias: Float32Array | null, relu: boolean): Float64Array {
  const out = new Float64Array(m.n * f);
  for (let i = 0; i < m.n; i++) {
    for (let c = 0; c < f; c++) {
      let s = y0 ? (y0[i * f + c] as number) : 0;
      for (let p = m.rowPtr[i] as number; p < (m.rowPtr[i + 1] as number); p++) s += (m.val[p] as number) * (h[(m.col[p] as number) * f + c] as number);
      if (bias) s += bias[c] as number;
      out[i * f + c] = relu ? Math.max(s, 0) : s;
    }
  }
  return out;
}

describe('sparse kernels (WebAssembly SIMD)', () => {
  const rng = new Rng(17);
  const n = 90;
  const adj = normalizedAdjacency(n, randomDag(rng, n), 'both');

  for (const f of [3, 5, 30, 64, 72]) {
    it(`Y (+)= Â H [+ b] [ReLU] for H: [${n}, ${f}]`, () => {
      const h = rand(rng, n * f);
      const bias = rand(rng, f);
      for (const [accumulate, withBias, relu] of [[false, false, false], [true, false, false], [false, true, true], [true, true, true]] as const) {
        const y0 = rand(rng, n * f);
        const y = y0.slice();
        const ran = spmmSimd(adj.a, h, f, y, { accumulate, bias: withBias ? bias : null, relu });
        if (simdGemm === null || f < 4) {
          assert.equal(ran, false);
          continue;
        }
        assert.equal(ran, true);
        const want = reference(adj.a, h, f, accumulate ? y0 : null, withBias ? bias : null, relu);
        want.forEach((v, i) => assert.ok(Math.abs((y[i] as number) - v) < 1e-5, `f ${f} [${accumulate}, ${withBias}, ${relu}] entry ${i}: ${y[i]} vs ${v}`));
      }
    });
  }

  it('spmm gives the same sums on either path', () => {
    const h = rand(rng, n * 64);
    const y = new Float32Array(n * 64);
    spmm(adj.at, h, 64, y, true);
    const want = reference(adj.at, h, 64, null, null, false);
    want.forEach((v, i) => assert.ok(Math.abs((y[i] as number) - v) < 1e-5));
  });

  it('the matmul-first layer in WebAssembly memory equals the separate products, bit for bit', () => {
    if (simdGemm === null) return;
    const [fin, fout] = [64, 64];
    const x = rand(rng, n * fin);
    const w = rand(rng, fin * fout);
    const b = rand(rng, fout);
    const fused = new Float32Array(n * fout);
    assert.ok(matmulFirstForward(x, w, adj.a, b, true, fused, n, fin, fout));
    const t = new Float32Array(n * fout);
    gemmAcc(x, w, t, n, fin, fout, true);
    const apart = new Float32Array(n * fout);
    assert.ok(spmmSimd(adj.a, t, fout, apart, { accumulate: false, bias: b, relu: true }));
    assert.deepEqual(fused, apart);

    const dz = rand(rng, n * fout);
    const dw0 = rand(rng, fin * fout);
    const dx0 = rand(rng, n * fin);
    for (const dxIsZero of [true, false]) {
      const [dwF, dxF] = [dw0.slice(), dxIsZero ? new Float32Array(n * fin) : dx0.slice()];
      assert.ok(matmulFirstBackward(x, w, adj.at, dz, null, null, n, fin, fout, dwF, dxF, dxIsZero));
      const dt = new Float32Array(n * fout);
      spmm(adj.at, dz, fout, dt, true);
      const [dwS, dxS] = [dw0.slice(), dxIsZero ? new Float32Array(n * fin) : dx0.slice()];
      gemmTnAcc(x, dt, dwS, n, fin, fout);
      gemmNtAcc(dt, w, dxS, n, fin, fout, dxIsZero);
      assert.deepEqual(dwF, dwS);
      assert.deepEqual(dxF, dxS);
    }
  });

  it('the ReLU and bias gradients on the kernel: dZ = dY ⊙ [Y > 0], db = Σ_rows dZ', () => {
    if (simdGemm === null) return;
    const [fin, fout] = [64, 32];
    const x = rand(rng, n * fin);
    const w = rand(rng, fin * fout);
    const dy = rand(rng, n * fout);
    const y = rand(rng, n * fout).map((v) => Math.max(v, 0));
    const dz = dy.map((v, i) => ((y[i] as number) > 0 ? v : 0));
    const dbWant = Array.from({ length: fout }, (_, j) => 0.5 + dz.filter((_, i) => i % fout === j).reduce((a, v) => a + v, 0));
    const dw0 = rand(rng, fin * fout);
    // matmul first: against the separate products on dZ
    const [dw, dx, db] = [dw0.slice(), new Float32Array(n * fin), new Float32Array(fout).fill(0.5)];
    assert.ok(matmulFirstBackward(x, w, adj.at, dy, y, db, n, fin, fout, dw, dx, true));
    const [dwS, dxS] = [dw0.slice(), new Float32Array(n * fin)];
    assert.ok(matmulFirstBackward(x, w, adj.at, dz, null, null, n, fin, fout, dwS, dxS, true));
    assert.deepEqual(dw, dwS);
    assert.deepEqual(dx, dxS);
    dbWant.forEach((v, j) => assert.ok(Math.abs((db[j] as number) - v) < 1e-4, `db[${j}] ${db[j]} vs ${v}`));
    // propagate first: dW += Pᵀ dZ
    const [dwP, dbP] = [dw0.slice(), new Float32Array(fout).fill(0.5)];
    assert.ok(propagateFirstBackward(x, dy, y, dbP, dwP, n, fin, fout));
    const dwT = dw0.slice();
    gemmTnAcc(x, dz, dwT, n, fin, fout);
    assert.deepEqual(dwP, dwT);
    dbWant.forEach((v, j) => assert.ok(Math.abs((dbP[j] as number) - v) < 1e-4));
  });

  it('leaves widths that do not fill its blocks to the separate products', () => {
    const y = new Float32Array(n * 30);
    assert.equal(matmulFirstForward(rand(rng, n * 30), rand(rng, 30 * 30), adj.a, null, false, y, n, 30, 30), false);
  });
});
