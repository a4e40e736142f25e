/**
 * bench/nn-micro: one forward + backward + Adam step of the 2-layer GCN detector on a synthetic
 * batch (64 graphs × 57 nodes × 30 features, hidden 64), in ms. Needs no database.
 *
 *   npm run build --silent && node dist/bench/nn-micro.js [graphs] [nodes] [features] [hidden]
 *
 * Then the GEMM's peak (bench/flops.ts) before and after V8's --no-wasm-tier-up is set at run
 * time, as the Pegasus SQLite reader does before training in the same process (`wfad start`).
 */
import v8 from 'node:v8';
import { gemmPeakGflops } from './flops';
import { Adam, Rng, Tensor, addBias, backward, crossEntropy, disjointUnion, gcnConv, linear, matmul, meanPool, normalizedAdjacency, propagate, relu, simdGemm, type GraphData } from '../src/nn';

const [B = 64, n = 57, F = 30, H = 64] = process.argv.slice(2).map(Number);
const C = 2;
const rng = new Rng(1);

// Random DAGs: each node after the first gets 1-3 parents among the earlier nodes.
const graphs: GraphData[] = [];
for (let g = 0; g < B; g++) {
  const src: number[] = [];
  const dst: number[] = [];
  for (let v = 1; v < n; v++) for (let k = 1 + rng.int(3); k > 0; k--) (src.push(rng.int(v)), dst.push(v));
  const x = new Float32Array(n * F);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  graphs.push({ numNodes: n, x, edgeIndex: Int32Array.from([...src, ...dst]) });
}
const batch = disjointUnion(graphs, F);
const adj = normalizedAdjacency(batch.numNodes, batch.src, batch.dst, 'forward');
const y = Int32Array.from({ length: B }, (_, g) => g % C);

const w = (i: number, o: number): Tensor => Tensor.param(rng.glorot(i, o), i, o);
const b = (o: number): Tensor => Tensor.param(new Float32Array(o), 1, o);
const params = [w(F, H), b(H), w(H, H), b(H), w(H, H), b(H), w(H, C), b(C)] as const;
const opt = new Adam([...params], { lr: 1e-3 });
const x = new Tensor(batch.x, batch.numNodes, F);

/** One training step; `fused` uses gcnConv, else the separate ops as src/models/gcn.ts does. */
function step(fused: boolean): number {
  const [w1, b1, w2, b2, w3, b3, w4, b4] = params;
  opt.zeroGrad();
  const h1 = fused ? gcnConv(x, w1, b1, adj) : relu(addBias(propagate(matmul(x, w1), adj), b1));
  const h2 = fused ? gcnConv(h1, w2, b2, adj) : relu(addBias(propagate(matmul(h1, w2), adj), b2));
  const logits = linear(relu(linear(meanPool(h2, batch.batch, B), w3, b3)), w4, b4);
  const loss = crossEntropy(logits, y);
  backward(loss);
  opt.step();
  return loss.data[0] as number;
}

function forwardOnly(fused: boolean): void {
  const [w1, b1, w2, b2, w3, b3, w4, b4] = params;
  const h1 = fused ? gcnConv(x, w1, b1, adj) : relu(addBias(propagate(matmul(x, w1), adj), b1));
  const h2 = fused ? gcnConv(h1, w2, b2, adj) : relu(addBias(propagate(matmul(h1, w2), adj), b2));
  linear(relu(linear(meanPool(h2, batch.batch, B), w3, b3)), w4, b4);
}

function median(f: () => void): string {
  for (let i = 0; i < 50; i++) f(); // warm-up (JIT)
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, c) => a - c);
  return `${(times[100] as number).toFixed(2)} ms (p10 ${(times[20] as number).toFixed(2)}, p90 ${(times[180] as number).toFixed(2)})`;
}

console.log(`${B} graphs × ${n} nodes × ${F} features, hidden ${H} (N = ${batch.numNodes}, nnz(Â) = ${adj.a.col.length}); gemm: ${simdGemm ? 'wasm SIMD' : 'scalar JS'}`);
for (const fused of [false, true]) {
  const name = fused ? 'fused gcnConv      ' : 'separate ops       ';
  console.log(`  ${name} forward ${median(() => forwardOnly(fused))}; forward+backward+Adam ${median(() => step(fused))}`);
}

// Reading a Pegasus SQLite file sets V8's --no-wasm-tier-up for the process (sql.js); the GEMM
// compiled before it must keep its optimised code (a drop to V8's baseline tier is ~4× slower).
const before = gemmPeakGflops();
v8.setFlagsFromString('--no-wasm-tier-up');
console.log(`GEMM peak ${before.toFixed(1)} GFLOP/s; after --no-wasm-tier-up is set (as the SQLite reader does) ${gemmPeakGflops().toFixed(1)} GFLOP/s`);
