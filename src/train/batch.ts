/**
 * Mini-batches of whole graphs as one disjoint union (PyG's `Batch.from_data_list`):
 *
 *   x: [N, F] (graphs' scaled features stacked), edgeIndex: [2, E] (node ids offset per graph),
 *   batch: [N] (graph of each node), nodeMask: [N] (job-level: which nodes count in the loss).
 */
export interface GraphInput {
  numNodes: number;
  /** [n, F] scaled features. */
  x: Float32Array;
  /** [2, e]: sources then targets. */
  edgeIndex: Int32Array;
}

export interface Batch {
  numGraphs: number;
  numNodes: number;
  x: Float32Array;
  src: Int32Array;
  dst: Int32Array;
  batch: Int32Array;
  /** First node of each graph, plus N at the end: [B + 1]. */
  ptr: Int32Array;
}

export function makeBatch(graphs: readonly GraphInput[], numFeatures: number): Batch {
  let N = 0;
  let E = 0;
  for (const g of graphs) {
    N += g.numNodes;
    E += g.edgeIndex.length / 2;
  }
  const x = new Float32Array(N * numFeatures);
  const src = new Int32Array(E);
  const dst = new Int32Array(E);
  const batch = new Int32Array(N);
  const ptr = new Int32Array(graphs.length + 1);
  let n0 = 0;
  let e0 = 0;
  graphs.forEach((g, b) => {
    ptr[b] = n0;
    x.set(g.x, n0 * numFeatures);
    batch.fill(b, n0, n0 + g.numNodes);
    const e = g.edgeIndex.length / 2;
    for (let k = 0; k < e; k++) {
      src[e0 + k] = (g.edgeIndex[k] as number) + n0;
      dst[e0 + k] = (g.edgeIndex[e + k] as number) + n0;
    }
    n0 += g.numNodes;
    e0 += e;
  });
  ptr[graphs.length] = N;
  return { numGraphs: graphs.length, numNodes: N, x, src, dst, batch, ptr };
}
