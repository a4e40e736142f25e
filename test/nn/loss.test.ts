/**
 * Cross-entropy and softmax against values computed by hand (float64).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tensor, crossEntropy, softmax } from '../../src/nn';

const logits = (rows: number[][]): Tensor => new Tensor(Float32Array.from(rows.flat()), rows.length, (rows[0] as number[]).length);

/** −log softmax(z)[y] in float64 */
function nll(z: number[], y: number): number {
  const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
  return lse - (z[y] as number);
}

describe('crossEntropy', () => {
  it('of one row is −log softmax(z)[y]', () => {
    const loss = crossEntropy(logits([[1, 2, 3]]), Int32Array.from([2]));
    const want = -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    assert.deepEqual(loss.shape, [1, 1]);
    assert.ok(Math.abs((loss.data[0] as number) - want) < 1e-6);
  });

  it('averages over rows', () => {
    const z = [
      [0.5, -1],
      [2, 0.25],
      [-3, 1],
    ];
    const y = [1, 0, 1];
    const want = (nll(z[0] as number[], 1) + nll(z[1] as number[], 0) + nll(z[2] as number[], 1)) / 3;
    assert.ok(Math.abs((crossEntropy(logits(z), Int32Array.from(y)).data[0] as number) - want) < 1e-6);
  });

  it('with class weights is the weighted mean Σ w_y·l / Σ w_y (CrossEntropyLoss(weight=w))', () => {
    const z = [
      [0.5, -1, 0],
      [2, 0.25, 1],
      [-3, 1, 0.5],
      [0, 0, 0],
    ];
    const y = [1, 0, 2, 2];
    const w = [0.5, 2, 3];
    let num = 0;
    let den = 0;
    z.forEach((row, i) => {
      const wi = w[y[i] as number] as number;
      num += wi * nll(row, y[i] as number);
      den += wi;
    });
    const got = crossEntropy(logits(z), Int32Array.from(y), Float32Array.from(w)).data[0] as number;
    assert.ok(Math.abs(got - num / den) < 1e-6, `${got} vs ${num / den}`);
  });

  it('leaves masked rows out, and a fully masked batch has loss 0', () => {
    const z = [
      [1, 0],
      [0, 1],
    ];
    const y = Int32Array.from([0, 0]);
    const got = crossEntropy(logits(z), y, undefined, Uint8Array.from([1, 0])).data[0] as number;
    assert.ok(Math.abs(got - nll([1, 0], 0)) < 1e-6);
    assert.equal(crossEntropy(logits(z), y, undefined, Uint8Array.from([0, 0])).data[0], 0);
  });

  it('is finite for extreme logits (log-sum-exp, no overflow or log 0)', () => {
    const got = crossEntropy(logits([[1000, 0]]), Int32Array.from([1])).data[0] as number;
    assert.ok(Math.abs(got - 1000) < 1e-3, String(got));
  });

  it('rejects targets outside [0, C) and mismatched lengths', () => {
    assert.throws(() => crossEntropy(logits([[1, 2]]), Int32Array.from([2])), /not a class/);
    assert.throws(() => crossEntropy(logits([[1, 2]]), Int32Array.from([0, 1])), /targets/);
    assert.throws(() => crossEntropy(logits([[1, 2]]), Int32Array.from([0]), Float32Array.from([1])), /class weights/);
  });
});

describe('softmax', () => {
  it('rows are probabilities in the order of the logits', () => {
    const p = softmax(logits([
      [1, 2, 3],
      [1000, 0, -1000],
    ]));
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, j) => assert.ok(Math.abs((p[j] as number) - v / s) < 1e-6));
    assert.ok(Math.abs((p[3] as number) - 1) < 1e-6);
    assert.equal(p[5], 0);
  });
});
