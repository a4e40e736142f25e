/**
 * GCN propagation (Kipf & Welling; PyG's `gcn_norm` + `GCNConv` aggregation):
 *
 *   Â = D^-1/2 (A + I) D^-1/2,   D_ii = 1 + Σ_j A_ij   (in-degree at the target, self-loop included)
 *   propagate(H) = Â H,          dH = Âᵀ dY
 *
 * `edge_index: [2, E]` lists directed edges src → dst (parent → child in a workflow DAG); a message
 * flows from src to dst, so row dst of Â has a weight for column src. Direction chooses which
 * edges exist: 'forward' (parent → child, as in the paper), 'reverse', or 'both' (symmetric).
 * Â is stored in CSR by target row, with its transpose for the backward pass.
 */
import { alloc } from './arena';
import { Tensor, result } from './autograd';
import { spmmSimd } from './spmm-simd';

export type EdgeDirection = 'forward' | 'reverse' | 'both';
export const EDGE_DIRECTIONS: readonly EdgeDirection[] = ['forward', 'reverse', 'both'];

export interface Csr {
  n: number;
  rowPtr: Int32Array;
  col: Int32Array;
  val: Float32Array;
}

export interface NormalizedAdjacency {
  n: number;
  a: Csr;
  /** Âᵀ, for the backward pass. */
  at: Csr;
}

function csr(n: number, rows: Int32Array, cols: Int32Array, vals: Float32Array): Csr {
  const rowPtr = new Int32Array(n + 1);
  for (let e = 0; e < rows.length; e++) rowPtr[(rows[e] as number) + 1] = (rowPtr[(rows[e] as number) + 1] as number) + 1;
  for (let i = 0; i < n; i++) rowPtr[i + 1] = (rowPtr[i + 1] as number) + (rowPtr[i] as number);
  const fill = rowPtr.slice(0, n);
  const col = new Int32Array(rows.length);
  const val = new Float32Array(rows.length);
  for (let e = 0; e < rows.length; e++) {
    const r = rows[e] as number;
    const at = fill[r] as number;
    fill[r] = at + 1;
    col[at] = cols[e] as number;
    val[at] = vals[e] as number;
  }
  return { n, rowPtr, col, val };
}

/** `edge_index: [2, E]` as one array (sources, then targets) or as its two rows. */
export type EdgeIndex = Int32Array | { src: Int32Array; dst: Int32Array };

/**
 * Builds Â for a graph (or a disjoint union of graphs) with n nodes; src/dst: [E].
 * Like PyG's `add_remaining_self_loops`, self-loops in the input are replaced by exactly one
 * weight-1 loop per node; duplicate edges are kept (they count twice, as in `gcn_norm`).
 */
export function normalizedAdjacency(n: number, edgeIndex: EdgeIndex, direction?: EdgeDirection): NormalizedAdjacency;
export function normalizedAdjacency(n: number, src: Int32Array, dst: Int32Array, direction?: EdgeDirection): NormalizedAdjacency;
export function normalizedAdjacency(n: number, a: EdgeIndex, b?: Int32Array | EdgeDirection, c?: EdgeDirection): NormalizedAdjacency {
  let src: Int32Array;
  let dst: Int32Array;
  let direction: EdgeDirection;
  if (b instanceof Int32Array) {
    if (!(a instanceof Int32Array)) throw new TypeError('normalizedAdjacency(n, src, dst): src must be an Int32Array');
    [src, dst, direction] = [a, b, c ?? 'forward'];
  } else {
    direction = b ?? 'forward';
    if (a instanceof Int32Array) {
      if (a.length % 2 !== 0) throw new Error('normalizedAdjacency: edge_index must hold [2, E] values');
      src = a.subarray(0, a.length / 2);
      dst = a.subarray(a.length / 2);
    } else ({ src, dst } = a);
  }
  if (src.length !== dst.length) throw new Error(`normalizedAdjacency: ${src.length} sources, ${dst.length} targets`);
  if (!EDGE_DIRECTIONS.includes(direction)) throw new Error(`normalizedAdjacency: unknown direction ${String(direction)}`);
  const E = src.length;
  const both = direction === 'both';
  const reverse = direction === 'reverse';
  const cap = (both ? 2 * E : E) + n;
  const from = new Int32Array(cap);
  const to = new Int32Array(cap);
  let k = 0;
  for (let e = 0; e < E; e++) {
    const s = src[e] as number;
    const d = dst[e] as number;
    if (s < 0 || s >= n || d < 0 || d >= n) throw new Error(`normalizedAdjacency: edge ${e} (${s} → ${d}) leaves [0, ${n})`);
    if (s === d) continue;
    from[k] = reverse ? d : s;
    to[k++] = reverse ? s : d;
    if (both) {
      from[k] = d;
      to[k++] = s;
    }
  }
  for (let i = 0; i < n; i++) {
    from[k] = i;
    to[k++] = i;
  }
  const m = k;
  // D_ii: in-degree at the target, self-loop included (≥ 1, so no division by zero).
  const deg = new Float64Array(n);
  for (let e = 0; e < m; e++) deg[to[e] as number] = (deg[to[e] as number] as number) + 1;
  const dis = new Float64Array(n);
  for (let i = 0; i < n; i++) dis[i] = 1 / Math.sqrt(deg[i] as number);
  const w = new Float32Array(m);
  for (let e = 0; e < m; e++) w[e] = (dis[from[e] as number] as number) * (dis[to[e] as number] as number);
  const rows = to.subarray(0, m);
  const cols = from.subarray(0, m);
  return { n, a: csr(n, rows, cols, w), at: csr(n, cols, rows, w) };
}

/** Block-diagonal union of CSR matrices: each part's rows and columns shifted past the earlier parts'. */
function csrUnion(parts: readonly Csr[]): Csr {
  let n = 0;
  let nnz = 0;
  for (const m of parts) {
    n += m.n;
    nnz += m.col.length;
  }
  const rowPtr = new Int32Array(n + 1);
  const col = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  let r0 = 0;
  let p0 = 0;
  for (const m of parts) {
    for (let i = 1; i <= m.n; i++) rowPtr[r0 + i] = (m.rowPtr[i] as number) + p0;
    for (let p = 0; p < m.col.length; p++) col[p0 + p] = (m.col[p] as number) + r0;
    val.set(m.val, p0);
    r0 += m.n;
    p0 += m.col.length;
  }
  return { n, rowPtr, col, val };
}

/**
 * Â of a disjoint union from the Â of its graphs: the same matrix normalizedAdjacency builds for
 * the union's edge list, entry for entry (degrees are per graph; each row keeps its edges' order,
 * self-loop last), without redoing the normalisation for every mini-batch.
 */
export function adjacencyUnion(parts: readonly NormalizedAdjacency[]): NormalizedAdjacency {
  const a = csrUnion(parts.map((p) => p.a));
  return { n: a.n, a, at: csrUnion(parts.map((p) => p.at)) };
}

/**
 * Y[n, F] += M · H for a CSR matrix M (`yIsZero`: Y is known to be zeros, so not read). On the
 * WebAssembly SIMD kernel where it pays (spmm-simd.ts); else each row's output is summed 8
 * columns at a time in locals over the row's non-zeros, so Y is read and written once.
 */
export function spmm(mat: Csr, h: Float32Array, f: number, y: Float32Array, yIsZero = false): void {
  if (spmmSimd(mat, h, f, y, { accumulate: !yIsZero })) return;
  const { rowPtr, col, val } = mat;
  const f8 = f - (f % 8);
  for (let i = 0; i < mat.n; i++) {
    const p0 = rowPtr[i] as number;
    const p1 = rowPtr[i + 1] as number;
    const yi = i * f;
    for (let c = 0; c < f8; c += 8) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let p = p0; p < p1; p++) {
        const w = val[p] as number;
        const j = (col[p] as number) * f + c;
        s0 += w * (h[j] as number);
        s1 += w * (h[j + 1] as number);
        s2 += w * (h[j + 2] as number);
        s3 += w * (h[j + 3] as number);
        s4 += w * (h[j + 4] as number);
        s5 += w * (h[j + 5] as number);
        s6 += w * (h[j + 6] as number);
        s7 += w * (h[j + 7] as number);
      }
      const o = yi + c;
      y[o] = (y[o] as number) + s0;
      y[o + 1] = (y[o + 1] as number) + s1;
      y[o + 2] = (y[o + 2] as number) + s2;
      y[o + 3] = (y[o + 3] as number) + s3;
      y[o + 4] = (y[o + 4] as number) + s4;
      y[o + 5] = (y[o + 5] as number) + s5;
      y[o + 6] = (y[o + 6] as number) + s6;
      y[o + 7] = (y[o + 7] as number) + s7;
    }
    for (let c = f8; c < f; c++) {
      let s = 0;
      for (let p = p0; p < p1; p++) s += (val[p] as number) * (h[(col[p] as number) * f + c] as number);
      y[yi + c] = (y[yi + c] as number) + s;
    }
  }
}

/** propagate(H) = Â H;  H: [n, F] → [n, F]. */
export function propagate(h: Tensor, adj: NormalizedAdjacency): Tensor {
  if (h.rows !== adj.n) throw new Error(`propagate: ${h.rows} rows for a graph of ${adj.n} nodes`);
  const y = alloc(h.data.length);
  spmm(adj.a, h.data, h.cols, y, true);
  return result(y, h.rows, h.cols, [h], (out) => spmm(adj.at, out.grad as Float32Array, h.cols, h.gradBuffer()));
}

/** PyG-style name for {@link propagate}: Â X for X: [N, F]. */
export const gcnPropagate = propagate;
