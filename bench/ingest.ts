/**
 * bench/ingest: the whole flowgad dataset into an empty Neo4j, timed, with where the time goes.
 *
 *   npm run bench:ingest [-- --json] [-- --dataset PATH]
 *
 * Uses NEO4J_URI when set (its database is WIPED), else a local server on its own port and data
 * folder (.wfad/neo4j-bench), stopped afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultDatasetPath } from '../src/config';
import { openGraph } from '../src/graph/driver';
import { migrate } from '../src/graph/migrations';
import { discover } from '../src/ingest/dataset';
import { ingest } from '../src/ingest/pipeline';
import { loadTemplates } from '../src/ingest/template';
import { parseRunFile } from '../src/ingest/trace';
import { freshBenchNeo4j } from './bench-neo4j';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
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

  // 2. The full ingest into an empty database.
  const stop = await freshBenchNeo4j('neo4j-bench', log);
  const graph = openGraph();
  try {
    await migrate(graph);
    log(`ingesting ${ds.files.length} files (${(bytes / 1e6).toFixed(1)} MB) from ${dataset} into ${process.env.NEO4J_URI}`);
    const s = await ingest(graph, dataset);
    const again = await ingest(graph, dataset);
    const result = {
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
      peakRssGiB: Number(((process.resourceUsage().maxRSS * 1024) / 2 ** 30).toFixed(2)),
      targets: { jobsPerSecond: 30_000, reingestJobsPerSecond: 100_000 },
      command: `npm run bench:ingest -- ${args.join(' ')}`.trim(),
      loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    };
    if (json) console.log(JSON.stringify(result));
    else {
      console.log(`full dataset ingest: ${result.seconds.toFixed(1)} s for ${result.files} files, ${result.jobs} jobs, ${result.edges} edges`);
      console.log(`  ${result.jobsPerSecond} jobs/s, ${result.edgesPerSecond} edges/s (target ≥ 30,000 jobs/s)`);
      console.log(`  where the time goes: parse+validate alone ${result.parseOnlySeconds} s (Node, one core); Neo4j write transactions busy ${result.writeBusySeconds} s, overlapping the parse`);
      console.log(`  re-ingest (nothing to write): ${result.reingestSeconds} s = ${result.reingestJobsPerSecond} jobs/s (target ≥ 100,000); peak RSS ${result.peakRssGiB} GiB`);
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
