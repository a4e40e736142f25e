/**
 * bench/scale: DAGs of ~2,000 jobs (the `1000genome-large` shape, 2,073 jobs, 4,381 edges).
 *
 *   npm run bench:scale [-- --json] [-- --train-runs 400] [-- --epochs 3] [-- --score-runs 60] [-- --passes 3] [-- --warm-up 3] [-- --no-score] [-- --no-train]
 *
 * 1. Training memory: a job-level model (default architecture, hidden 64) on `--train-runs` runs
 *    of the shape, trained for `--epochs` epochs in this process: peak RSS (target ≤ 4 GiB) and
 *    seconds per epoch. Features are seeded random values (memory and time do not depend on them).
 * 2. Scoring end to end on the shape: `--score-runs` runs generated (`wfad generate`), ingested
 *    into an empty database (NEO4J_URI's is WIPED when set, else a local server on
 *    WFAD_BENCH_NEO4J_PORT with data in .wfad/neo4j-scale), a small graph-level model trained on
 *    them and exported, then `wfad score --all` timed as a user runs it, `--warm-up` times to warm
 *    up (the first pass CREATEs the predictions, the rest MERGE onto them) and then `--passes` times:
 *    jobs/s of the median pass (target ≥ 150,000), every pass listed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config';
import { toSample, type GraphSample } from '../src/features/dataset';
import { NUM_FEATURES } from '../src/features/job-features';
import { generateDataset, shapeOf } from '../src/generate';
import { openGraph } from '../src/graph/driver';
import { migrate } from '../src/graph/migrations';
import { readRuns } from '../src/graph/read-runs';
import { ingest } from '../src/ingest/pipeline';
import { Rng } from '../src/nn/random';
import { exportModelDir } from '../src/onnx/model-file';
import type { ScoreSummary } from '../src/score/score-runs';
import { saveModel } from '../src/train/model-store';
import { DEFAULT_CONFIG, train } from '../src/train/trainer';
import { freshBenchNeo4j } from './bench-neo4j';

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (flag: string, fallback: number): number => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const log = (s: string): void => void (json || process.stderr.write(`${s}\n`));
const GiB = 2 ** 30;

/** Runs of the shape with seeded random raw features; every other run anomalous (all its jobs). */
function syntheticRuns(count: number): GraphSample[] {
  const shape = shapeOf('1000genome-large');
  const n = shape.jobs.length;
  const E = shape.edges.length;
  const edgeIndex = new Int32Array(2 * E);
  shape.edges.forEach(([p, c], e) => {
    edgeIndex[e] = p;
    edgeIndex[E + e] = c;
  });
  const rng = new Rng(11);
  return Array.from({ length: count }, (_, r) => {
    const y = r % 2;
    const x = new Float32Array(n * NUM_FEATURES);
    for (let i = 0; i < x.length; i++) x[i] = Math.abs(rng.normal(y ? 12 : 10, 3));
    return { runId: `scale-${r}`, workflow: shape.workflow, label: y ? 'cpu_2' : 'normal', category: y ? 'cpu' : 'normal', level: null, numNodes: n, x, edgeIndex, yMulti: y, jobY: new Int32Array(n).fill(y) };
  });
}

function trainingMemory(runs: number, epochs: number): Record<string, number> {
  const rss0 = process.memoryUsage().rss;
  const samples = syntheticRuns(runs);
  log(`training a job-level model on ${runs} runs × ${samples[0]?.numNodes} jobs (${epochs} epochs)…`);
  let peak = 0;
  const r = train(samples, { ...DEFAULT_CONFIG, level: 'node', task: 'binary', maxEpochs: epochs, patience: epochs }, (e) => {
    peak = Math.max(peak, process.memoryUsage().rss);
    log(`  epoch ${e.epoch}: ${e.seconds.toFixed(1)} s, RSS ${(process.memoryUsage().rss / GiB).toFixed(2)} GiB`);
  });
  // maxRSS: the whole process's peak (kB), including moments between epochs.
  const maxRss = process.resourceUsage().maxRSS * 1024;
  return {
    runs,
    jobs: runs * (samples[0]?.numNodes ?? 0),
    epochs: r.epochs,
    secondsPerEpoch: Number(r.secondsPerEpoch.toFixed(2)),
    jobsPerSecondTrained: Math.round((runs * (samples[0]?.numNodes ?? 0) * 0.6) / r.secondsPerEpoch),
    rssBeforeGiB: Number((rss0 / GiB).toFixed(2)),
    peakRssGiB: Number((Math.max(peak, maxRss) / GiB).toFixed(2)),
    targetPeakRssGiB: 4,
  };
}

async function scoring(runs: number, passes: number, warmUps: number): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-bench-scale-'));
  const stop = await freshBenchNeo4j('neo4j-scale', log);
  const graph = openGraph();
  try {
    await migrate(graph);
    const half = Math.max(1, Math.round(runs / 2));
    log(`generating ${2 * half} runs of 1000genome-large…`);
    const data = path.join(dir, 'data');
    generateDataset({ workflows: ['1000genome-large'], labels: ['normal', 'cpu_3'], runsPerLabel: half, seed: 5, out: data });
    log('ingesting…');
    const ing = await ingest(graph, data);
    const records = await readRuns(graph);
    const samples = records.map(toSample);
    log(`training a small graph-level model on ${samples.length} runs for scoring…`);
    const result = train(samples, { ...DEFAULT_CONFIG, level: 'graph', task: 'binary', hidden: 32, maxEpochs: 3, patience: 3 });
    const modelDir = path.join(dir, 'model');
    saveModel(modelDir, 'scale-graph-binary', '1000genome-large', samples, result);
    exportModelDir(modelDir);
    const score = (): ScoreSummary => {
      const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'wfad.js'), 'score', '--all', '--model', modelDir, '--json'], { env: process.env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`wfad score failed (${r.status}): ${r.stderr}`);
      return JSON.parse(r.stdout) as ScoreSummary;
    };
    // A pass over a few dozen such runs takes well under a second: one pass is mostly noise, so
    // the figure is the median pass of `passes` (each listed). The just-started server's JIT
    // compiler keeps compiling for several passes (bench/inference.ts): the warm-up repeats them.
    log(`wfad score --all (${warmUps} warm-up, then ${passes} measured)…`);
    for (let i = 0; i < warmUps; i++) score();
    const jobs = ing.jobs;
    const measured = Array.from({ length: passes }, () => score()).sort((a, b) => a.runsPerSecond - b.runsPerSecond);
    const s = measured[Math.floor((measured.length - 1) / 2)] as ScoreSummary;
    return {
      runs: s.runs,
      jobs,
      passes: measured.length,
      passJobsPerSecond: measured.map((m) => Math.round((jobs / m.runs) * m.runsPerSecond)).join(', '),
      seconds: Number(s.seconds.toFixed(2)),
      runsPerSecond: Math.round(s.runsPerSecond),
      jobsPerSecond: Math.round((jobs / s.runs) * s.runsPerSecond),
      readWaitSeconds: Number(s.timings.readWaitSeconds.toFixed(2)),
      inferenceSeconds: Number(s.timings.inferenceSeconds.toFixed(2)),
      writeSeconds: Number(s.timings.writeSeconds.toFixed(2)),
      provider: s.provider,
      targetJobsPerSecond: 150_000,
    };
  } finally {
    await graph.close();
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const out: Record<string, unknown> = { command: `npm run bench:scale -- ${args.join(' ')}`.trim(), shape: '1000genome-large (2,073 jobs, 4,381 edges)' };
  if (!args.includes('--no-score')) out.scoring = await scoring(opt('--score-runs', 60), Math.max(1, opt('--passes', 3)), Math.max(1, opt('--warm-up', 3)));
  if (!args.includes('--no-train')) out.training = trainingMemory(opt('--train-runs', 400), opt('--epochs', 3));
  out.machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / GiB).toFixed(0)} GiB, Node ${process.version}`;
  out.loadAverage = os.loadavg().map((v) => Number(v.toFixed(2)));
  if (json) console.log(JSON.stringify(out));
  else console.log(JSON.stringify(out, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
