/**
 * bench/train: the ALL-workflows graph-level binary detector, wfad's TypeScript trainer against
 * the same architecture in PyTorch Geometric on this CPU, on the same split and scaled features.
 *
 *   npm run bench:train [-- --json] [-- --no-pyg] [-- --epochs N]
 *
 * Also reported: CPU seconds per epoch (both sides, summed over their threads), the FLOPs of
 * an epoch and the fraction of this CPU's peak they reach, the peak being what wfad's GEMM
 * (WebAssembly SIMD) sustains on layer-shaped operands in cache on one thread (bench/flops.ts),
 * times the cores. wfad trains on two threads (src/train/parallel.ts; the same weights as on
 * one), PyG on all cores. On a shared machine the wall-clock ratio moves with the load; both
 * sides run in one invocation.
 *
 * Both train to convergence under the same rule (early stopping on validation accuracy, patience
 * 25, at most 200 epochs, or --epochs N) and report seconds per epoch (median), to the best
 * epoch, and in all.
 *
 * Needs the flowgad dataset in Neo4j (NEO4J_URI, else the local server; ingested first when the
 * database has no runs). PyG runs from bench/.venv (created and filled from PyPI on first use:
 * torch, torch-geometric); the product itself never runs Python.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, defaultDatasetPath, localServerConfig, neo4jConnection } from '../src/config';
import { labelledSamples, targetOf } from '../src/features/dataset';
import { FEATURES } from '../src/features/job-features';
import { applyScaler, fitScaler, scaledWidth } from '../src/features/scaler';
import { openGraph } from '../src/graph/driver';
import { migrate } from '../src/graph/migrations';
import { readRuns } from '../src/graph/read-runs';
import { ingest } from '../src/ingest/pipeline';
import { epochFlops, gemmPeakGflops } from './flops';
import * as server from '../src/localdb/server';
import { stratifiedSplit } from '../src/train/split';
import { DEFAULT_CONFIG, stratumOf, train } from '../src/train/trainer';

const args = process.argv.slice(2);
const json = args.includes('--json');
const log = (s: string): void => void (json || process.stderr.write(`${s}\n`));

function venvPython(): string {
  const venv = path.join(PROJECT_ROOT, 'bench', '.venv');
  const py = path.join(venv, 'bin', 'python');
  if (!fs.existsSync(py)) {
    log('creating bench/.venv with torch and torch-geometric from PyPI (first run only, several minutes)…');
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(py, ['-m', 'pip', 'install', '-q', 'torch', 'torch-geometric', 'numpy'], { stdio: 'inherit' });
  }
  return py;
}

async function main(): Promise<void> {
  // The runs come from the local store (filled with flowgad when empty); a server started here is
  // stopped once they are read, so the timing below runs beside no database.
  const local = process.env.NEO4J_URI ? null : localServerConfig();
  const started = local ? (await server.start(local, log)).started : false;
  const graph = openGraph(neo4jConnection());
  await migrate(graph);
  let runs = await readRuns(graph);
  if (runs.length === 0) {
    const ds = defaultDatasetPath();
    log(`no runs in ${graph.conn.uri}: ingesting ${ds}`);
    await ingest(graph, ds);
    runs = await readRuns(graph);
  }
  await graph.close();
  if (local && started) await server.stop(local);
  const samples = labelledSamples(runs);
  const seed = 0;
  const ei = args.indexOf('--epochs');
  const maxEpochs = ei >= 0 ? Number(args[ei + 1]) : DEFAULT_CONFIG.maxEpochs;
  const cfg = { ...DEFAULT_CONFIG, arch: 'paper' as const, direction: 'forward' as const, level: 'graph' as const, task: 'binary' as const, dropout: 0, weightDecay: 0, seed, maxEpochs };

  // The exact split and scaled features wfad trains on, written for the PyG peer.
  const split = stratifiedSplit(samples, stratumOf, seed);
  // As the trainer does: training runs only; per-job baselines from the normal ones.
  const scaler = fitScaler(FEATURES, samples.flatMap((s, g) => (split[g] === 0 ? [{ workflow: s.workflow, x: s.x, reference: s.category === 'normal' }] : [])));
  const width = scaledWidth(scaler);
  const xs = samples.map((s) => applyScaler(scaler, s.workflow, s.x));
  const N = samples.reduce((a, s) => a + s.numNodes, 0);
  const E = samples.reduce((a, s) => a + s.edgeIndex.length / 2, 0);
  const x = new Float32Array(N * width);
  const nodePtr = new Int32Array(samples.length + 1);
  const edgePtr = new Int32Array(samples.length + 1);
  const src = new Int32Array(E);
  const dst = new Int32Array(E);
  let n0 = 0;
  let e0 = 0;
  samples.forEach((s, g) => {
    x.set(xs[g] as Float32Array, n0 * width);
    const e = s.edgeIndex.length / 2;
    src.set(s.edgeIndex.subarray(0, e), e0);
    dst.set(s.edgeIndex.subarray(e), e0);
    n0 += s.numNodes;
    e0 += e;
    nodePtr[g + 1] = n0;
    edgePtr[g + 1] = e0;
  });
  const y = Int32Array.from(samples, (s) => targetOf(s, 'binary'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-bench-train-'));
  const base = path.join(dir, 'all-graph-binary');
  const arrays: Record<string, [number, number]> = {};
  const chunks: Buffer[] = [];
  let off = 0;
  for (const [name, a] of Object.entries({ x, nodePtr, edgePtr, src, dst, y, split })) {
    const buf = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    arrays[name] = [off, a.length];
    chunks.push(buf);
    off += buf.length;
    const pad = (8 - (off % 8)) % 8;
    if (pad) {
      chunks.push(Buffer.alloc(pad));
      off += pad;
    }
  }
  fs.writeFileSync(`${base}.bin`, Buffer.concat(chunks));
  fs.writeFileSync(`${base}.json`, JSON.stringify({ numFeatures: width, numClasses: 2, arrays }));

  const median = (xs: number[]): number => {
    const v = [...xs].sort((p, q) => p - q);
    return v.length ? ((v[(v.length - 1) >> 1] as number) + (v[v.length >> 1] as number)) / 2 : 0;
  };
  log(`wfad (TypeScript): ${samples.length} runs (${N} jobs), batch ${cfg.batchSize}, early stopping (patience ${cfg.patience}, at most ${cfg.maxEpochs} epochs)`);
  const cpu: number[] = [];
  let lastCpu = process.cpuUsage();
  const full = train(samples, cfg, () => {
    const u = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    cpu.push((u.user + u.system) / 1e6);
  });
  const ours = {
    secondsPerEpoch: Number(median(full.curve.map((e) => e.seconds)).toFixed(3)),
    cpuSecondsPerEpoch: Number(median(cpu).toFixed(3)),
    epochs: full.epochs,
    bestEpoch: full.bestEpoch,
    seconds: Number(full.seconds.toFixed(1)),
    secondsToBest: Number(full.secondsToBest.toFixed(1)),
    testAccuracy: Number(full.test.accuracy.toFixed(4)),
    threads: full.threads,
  };
  type PygResult = { cpuSecondsPerEpoch: number; secondsPerEpoch: number; epochs: number; bestEpoch: number; seconds: number; secondsToBest: number; testAccuracy: number; torch: string; threads: number };
  let pyg: PygResult | null = null;
  if (!args.includes('--no-pyg')) {
    log('PyTorch Geometric: same data, split, architecture, optimiser and stopping rule');
    const r = spawnSync(venvPython(), [path.join(PROJECT_ROOT, 'bench', 'pyg_train.py'), base, String(cfg.maxEpochs), String(cfg.batchSize), String(os.cpus().length), String(cfg.patience)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pyg_train.py failed: ${r.stderr}`);
    pyg = JSON.parse(r.stdout.trim().split('\n').pop() as string) as PygResult;
    for (const k of ['seconds', 'secondsToBest', 'secondsPerEpoch', 'cpuSecondsPerEpoch'] as const) pyg[k] = Number(pyg[k].toFixed(k.endsWith('PerEpoch') ? 3 : 1));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const speedup = pyg ? Number((pyg.secondsPerEpoch / ours.secondsPerEpoch).toFixed(2)) : null;
  const cpuSpeedup = pyg ? Number((pyg.cpuSecondsPerEpoch / ours.cpuSecondsPerEpoch).toFixed(2)) : null;
  // FLOPs of an epoch on this split, against the GEMM's peak.
  const sizeOf = (part: number): { nodes: number; nnz: number; graphs: number } => {
    let nodes = 0;
    let nnz = 0;
    let graphs = 0;
    samples.forEach((s, g) => {
      if (split[g] !== part) return;
      graphs++;
      nodes += s.numNodes;
      nnz += s.numNodes + s.edgeIndex.length / 2;
    });
    return { nodes, nnz, graphs };
  };
  const flops = epochFlops(sizeOf(0), sizeOf(1), width, cfg.hidden, 2);
  const peak = gemmPeakGflops();
  const cores = os.cpus().length;
  const achieved = flops / ours.secondsPerEpoch / 1e9;
  const out = {
    command: `npm run bench:train -- ${args.join(' ')}`.trim(),
    model: 'ALL graph-level binary, arch paper (GCN 64-64, mean pool, MLP 64), Adam 1e-3, no dropout',
    batchSize: cfg.batchSize,
    wfad: ours,
    pyg,
    speedupPerEpoch: speedup,
    speedupCpuPerEpoch: cpuSpeedup,
    target: { speedupPerEpoch: 3 },
    gflopPerEpoch: Number((flops / 1e9).toFixed(2)),
    gemmPeakGflops: Number(peak.toFixed(1)),
    cpuPeakGflops: Number((cores * peak).toFixed(1)),
    achievedGflops: Number(achieved.toFixed(2)),
    /** Against the whole CPU (cores × one thread's GEMM peak). */
    fractionOfPeak: Number((achieved / (cores * peak)).toFixed(3)),
    /** Against one thread's peak, per CPU second (how well each busy core is used). */
    fractionOfPeakCpuTime: Number((flops / ours.cpuSecondsPerEpoch / 1e9 / peak).toFixed(3)),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))),
  };
  if (json) console.log(JSON.stringify(out));
  else {
    console.log(`ALL graph-level binary (${samples.length} runs), batch ${cfg.batchSize}, ${out.machine}, load ${out.loadAverage.join(' ')}; an epoch = one pass over the training split + scoring the validation split`);
    console.log(`command: ${out.command}`);
    const line = (name: string, r: Omit<typeof ours, 'threads'>): string =>
      `  ${name} ${r.secondsPerEpoch.toFixed(3)} s/epoch (median, ${r.cpuSecondsPerEpoch.toFixed(3)} s CPU); whole training ${r.seconds} s (${r.epochs} epochs, best at ${r.bestEpoch}, ${r.secondsToBest} s to best), test accuracy ${r.testAccuracy}`;
    console.log(`${line('wfad TypeScript:  ', ours)} (${ours.threads} threads)`);
    if (pyg) console.log(`${line('PyTorch Geometric:', pyg)} (torch ${pyg.torch}, ${pyg.threads} threads)`);
    if (speedup) console.log(`  speed-up per epoch: ${speedup}× wall, ${cpuSpeedup}× CPU time (target ≥ 3×); whole ALL training ${ours.seconds} s`);
    console.log(`  ${out.gflopPerEpoch} GFLOP per epoch: ${out.achievedGflops} GFLOP/s = ${(100 * out.fractionOfPeak).toFixed(0)}% of the CPU's ${out.cpuPeakGflops} GFLOP/s (${cores} × the ${out.gemmPeakGflops} GFLOP/s wfad's GEMM sustains on one thread); ${(100 * out.fractionOfPeakCpuTime).toFixed(0)}% of one thread's peak per CPU second`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
