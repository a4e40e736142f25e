/**
 * bench/faults: the fault trials of issue 7, measured.
 *
 *   npm run bench:faults [-- --json] [-- --target PATH] [-- --kills N] [-- --score-kills N] [-- --seed S]
 *
 * 1. ingest SIGKILLed at N seeded random points (default 20) on --target (default: the flowgad
 *    `normal` folder, 1,280 files), checked after every kill and converging to the clean counts;
 * 2. `wfad score` SIGKILLed and resumed (shipped ALL-graph-binary and ALL-node-binary models) on
 *    the runs stored by step 1;
 * 3. Neo4j stopped and restarted while `wfad serve` answers a request every 50 ms.
 *
 * Neo4j: steps 1-2 use NEO4J_URI when set (its database is WIPED), else a local server on
 * WFAD_FAULTS_BENCH_NEO4J_PORT (7698, data in .wfad/neo4j-faults-bench); step 3 always starts its
 * own on WFAD_FAULTS_OUTAGE_NEO4J_PORT (7699, .wfad/neo4j-faults-outage) so it can stop it; the API
 * listens on WFAD_FAULTS_API_PORT (4102). Progress on stderr; figures on stdout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, defaultDatasetPath, localServerConfig } from '../src/config';
import { openGraph, type Graph } from '../src/graph/driver';
import { migrate } from '../src/graph/migrations';
import * as server from '../src/localdb/server';
import { afterKillSummary, ingestKillTrials, type IngestKillResult } from './faults/ingest-kill';
import { neo4jOutage, type OutageResult } from './faults/outage';
import { scoreKillTrials, type ScoreKillResult } from './faults/score-kill';

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const log = (s: string): void => void process.stderr.write(`${s}\n`);

async function wipe(graph: Graph): Promise<void> {
  const s = graph.driver.session({ database: graph.conn.database });
  try {
    await s.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  } finally {
    await s.close();
  }
  await migrate(graph);
}

function human(ing: IngestKillResult, sc: ScoreKillResult, out: OutageResult, cmd: string, machine: string, seconds: number): string {
  const L: string[] = [];
  const pct = (a: number, b: number): string => `${b ? Math.round((100 * a) / b) : 0} %`;
  L.push(`bench:faults — ${cmd}`, `machine: ${machine}; ${seconds.toFixed(0)} s in all`, '');
  L.push(`1. ingest SIGKILLed at random points: ${ing.target}`);
  L.push(`   clean counts (parsed from the files): ${ing.clean.files} files → ${ing.clean.runs} runs, ${ing.clean.jobs} jobs, ${ing.clean.edges} edges`);
  L.push(`   uninterrupted ingest ${(ing.cleanMs / 1000).toFixed(1)} s; kill points drawn uniformly in [0, ${(ing.fastestMs / 1000).toFixed(1)} s) after spawn, seed ${ing.seed}, ${ing.batchJobs ?? 'default 5000'} jobs per write transaction`);
  L.push(`   ${ing.kills} kills in ${ing.rounds.length} rounds (${ing.trials.length - ing.kills} trials finished before their kill point): ${Object.entries(ing.phases).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  L.push(`   ${afterKillSummary(ing.trials)}`);
  L.push(`   runs stored at the kills: ${ing.trials.filter((t) => t.killed).map((t) => t.runsAfter).join(', ')}`);
  L.push(`   re-runs to completion equal to the clean counts: ${ing.rounds.filter((r) => r.problems.length === 0).length}/${ing.rounds.length}; failures ${ing.failures}`);
  L.push('');
  L.push(`2. wfad score SIGKILLed and resumed (seed ${sc.seed}): ${sc.kills} kills: ${Object.entries(sc.phases).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  for (const m of sc.models) {
    L.push(`   ${m.model} (${m.level} level, ${m.targets} ${m.level === 'graph' ? 'runs' : 'jobs'}, uninterrupted ${(m.cleanMs / 1000).toFixed(1)} s, kill points in [0.3, 1) × ${(m.fastestMs / 1000).toFixed(1)} s): ${m.kills} kills; after resuming ${m.final.predictions} predictions, ${m.final.missing} missing, ${m.final.duplicated} duplicated, ${m.final.malformed} malformed`);
  }
  L.push(`   after every kill: no duplicate, every prediction on one target and its model: ${sc.trials.filter((t) => t.problems.length === 0).length}/${sc.trials.length} trials; failures ${sc.failures}`);
  L.push('');
  L.push(`3. Neo4j stopped and restarted under wfad serve (${out.runs} runs, a request every 50 ms, response cache off)`);
  L.push(`   stop ${(out.stopMs / 1000).toFixed(1)} s (SIGTERM, clean shutdown) + down + restart ${(out.restartMs / 1000).toFixed(1)} s = outage ${(out.outageMs / 1000).toFixed(1)} s`);
  L.push(`   requests sent before the stop: ${out.requests.before}: ${out.beforeOutcomes.ok} ok, ${out.beforeOutcomes.unavailable} UNAVAILABLE (in flight when it began), ${out.beforeOutcomes.other} other`);
  L.push(`   requests sent during the outage: ${out.requests.outage}: ${out.outage.unavailable} UNAVAILABLE (${pct(out.outage.unavailable, out.requests.outage)}), ${out.outage.ok} ok (answered before the shutdown closed connections), ${out.outage.other} other errors; latency p50 ${out.outage.p50Ms} ms, max ${out.outage.maxMs} ms`);
  L.push(`   slowest answer by when it was sent: while Neo4j shut down ${out.maxMsBySent.stopping} ms, while it was down ${out.maxMsBySent.down} ms, while it started ${out.maxMsBySent.starting} ms`);
  L.push(`   /ready during the outage: ${[...new Set(out.readyDuringOutage)].join(', ')} (${out.readyDuringOutage.length} probes); /health: ${[...new Set(out.healthDuringOutage)].join(', ')}; responses leaking internals: ${out.leaks.length}`);
  L.push(`   first success ${out.firstSuccessAfterRestartMs ?? 'never'} ms after Bolt answered again; after the restart ${out.after.ok} ok, ${out.after.unavailable} UNAVAILABLE, ${out.after.other} other; /ready ${out.readyAfter}`);
  L.push(`   API process alive throughout: ${out.serverAlive ? 'yes' : 'NO'}; exit on SIGTERM: ${out.serverExitCode}`);
  L.push(`   driver sessions opened/closed: before ${out.before.sessionsOpened}/${out.before.sessionsClosed}, after ${out.afterRecovery.sessionsOpened}/${out.afterRecovery.sessionsClosed} (open now ${out.afterRecovery.sessionsOpen})`);
  L.push(`   Bolt connections Neo4j lists for the API: before ${out.before.serverConnections}, after ${out.afterRecovery.serverConnections} (pool max 50)`);
  L.push(`   API open fds: before ${out.before.fds}, after ${out.afterRecovery.fds}; fds besides Bolt connections ${out.before.fds - out.before.serverConnections} → ${out.afterRecovery.fds - out.afterRecovery.serverConnections}`);
  if (out.otherSamples.length) L.push(`   other errors seen: ${out.otherSamples.join(' | ')}`);
  if (out.serverErrors.length) L.push(`   API error log: ${out.serverErrors.join(' | ')}`);
  return L.join('\n');
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const dataset = defaultDatasetPath();
  if (!fs.existsSync(path.join(dataset, 'adjacency_list_dags'))) {
    console.error(`bench/faults: flowgad dataset not found at ${dataset} (set WFAD_DATASET)`);
    process.exit(2);
  }
  const target = path.resolve(opt('--target') ?? path.join(dataset, 'data', 'normal'));
  const kills = Number(opt('--kills') ?? 20);
  const scoreKills = Number(opt('--score-kills') ?? 5);
  const seed = Number(opt('--seed') ?? 20260601);
  const cmd = `npm run bench:faults${args.length ? ` -- ${args.join(' ')}` : ''}`;

  let stop = async (): Promise<void> => undefined;
  let uri = process.env.NEO4J_URI;
  if (!uri) {
    const cfg = localServerConfig(process.env, { home: path.join(PROJECT_ROOT, '.wfad', 'neo4j-faults-bench'), port: Number(process.env.WFAD_FAULTS_BENCH_NEO4J_PORT ?? 7698), heap: '1g', pagecache: '256m' });
    await server.stop(cfg);
    fs.rmSync(path.join(cfg.home, 'data'), { recursive: true, force: true });
    await server.start(cfg, log, { parentPid: process.pid });
    uri = `bolt://${cfg.host}:${cfg.port}`;
    stop = async () => void (await server.stop(cfg));
  }
  // The CLI children reach the same database through the environment.
  process.env.NEO4J_URI = uri;
  const graph = openGraph();
  let ing: IngestKillResult;
  let sc: ScoreKillResult;
  try {
    log(`bench:faults: 1/3 ingest kills on ${target} (Neo4j ${uri})`);
    ing = await ingestKillTrials({ graph, target, kills, killsPerRound: 5, seed, wipe, log });
    log('bench:faults: 2/3 scoring kills');
    sc = await scoreKillTrials({ graph, models: ['ALL-graph-binary', 'ALL-node-binary'].map((m) => path.join(PROJECT_ROOT, 'models', m)), killsPerModel: scoreKills, seed: seed + 1, log });
  } finally {
    await graph.close();
    await stop();
  }
  log('bench:faults: 3/3 Neo4j outage under the API');
  const out = await neo4jOutage({
    neo4jPort: Number(process.env.WFAD_FAULTS_OUTAGE_NEO4J_PORT ?? 7699),
    home: path.join(PROJECT_ROOT, '.wfad', 'neo4j-faults-outage'),
    apiPort: Number(process.env.WFAD_FAULTS_API_PORT ?? 4102),
    dataset: target,
    downMs: 5000,
    intervalMs: 50,
    log,
  });
  const seconds = (performance.now() - t0) / 1000;
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os.loadavg()[0]?.toFixed(1)}`;
  if (json) console.log(JSON.stringify({ command: cmd, machine, seconds: Math.round(seconds), ingest: ing, score: sc, outage: out }));
  else console.log(human(ing, sc, out, cmd, machine, seconds));
  if (ing.failures + sc.failures > 0 || out.beforeOutcomes.other + out.outage.other + out.after.other > 0 || !out.serverAlive) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
