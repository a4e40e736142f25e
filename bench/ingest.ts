/**
 * bench/ingest: the whole flowgad dataset into an empty Neo4j, timed, with where the time goes;
 * then again into the filled store (nothing new: every file unchanged).
 *
 *   npm run bench:ingest [-- --json] [-- --dataset PATH]
 *   npm run bench:ingest -- --non-empty 40 [--json]
 *   npm run bench:ingest -- --large [--runs-per-label 360] [--json]
 *   … [--transactional]
 *
 * Into an empty store an ingest takes whichever path a user gets (docs/ingest.md: the bulk importer
 * for a large input into the local server; write transactions otherwise); `--transactional` measures
 * the write-transaction path instead (`bulk: 'never'`, as `wfad ingest --no-bulk`). Each result
 * names the path taken and why.
 * `--non-empty N`: the store holds N generated runs of another workflow before the timed ingest.
 * `--large`: a synthetic collection of `1000genome-large` runs (2,073 jobs, 4,381 edges each;
 * 2 labels × `--runs-per-label`, 720 runs ≈ 1.5 M jobs by default) written by `wfad generate` to a
 * temporary folder (not timed), then `wfad ingest` of it into an empty store in a process of its
 * own, so that its peak RSS is the ingest's alone (streamed: target ≤ 1 GiB; ≤ 60 s).
 *
 * Uses NEO4J_URI when set (its database is WIPED), else a local server on its own port and data
 * folder (.wfad/neo4j-bench), stopped afterwards.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultDatasetPath } from '../src/config';
import { generateDataset } from '../src/generate';
import { openGraph } from '../src/graph/driver';
import { migrate } from '../src/graph/migrations';
import { discover } from '../src/ingest/dataset';
import { ingest } from '../src/ingest/pipeline';
import { loadTemplates } from '../src/ingest/template';
import { parseRunFile } from '../src/ingest/trace';
import type { BulkSetting, StorePath } from '../src/ingest/store-path';
import { freshBenchNeo4j } from './bench-neo4j';

const machine = (): string => `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const loadAverage = (): number[] => os.loadavg().map((v) => Number(v.toFixed(2)));

/** Child mode: one ingest of DIR, its summary and this process's peak RSS as JSON. */
async function child(dir: string, bulk: BulkSetting): Promise<void> {
  const graph = openGraph();
  try {
    const s = await ingest(graph, dir, { bulk, log: (l) => void process.stderr.write(`${l}\n`) });
    console.log(JSON.stringify({ runsStored: s.runsStored, rejected: s.rejected.length, jobs: s.jobs, edges: s.edges, seconds: s.seconds, timings: s.timings, storePath: s.storePath, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
  } finally {
    await graph.close();
  }
}

async function large(args: string[], json: boolean, bulk: BulkSetting, log: (s: string) => void): Promise<void> {
  const ri = args.indexOf('--runs-per-label');
  const perLabel = ri >= 0 ? Number(args[ri + 1]) : 360;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-bench-ingest-large-'));
  const stop = await freshBenchNeo4j('neo4j-bench', log);
  try {
    log(`generating 2 × ${perLabel} runs of 1000genome-large into ${dir} (not timed)…`);
    const g = generateDataset({ workflows: ['1000genome-large'], labels: ['normal', 'cpu_3'], runsPerLabel: perLabel, seed: 7, out: dir });
    const graph = openGraph();
    await migrate(graph).finally(() => graph.close());
    log(`ingesting ${g.runs} runs, ${g.jobs} jobs in a process of its own…`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [__filename, '--child-ingest', dir, ...(bulk === 'never' ? ['--transactional'] : [])], { env: process.env, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', json ? 'pipe' : 'inherit'] });
    const wall = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`ingest process failed (${r.status}): ${r.stderr}`);
    const s = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { runsStored: number; rejected: number; jobs: number; edges: number; seconds: number; timings: { parseSeconds: number; writeSeconds: number }; storePath: StorePath; peakRssBytes: number };
    const result = {
      workflow: '1000genome-large',
      storePath: s.storePath,
      runs: g.runs,
      runsStored: s.runsStored,
      rejected: s.rejected,
      jobs: s.jobs,
      edges: s.edges,
      seconds: s.seconds,
      processSeconds: Number(wall.toFixed(2)),
      jobsPerSecond: Math.round(s.jobs / s.seconds),
      parseSeconds: s.timings.parseSeconds,
      writeBusySeconds: s.timings.writeSeconds,
      peakRssGiB: Number((s.peakRssBytes / 2 ** 30).toFixed(2)),
      targets: { seconds: 60, peakRssGiB: 1 },
      command: `npm run bench:ingest -- ${args.join(' ')}`.trim(),
      loadAverage: loadAverage(),
      machine: machine(),
    };
    if (json) console.log(JSON.stringify(result));
    else {
      console.log(`large synthetic ingest: ${result.seconds.toFixed(1)} s for ${result.runsStored} runs, ${result.jobs} jobs, ${result.edges} edges (target ≤ 60 s)`);
      console.log(`  stored by ${result.storePath.path}: ${result.storePath.reason}`);
      console.log(`  ${result.jobsPerSecond} jobs/s; parse ${result.parseSeconds} s, writing (${result.storePath.path === 'bulk' ? 'importer files, importer, store moved in' : 'Neo4j write transactions'}) busy ${result.writeBusySeconds} s; ingest process peak RSS ${result.peakRssGiB} GiB (target ≤ 1)`);
      console.log(`  machine: ${result.machine}, load ${result.loadAverage.join(' ')}`);
      console.log(`  command: ${result.command}`);
    }
  } finally {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const ci = args.indexOf('--child-ingest');
  const bulk: BulkSetting = args.includes('--transactional') ? 'never' : 'auto';
  if (ci >= 0) return child(args[ci + 1] as string, bulk);
  if (args.includes('--large')) return large(args, json, bulk, (s: string): void => void (json || process.stderr.write(`${s}\n`)));
  const di = args.indexOf('--dataset');
  const dataset = di >= 0 ? path.resolve(args[di + 1] ?? '') : defaultDatasetPath();
  if (!fs.existsSync(path.join(dataset, 'adjacency_list_dags'))) {
    console.error(`bench/ingest: flowgad dataset not found at ${dataset} (pass --dataset PATH or set WFAD_DATASET)`);
    process.exit(2);
  }
  const log = (s: string): void => void (json || process.stderr.write(`${s}\n`));

  // 1. Parsing and validation alone, no database.
  const ds = discover(dataset);
  const { templates } = loadTemplates(ds.templatesDir as string);
  const p0 = performance.now();
  let bytes = 0;
  for (const f of ds.files) {
    const b = fs.readFileSync(f);
    bytes += b.length;
    parseRunFile({ source: f, labelFolder: path.basename(path.dirname(f)), fileName: path.basename(f), bytes: b }, templates);
  }
  const parseOnly = (performance.now() - p0) / 1000;

  // 2. The full ingest into an empty database (or, with --non-empty N, one already holding N
  // generated runs of another workflow: 1000genome-large, 2,073 jobs each).
  const ne = args.indexOf('--non-empty');
  const prefill = ne >= 0 ? Number(args[ne + 1]) : 0;
  const stop = await freshBenchNeo4j('neo4j-bench', log);
  const graph = openGraph();
  try {
    await migrate(graph);
    let storedBefore = 0;
    if (prefill > 0) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-bench-ingest-prefill-'));
      try {
        generateDataset({ workflows: ['1000genome-large'], labels: ['normal'], runsPerLabel: prefill, seed: 3, out: dir });
        storedBefore = (await ingest(graph, dir)).jobs;
        log(`store filled first with ${prefill} runs (${storedBefore} jobs) of 1000genome-large`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    log(`ingesting ${ds.files.length} files (${(bytes / 1e6).toFixed(1)} MB) from ${dataset} into ${process.env.NEO4J_URI}`);
    const s = await ingest(graph, dataset, { bulk, log });
    // After the bulk path the server was just restarted: the first queries meet a cold query
    // planner. The second re-ingest is what a server that has been up for a while gives.
    const again = await ingest(graph, dataset);
    const again2 = await ingest(graph, dataset);
    const result = {
      storePath: s.storePath,
      store: prefill > 0 ? `non-empty: ${prefill} runs, ${storedBefore} jobs of 1000genome-large stored before` : 'empty',
      files: s.files,
      runsStored: s.runsStored,
      rejected: s.rejected.length,
      jobs: s.jobs,
      edges: s.edges,
      seconds: s.seconds,
      jobsPerSecond: Math.round(s.jobs / s.seconds),
      edgesPerSecond: Math.round(s.edges / s.seconds),
      parseOnlySeconds: Number(parseOnly.toFixed(2)),
      writeBusySeconds: s.timings.writeSeconds,
      reingestSeconds: again.seconds,
      reingestJobsPerSecond: Math.round(s.jobs / again.seconds),
      reingestAgainSeconds: again2.seconds,
      reingestAgainJobsPerSecond: Math.round(s.jobs / again2.seconds),
      peakRssGiB: Number(((process.resourceUsage().maxRSS * 1024) / 2 ** 30).toFixed(2)),
      targets: { jobsPerSecond: 30_000, reingestJobsPerSecond: 100_000 },
      command: `npm run bench:ingest -- ${args.join(' ')}`.trim(),
      loadAverage: loadAverage(),
      machine: machine(),
    };
    if (json) console.log(JSON.stringify(result));
    else {
      console.log(`full dataset ingest into ${result.store} store: ${result.seconds.toFixed(1)} s for ${result.files} files, ${result.jobs} jobs, ${result.edges} edges`);
      console.log(`  stored by ${result.storePath.path}: ${result.storePath.reason}`);
      console.log(`  ${result.jobsPerSecond} jobs/s, ${result.edgesPerSecond} edges/s (target ≥ 30,000 jobs/s)`);
      console.log(`  where the time goes: parse+validate alone ${result.parseOnlySeconds} s (Node, one core); ${result.storePath.path === 'bulk' ? 'importer files, importer and moving its store in' : 'Neo4j write transactions'} busy ${result.writeBusySeconds} s${result.storePath.path === 'bulk' ? '' : ', overlapping the parse'}`);
      console.log(`  re-ingest (nothing to write): ${result.reingestSeconds} s = ${result.reingestJobsPerSecond} jobs/s, then again ${result.reingestAgainSeconds} s = ${result.reingestAgainJobsPerSecond} jobs/s (target ≥ 100,000)${result.storePath.path === 'bulk' ? '; the first met the server just restarted by the bulk path' : ''}; peak RSS ${result.peakRssGiB} GiB`);
      console.log(`  machine: ${result.machine}, load ${result.loadAverage.join(' ')}`);
      console.log(`  command: ${result.command}`);
    }
  } finally {
    await graph.close();
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
