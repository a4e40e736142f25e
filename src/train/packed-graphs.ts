/**
 * A training set packed once: every graph's scaled features, Â and Âᵀ, and targets in flat arrays,
 * so a mini-batch is gathered by copying slices instead of re-normalising and re-batching.
 *
 *   nodePtr: [G + 1]    first pack row of each graph, then N
 *   ax: [N, F]          Â X: scaled features propagated once (the first GCN layer's X is constant), graphs stacked
 *   a, at: CSR [N, ·]   Â and Âᵀ of each graph (gcn-norm.ts), rows in pack order, columns local to the graph
 *   graphTarget: [G],  nodeTarget: [N] (job level),  nodeSplit: [N] (job level, paper protocol) or null
 *
 * The arrays live on SharedArrayBuffers: a worker thread reads them without a copy.
 * gather(pack, graphs) gives the disjoint union of the listed graphs (union.ts), with its Â
 * entry for entry as normalizedAdjacency builds it for the union's edge list.
 */
import type { Batch } from './batch';
import { normalizedAdjacency, spmm, type Csr, type EdgeDirection, type NormalizedAdjacency } from '../nn/gcn-norm';

export interface PackedGraphs {
  numGraphs: number;
  numNodes: number;
  numFeatures: number;
  nodePtr: Int32Array;
  ax: Float32Array;
  a: Csr;
  at: Csr;
  graphTarget: Int32Array;
  nodeTarget: Int32Array | null;
  nodeSplit: Uint8Array | null;
}

export interface PackInput {
  numNodes: number;
  /** [n, F] scaled features (called once per graph; may be computed on demand). */
  x: () => Float32Array;
  /** [2, e] */
  edgeIndex: Int32Array;
  target: number;
  /** [n] per-job targets (job level). */
  nodeTargets?: () => Int32Array;
  /** [n] per-job split (job level, paper protocol). */
  nodeSplit?: Uint8Array;
}

const shared = {
  f32: (n: number): Float32Array => new Float32Array(new SharedArrayBuffer(4 * Math.max(n, 1)), 0, n),
  i32: (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(4 * Math.max(n, 1)), 0, n),
  u8: (n: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(Math.max(n, 1)), 0, n),
};

/** Non-zeros of Â for a graph: its non-loop edges (twice for 'both') plus one self-loop per node. */
function nnzOf(n: number, edgeIndex: Int32Array, direction: EdgeDirection): number {
  const e = edgeIndex.length / 2;
  let k = 0;
  for (let i = 0; i < e; i++) if (edgeIndex[i] !== edgeIndex[e + i]) k++;
  return (direction === 'both' ? 2 * k : k) + n;
}

export function packGraphs(graphs: readonly PackInput[], numFeatures: number, direction: EdgeDirection, level: 'graph' | 'node'): PackedGraphs {
  const G = graphs.length;
  const nodePtr = shared.i32(G + 1);
  let N = 0;
  let nnz = 0;
  graphs.forEach((g, k) => {
    N += g.numNodes;
    nodePtr[k + 1] = N;
    nnz += nnzOf(g.numNodes, g.edgeIndex, direction);
  });
  const ax = shared.f32(N * numFeatures);
  const csr = (): Csr => ({ n: N, rowPtr: shared.i32(N + 1), col: shared.i32(nnz), val: shared.f32(nnz) });
  const a = csr();
  const at = csr();
  const graphTarget = shared.i32(G);
  const nodeTarget = level === 'node' ? shared.i32(N) : null;
  const withSplit = level === 'node' && graphs.some((g) => g.nodeSplit);
  const nodeSplit = withSplit ? shared.u8(N) : null;
  let p0 = 0;
  graphs.forEach((g, k) => {
    const r0 = nodePtr[k] as number;
    graphTarget[k] = g.target;
    if (nodeTarget) nodeTarget.set((g.nodeTargets as () => Int32Array)(), r0);
    if (nodeSplit) nodeSplit.set(g.nodeSplit as Uint8Array, r0);
    const adj = normalizedAdjacency(g.numNodes, g.edgeIndex, direction);
    spmm(adj.a, g.x(), numFeatures, ax.subarray(r0 * numFeatures, (r0 + g.numNodes) * numFeatures), true);
    for (const [to, from] of [[a, adj.a], [at, adj.at]] as const) {
      for (let i = 1; i <= g.numNodes; i++) to.rowPtr[r0 + i] = (from.rowPtr[i] as number) + p0;
      to.col.set(from.col, p0);
      to.val.set(from.val, p0);
    }
    p0 += adj.a.col.length;
  });
  return { numGraphs: G, numNodes: N, numFeatures, nodePtr, ax, a, at, graphTarget, nodeTarget, nodeSplit };
}

/** Reusable buffers (one set per thread): a step gathers into the same memory every time. */
export class GatherScratch {
  private readonly f = new Map<string, Float32Array>();
  private readonly i = new Map<string, Int32Array>();

  f32(key: string, n: number): Float32Array {
    let b = this.f.get(key);
    if (!b || b.length < n) this.f.set(key, (b = new Float32Array(Math.max(n, 2 * (b?.length ?? 0)))));
    return b.subarray(0, n);
  }

  i32(key: string, n: number): Int32Array {
    let b = this.i.get(key);
    if (!b || b.length < n) this.i.set(key, (b = new Int32Array(Math.max(n, 2 * (b?.length ?? 0)))));
    return b.subarray(0, n);
  }
}

export interface Gathered {
  batch: Batch & { xPropagated: true };
  adj: NormalizedAdjacency;
}

/** Rows of `graphs` (pack indices) stacked; n nodes, nnz non-zeros. */
function gatherCsr(m: Csr, nodePtr: Int32Array, graphs: ArrayLike<number>, n: number, nnz: number, s: GatherScratch, key: string): Csr {
  const rowPtr = s.i32(`${key}.rowPtr`, n + 1);
  const col = s.i32(`${key}.col`, nnz);
  const val = s.f32(`${key}.val`, nnz);
  rowPtr[0] = 0;
  let r0 = 0;
  let p0 = 0;
  for (let b = 0; b < graphs.length; b++) {
    const g = graphs[b] as number;
    const first = nodePtr[g] as number;
    const rows = (nodePtr[g + 1] as number) - first;
    const q0 = m.rowPtr[first] as number;
    const q1 = m.rowPtr[first + rows] as number;
    const shift = p0 - q0;
    for (let i = 1; i <= rows; i++) rowPtr[r0 + i] = (m.rowPtr[first + i] as number) + shift;
    for (let q = q0; q < q1; q++) col[q + shift] = (m.col[q] as number) + r0;
    val.set(m.val.subarray(q0, q1), p0);
    r0 += rows;
    p0 += q1 - q0;
  }
  return { n, rowPtr, col, val };
}

/** The disjoint union of pack graphs `graphs` (in that order) and its Â, in `s`'s buffers; its x is Â X. */
export function gather(pack: PackedGraphs, graphs: ArrayLike<number>, s: GatherScratch): Gathered {
  const { nodePtr, numFeatures: F } = pack;
  const B = graphs.length;
  let n = 0;
  let nnz = 0;
  for (let b = 0; b < B; b++) {
    const g = graphs[b] as number;
    const first = nodePtr[g] as number;
    const last = nodePtr[g + 1] as number;
    n += last - first;
    nnz += (pack.a.rowPtr[last] as number) - (pack.a.rowPtr[first] as number);
  }
  const x = s.f32('x', n * F);
  const batch = s.i32('batch', n);
  const ptr = s.i32('ptr', B + 1);
  let r0 = 0;
  for (let b = 0; b < B; b++) {
    const g = graphs[b] as number;
    const first = nodePtr[g] as number;
    const rows = (nodePtr[g + 1] as number) - first;
    ptr[b] = r0;
    x.set(pack.ax.subarray(first * F, (first + rows) * F), r0 * F);
    batch.fill(b, r0, r0 + rows);
    r0 += rows;
  }
  ptr[B] = n;
  const none = new Int32Array(0);
  const adj = { n, a: gatherCsr(pack.a, nodePtr, graphs, n, nnz, s, 'a'), at: gatherCsr(pack.at, nodePtr, graphs, n, nnz, s, 'at') };
  return { batch: { numGraphs: B, numNodes: n, x, src: none, dst: none, batch, ptr, xPropagated: true }, adj };
}

/** Targets of the gathered rows: one per graph (graph level) or per job (job level). */
export function gatherTargets(pack: PackedGraphs, graphs: ArrayLike<number>, s: GatherScratch): Int32Array {
  if (!pack.nodeTarget) {
    const t = s.i32('targets', graphs.length);
    for (let b = 0; b < graphs.length; b++) t[b] = pack.graphTarget[graphs[b] as number] as number;
    return t;
  }
  const nt = pack.nodeTarget;
  let n = 0;
  for (let b = 0; b < graphs.length; b++) n += (pack.nodePtr[(graphs[b] as number) + 1] as number) - (pack.nodePtr[graphs[b] as number] as number);
  const t = s.i32('targets', n);
  let r0 = 0;
  for (let b = 0; b < graphs.length; b++) {
    const g = graphs[b] as number;
    const first = pack.nodePtr[g] as number;
    const last = pack.nodePtr[g + 1] as number;
    t.set(nt.subarray(first, last), r0);
    r0 += last - first;
  }
  return t;
}

/** Which gathered jobs belong to `split` (job level, paper protocol); undefined when all rows count. */
export function gatherMask(pack: PackedGraphs, graphs: ArrayLike<number>, split: number): Uint8Array | undefined {
  const ns = pack.nodeSplit;
  if (!ns) return undefined;
  let n = 0;
  for (let b = 0; b < graphs.length; b++) n += (pack.nodePtr[(graphs[b] as number) + 1] as number) - (pack.nodePtr[graphs[b] as number] as number);
  const m = new Uint8Array(n);
  let r = 0;
  for (let b = 0; b < graphs.length; b++) {
    const g = graphs[b] as number;
    for (let i = pack.nodePtr[g] as number; i < (pack.nodePtr[g + 1] as number); i++) m[r++] = ns[i] === split ? 1 : 0;
  }
  return m;
}
