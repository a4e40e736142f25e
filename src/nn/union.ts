/**
 * Mini-batching of whole graphs as one disjoint union (PyG's `Batch.from_data_list`):
 *
 *   x: [N, F] = x_0 ‖_rows x_1 ‖_rows …,   N = Σ_b n_b
 *   src, dst: [E] with node ids offset by ptr[b] (no edge crosses graphs)
 *   batch: [N] graph of each node,  ptr: [B + 1] first node of each graph, then N
 *
 * One GCN pass over the union equals B separate passes (Â is block-diagonal), at the cost of one
 * kernel call per op instead of B.
 */

export interface GraphData {
  numNodes: number;
  /** [n, F] row-major node features. */
  x: Float32Array;
  /** [2, e]: sources in [0, e), targets in [e, 2e); ids in [0, n). */
  edgeIndex: Int32Array;
}

export interface GraphBatch {
  numGraphs: number;
  numNodes: number;
  numFeatures: number;
  /** [N, F] */
  x: Float32Array;
  /** [E] each */
  src: Int32Array;
  dst: Int32Array;
  /** [N] */
  batch: Int32Array;
  /** [B + 1] */
  ptr: Int32Array;
}

/** Batches `graphs` into one graph; `numFeatures` is inferred from the first non-empty graph when omitted. */
export function disjointUnion(graphs: readonly GraphData[], numFeatures?: number): GraphBatch {
  let f = numFeatures;
  let N = 0;
  let E = 0;
  for (const g of graphs) {
    if (f === undefined && g.numNodes > 0) f = g.x.length / g.numNodes;
    N += g.numNodes;
    if (g.edgeIndex.length % 2 !== 0) throw new Error('disjointUnion: edgeIndex must hold [2, E] values');
    E += g.edgeIndex.length / 2;
  }
  const F = f ?? 0;
  const x = new Float32Array(N * F);
  const src = new Int32Array(E);
  const dst = new Int32Array(E);
  const batch = new Int32Array(N);
  const ptr = new Int32Array(graphs.length + 1);
  let n0 = 0;
  let e0 = 0;
  for (let b = 0; b < graphs.length; b++) {
    const g = graphs[b] as GraphData;
    const n = g.numNodes;
    if (g.x.length !== n * F) throw new Error(`disjointUnion: graph ${b} has ${g.x.length} feature values, [${n}, ${F}] needs ${n * F}`);
    ptr[b] = n0;
    x.set(g.x, n0 * F);
    batch.fill(b, n0, n0 + n);
    const e = g.edgeIndex.length / 2;
    const ei = g.edgeIndex;
    for (let k = 0; k < e; k++) {
      const s = ei[k] as number;
      const d = ei[e + k] as number;
      if (s < 0 || s >= n || d < 0 || d >= n) throw new Error(`disjointUnion: graph ${b} edge ${k} (${s} → ${d}) leaves [0, ${n})`);
      src[e0 + k] = s + n0;
      dst[e0 + k] = d + n0;
    }
    n0 += n;
    e0 += e;
  }
  ptr[graphs.length] = N;
  return { numGraphs: graphs.length, numNodes: N, numFeatures: F, x, src, dst, batch, ptr };
}
