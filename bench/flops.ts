/**
 * FLOP accounting for bench/train: the arithmetic one epoch of the paper architecture needs, and
 * the peak this CPU reaches in wfad's own GEMM (the WebAssembly SIMD kernel, one thread, operands
 * in cache), against which an epoch's FLOP/s is reported as a fraction.
 */
import { gemmAcc } from '../src/nn/gemm';

/**
 * FLOPs (multiply and add counted as 2) of one epoch of GCN(F→H) → GCN(H→H) → mean pool → MLP,
 * graph level: training (forward + backward) over `train` nodes, forward over `val` nodes.
 * nnz: non-zeros of Â (edges + one self-loop per node). Layer 1 propagates first (F < 2H) and
 * needs no input gradient; layer 2 multiplies first. `propagatedOnce`: layer 1's Â X is computed
 * once before training (wfad's trainer), not every epoch (PyG), so it is not counted.
 */
export function epochFlops(train: { nodes: number; nnz: number; graphs: number }, val: { nodes: number; nnz: number; graphs: number }, f: number, h: number, c: number, propagatedOnce = true): number {
  const forward = (n: number, nnz: number, b: number): number => (propagatedOnce ? 0 : 2 * nnz * f) + 2 * n * f * h + 2 * n * h * h + 2 * nnz * h + 2 * b * (h * h + h * c);
  // Backward: layer 2 dW and dX (two GEMMs) and Âᵀ dZ; layer 1 dW; MLP dW and dX.
  const backward = (n: number, nnz: number, b: number): number => 4 * n * h * h + 2 * nnz * h + 2 * n * f * h + 4 * b * (h * h + h * c);
  return forward(train.nodes, train.nnz, train.graphs) + backward(train.nodes, train.nnz, train.graphs) + forward(val.nodes, val.nnz, val.graphs);
}

/** GFLOP/s of C[n, k] · W[k, m] products shaped like the layer-2 GEMM (best of `repeats`). */
export function gemmPeakGflops(n = 1024, k = 64, m = 64, repeats = 30): number {
  const a = Float32Array.from({ length: n * k }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = Float32Array.from({ length: k * m }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const c = new Float32Array(n * m);
  for (let i = 0; i < 20; i++) gemmAcc(a, b, c, n, k, m, true); // warm-up (JIT, memory growth)
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) gemmAcc(a, b, c, n, k, m, true);
    best = Math.min(best, (performance.now() - t0) / 10);
  }
  return (2 * n * k * m) / (best / 1000) / 1e9;
}
