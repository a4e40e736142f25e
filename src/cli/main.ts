/**
 * The `wfad` command line. Human output by default, `--json` for machines. Exit codes: 0 success,
 * 1 unexpected error, 2 bad usage or configuration, 3 Neo4j unreachable, 4 nothing could be stored.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { defaultDatasetPath, localServerConfig, neo4jConnection } from '../config';
import { WfadError } from '../errors';
import { openGraph, verify } from '../graph/driver';
import { migrate } from '../graph/migrations';
import { labelOrder, stats, type Stats } from '../graph/stats';
import { assertSomethingStored, ingest, type IngestSummary } from '../ingest/pipeline';
import * as server from '../localdb/server';
import { printJson, progress, table } from './output';

const EXIT: Record<string, number> = { NEO4J_UNAVAILABLE: 3, NOTHING_STORED: 4, BAD_CONFIG: 2, BAD_INPUT: 2, JAVA_MISSING: 2 };
const log = (line: string): void => void process.stderr.write(`${line}\n`);

function portOption(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new CommanderError(2, 'wfad.port', `--port ${v} is not a port number`);
  return n;
}

export function formatStats(s: Stats): string {
  const labels = [...new Set(s.workflows.flatMap((w) => Object.keys(w.runs)))].sort(labelOrder);
  const cats = ['normal', 'cpu', 'hdd', 'loss'];
  const rows = s.workflows.map((w) => [w.name, w.jobs, w.edges, ...labels.map((l) => w.runs[l] ?? 0), ...cats.map((c) => w.runsByCategory[c] ?? 0), Object.values(w.runs).reduce((a, b) => a + b, 0)]);
  return `${table(['workflow', 'jobs', 'edges', ...labels, ...cats.map((c) => `Σ${c}`), 'runs'], rows)}\nincomplete runs: ${s.incompleteRuns}`;
}

export function formatIngest(s: IngestSummary): string {
  const lines = [
    `ingested ${s.root}`,
    `  files ${s.files}: ${s.runsStored} runs stored, ${s.runsUnchanged} unchanged, ${s.rejected.length} rejected`,
    `  wrote ${s.jobs} jobs and ${s.edges} edges in ${s.seconds.toFixed(1)} s (parse ${s.timings.parseSeconds.toFixed(1)} s, write ${s.timings.writeSeconds.toFixed(1)} s)`,
  ];
  if (s.derivedValues) lines.push(`  ${s.derivedValues} composite values computed from timestamps where the cell was empty`);
  if (s.sentinelValues) lines.push(`  ${s.sentinelValues} kickstart cpu_time values of -1 (no kickstart record) stored as missing`);
  if (s.storedWithMissingColumns.length) {
    lines.push(`  ${s.storedWithMissingColumns.length} runs stored without some optional columns (values missing):`);
    for (const m of s.storedWithMissingColumns) lines.push(`    ${m.file}: no ${m.columns.join(', ')}`);
  }
  if (s.rejected.length) {
    lines.push('  rejected:');
    for (const r of s.rejected) lines.push(`    ${r.file}: [${r.code}] ${r.reason}`);
  }
  return lines.join('\n');
}

async function withGraph<T>(fn: (g: ReturnType<typeof openGraph>) => Promise<T>): Promise<T> {
  const g = openGraph(neo4jConnection());
  try {
    return await fn(g);
  } finally {
    await g.close();
  }
}

async function runIngest(target: string, opts: { json?: boolean; batchJobs?: number }): Promise<IngestSummary> {
  const bar = progress('ingest', Boolean(opts.json));
  try {
    const summary = await withGraph((g) => ingest(g, target, { batchJobs: opts.batchJobs, onProgress: (d, t) => bar.update(d, t) }));
    bar.stop();
    if (opts.json) {
      printJson({ ...summary, rejected: summary.rejected });
    } else {
      console.log(formatIngest(summary));
    }
    assertSomethingStored(summary);
    return summary;
  } finally {
    bar.stop();
  }
}

export function buildProgram(): Command {
  const program = new Command('wfad')
    .description('Workflow anomaly detection with graph neural networks')
    .showHelpAfterError()
    .exitOverride();

  const db = program.command('db').description('the local Neo4j server (Neo4j Community 5.26, embedded DBMS with Bolt)');
  db.command('start')
    .description('start the local Neo4j on 127.0.0.1 (idempotent) and apply the schema')
    .option('--port <port>', 'Bolt port (default 7687 or $WFAD_NEO4J_PORT)', portOption)
    .option('--json', 'machine-readable output')
    .action(async (o: { port?: number; json?: boolean }) => {
      const cfg = localServerConfig(process.env, o.port ? { port: o.port } : {});
      const res = await server.start(cfg, log);
      const applied = await withGraph(async (g) => {
        await verify(g);
        return migrate(g);
      }).catch((err: unknown) => {
        // NEO4J_URI may point elsewhere; the local server itself is up.
        if (process.env.NEO4J_URI) return [] as string[];
        throw err;
      });
      const st = await server.status(cfg);
      if (o.json) printJson({ ...st, started: res.started, migrationsApplied: applied });
      else console.log(`${res.started ? 'started' : 'already running'}: Neo4j on ${st.uri} (pid ${res.pid}, data in ${cfg.home})${applied.length ? `; applied ${applied.join(', ')}` : ''}`);
    });
  db.command('stop')
    .description('stop the local Neo4j (idempotent)')
    .option('--port <port>', 'Bolt port', portOption)
    .option('--json', 'machine-readable output')
    .action(async (o: { port?: number; json?: boolean }) => {
      const cfg = localServerConfig(process.env, o.port ? { port: o.port } : {});
      const res = await server.stop(cfg);
      if (o.json) printJson(res);
      else console.log(res.stopped ? 'stopped the local Neo4j' : 'the local Neo4j was not running');
    });
  db.command('status')
    .description('is the local Neo4j running and answering on Bolt?')
    .option('--port <port>', 'Bolt port', portOption)
    .option('--json', 'machine-readable output')
    .action(async (o: { port?: number; json?: boolean }) => {
      const cfg = localServerConfig(process.env, o.port ? { port: o.port } : {});
      const st = await server.status(cfg);
      if (o.json) printJson(st);
      else console.log(st.running ? `running: pid ${st.pid}, ${st.uri} ${st.boltAnswers ? 'answers' : 'does not answer yet'}, data in ${st.home}` : `not running (${st.built ? 'built' : 'not built yet'}; data in ${st.home})`);
      return;
    });
  db.command('reset')
    .description('wipe the local database (stops it, deletes its data, restarts it if it was running)')
    .option('--yes', 'really delete everything in the local database')
    .option('--port <port>', 'Bolt port', portOption)
    .action(async (o: { yes?: boolean; port?: number }) => {
      if (!o.yes) throw new WfadError('BAD_INPUT', 'refusing to wipe the local database without --yes');
      const cfg = localServerConfig(process.env, o.port ? { port: o.port } : {});
      const r = await server.reset(cfg, log);
      if (r.restarted) await withGraph((g) => migrate(g));
      console.log(`wiped the local database${r.restarted ? ' and restarted it' : ''}`);
    });
  db.command('build')
    .description('fetch Neo4j from Maven Central and compile the launcher (done automatically on first start)')
    .action(() => server.build(log, true));

  program
    .command('ingest')
    .description('store Pegasus/Panorama workflow traces (<root>/adjacency_list_dags + <root>/data/<label>/*.csv) in Neo4j')
    .argument('<path>', 'dataset root, its data/ folder, a label folder or one .csv file')
    .option('--json', 'machine-readable summary')
    .option('--batch-jobs <n>', 'jobs per write transaction', (v) => Number(v))
    .action(async (target: string, o: { json?: boolean; batchJobs?: number }) => {
      await runIngest(target, o);
    });

  program
    .command('stats')
    .description('per workflow: DAG size, runs by label and category, and the integrity check')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const s = await withGraph(async (g) => {
        await verify(g);
        return stats(g);
      });
      if (o.json) printJson(s);
      else console.log(formatStats(s));
    });

  program
    .command('start')
    .description('the main job: start the local Neo4j and ingest a dataset (default: ../shared/datasets/flowgad)')
    .argument('[path]', 'dataset to ingest')
    .action(async (target?: string) => {
      const dataset = target ?? defaultDatasetPath();
      if (!fs.existsSync(dataset)) {
        throw new WfadError('BAD_INPUT', `no dataset at ${dataset}: give one with \`npm start -- /path/to/flowgad\` or set WFAD_DATASET`);
      }
      const cfg = localServerConfig();
      if (!process.env.NEO4J_URI) await server.start(cfg, log);
      await withGraph((g) => migrate(g));
      log(`ingesting ${dataset}`);
      await runIngest(dataset, {});
      console.log('');
      console.log(formatStats(await withGraph((g) => stats(g))));
      console.log(`\nNeo4j keeps running on ${neo4jConnection().uri}; stop it with \`npx wfad db stop\`.`);
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof WfadError) {
      log(`wfad: ${err.code}: ${err.message}`);
      return EXIT[err.code] ?? 1;
    }
    log(`wfad: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
