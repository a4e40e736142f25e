/**
 * Known values for the graph pieces: Â = D^-1/2 (A + I) D^-1/2 on a 3-node path for each
 * direction, global mean pooling, and batching graphs as a disjoint union.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tensor, disjointUnion, gcnPropagate, meanPool, normalizedAdjacency, type Csr, type EdgeDirection } from '../../src/nn';

/** A CSR matrix as dense rows. */
function dense(m: Csr): number[][] {
  const out = Array.from({ length: m.n }, () => new Array<number>(m.n).fill(0));
  for (let i = 0; i < m.n; i++) {
    for (let p = m.rowPtr[i] as number; p < (m.rowPtr[i + 1] as number); p++) {
      const row = out[i] as number[];
      row[m.col[p] as number] = (row[m.col[p] as number] as number) + (m.val[p] as number);
    }
  }
  return out;
}

function assertClose(got: number[][], want: number[][], msg: string): void {
  got.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - (want[i]?.[j] as number)) < 1e-6, `${msg}: [${i}][${j}] = ${v}, want ${want[i]?.[j]}`)));
}

const transpose = (m: number[][]): number[][] => m.map((row, i) => row.map((_, j) => (m[j] as number[])[i] as number));

describe('normalizedAdjacency', () => {
  // Path 0 → 1 → 2. Row i of Â gathers from the nodes that send to i, plus i itself;
  // D counts in-degree at the target, self-loop included (PyG's gcn_norm).
  const s2 = 1 / Math.SQRT2;
  const s6 = 1 / Math.sqrt(6);
  const want: Record<EdgeDirection, number[][]> = {
    // in-degrees 1, 2, 2
    forward: [
      [1, 0, 0],
      [s2, 0.5, 0],
      [0, 0.5, 0.5],
    ],
    // edges 1 → 0, 2 → 1: in-degrees 2, 2, 1
    reverse: [
      [0.5, 0.5, 0],
      [0, 0.5, s2],
      [0, 0, 1],
    ],
    // symmetric: degrees 2, 3, 2
    both: [
      [0.5, s6, 0],
      [s6, 1 / 3, s6],
      [0, s6, 0.5],
    ],
  };
  const src = Int32Array.from([0, 1]);
  const dst = Int32Array.from([1, 2]);

  for (const direction of ['forward', 'reverse', 'both'] as const) {
    it(`3-node path, ${direction}: Â by hand, and its transpose`, () => {
      const adj = normalizedAdjacency(3, src, dst, direction);
      assertClose(dense(adj.a), want[direction], 'Â');
      assertClose(dense(adj.at), transpose(want[direction]), 'Âᵀ');
    });
  }

  it('accepts edge_index as one [2, E] array, as {src, dst}, or as two arrays', () => {
    const one = normalizedAdjacency(3, Int32Array.from([0, 1, 1, 2]), 'forward');
    const obj = normalizedAdjacency(3, { src, dst }, 'forward');
    const two = normalizedAdjacency(3, src, dst);
    for (const adj of [one, obj, two]) assertClose(dense(adj.a), want.forward, 'Â');
  });

  it('replaces self-loops in the input by one weight-1 loop per node (add_remaining_self_loops)', () => {
    const adj = normalizedAdjacency(3, Int32Array.from([0, 1, 1]), Int32Array.from([1, 2, 1]), 'forward');
    assertClose(dense(adj.a), want.forward, 'Â');
  });

  it('an isolated node keeps only its self-loop (Â_ii = 1)', () => {
    const adj = normalizedAdjacency(4, src, dst, 'both');
    assert.deepEqual(dense(adj.a)[3], [0, 0, 0, 1]);
  });

  it('rejects node ids out of range and mismatched halves', () => {
    assert.throws(() => normalizedAdjacency(2, src, dst), /leaves \[0, 2\)/);
    assert.throws(() => normalizedAdjacency(3, Int32Array.from([0, 1, 2])), /\[2, E\]/);
    assert.throws(() => normalizedAdjacency(3, Int32Array.from([0]), Int32Array.from([1, 2])), /sources/);
  });

  it('propagate multiplies by Â', () => {
    const adj = normalizedAdjacency(3, src, dst, 'forward');
    const x = new Tensor(Float32Array.from([1, 10, 2, 20, 4, 40]), 3, 2);
    const y = gcnPropagate(x, adj);
    const a = want.forward;
    for (let i = 0; i < 3; i++) {
      for (let c = 0; c < 2; c++) {
        let s = 0;
        for (let j = 0; j < 3; j++) s += ((a[i] as number[])[j] as number) * (x.data[j * 2 + c] as number);
        assert.ok(Math.abs((y.data[i * 2 + c] as number) - s) < 1e-5);
      }
    }
  });
});

describe('meanPool', () => {
  it('averages each graph’s rows; an empty graph pools to zeros', () => {
    const h = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 10, 20]), 4, 2);
    const y = meanPool(h, Int32Array.from([0, 0, 0, 1]), 3);
    assert.deepEqual(y.shape, [3, 2]);
    assert.deepEqual(Array.from(y.data), [3, 4, 10, 20, 0, 0]);
  });

  it('any node order gives the same means', () => {
    const h = new Tensor(Float32Array.from([10, 20, 1, 2, 5, 6, 3, 4]), 4, 2);
    const y = meanPool(h, Int32Array.from([1, 0, 0, 0]), 2);
    assert.deepEqual(Array.from(y.data), [3, 4, 10, 20]);
  });

  it('rejects a batch vector of the wrong length or with a graph id out of range', () => {
    const h = new Tensor(new Float32Array(4), 2, 2);
    assert.throws(() => meanPool(h, Int32Array.from([0]), 1), /entries/);
    assert.throws(() => meanPool(h, Int32Array.from([0, 2]), 2), /not in/);
  });
});

describe('disjointUnion', () => {
  it('stacks features, offsets edges and records each node’s graph', () => {
    const g0 = { numNodes: 2, x: Float32Array.from([1, 2, 3, 4]), edgeIndex: Int32Array.from([0, 1]) };
    const g1 = { numNodes: 3, x: Float32Array.from([5, 6, 7, 8, 9, 10]), edgeIndex: Int32Array.from([0, 1, 1, 2]) };
    const b = disjointUnion([g0, g1]);
    assert.equal(b.numGraphs, 2);
    assert.equal(b.numNodes, 5);
    assert.equal(b.numFeatures, 2);
    assert.deepEqual(Array.from(b.x), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(Array.from(b.src), [0, 2, 3]);
    assert.deepEqual(Array.from(b.dst), [1, 3, 4]);
    assert.deepEqual(Array.from(b.batch), [0, 0, 1, 1, 1]);
    assert.deepEqual(Array.from(b.ptr), [0, 2, 5]);
  });

  it('rejects edges that leave their graph and features of the wrong size', () => {
    assert.throws(() => disjointUnion([{ numNodes: 2, x: new Float32Array(2), edgeIndex: Int32Array.from([0, 2]) }]), /leaves/);
    assert.throws(() => disjointUnion([{ numNodes: 2, x: new Float32Array(3), edgeIndex: new Int32Array(0) }], 2), /feature values/);
  });
});
