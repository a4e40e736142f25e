/**
 * `npm start` / `wfad start`: the whole platform on an embedded default, in one command.
 *
 *   1. the local Neo4j on 127.0.0.1 (unless NEO4J_URI points elsewhere), schema applied;
 *   2. data: when the database is empty, a dataset given on the command line is ingested, else a
 *      generated sample (src/generate, seeded) is written to .wfad/sample and ingested;
 *   3. models: for the generated sample, models/sample-* (trained on the sample when absent); for
 *      other data, the shipped models/ALL-* (trained on flowgad) — a detector trained on real
 *      traces does not transfer to generated ones (README, "Realism check");
 *   4. every run scored (graph level, multiclass: the active model; job level, binary);
 *   5. the GraphQL API on http://127.0.0.1:4000/graphql.
 * Ctrl-C (or SIGTERM) stops the API and, when this command started it, the local Neo4j, and exits;
 * a local Neo4j that was already running is left running. The Neo4j it starts watches this process
 * (parentPid) and stops by itself when it dies, so even a hard kill leaves no JVM behind.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { apiConfig } from '../api/config';
import { startApiServer } from '../api/server';
import { PROJECT_ROOT, localServerConfig, neo4jConnection } from '../config';
import type { ModelLevel, ModelTask } from '../model-identity';
import { labelledSamples } from '../features/dataset';
import { generateDataset } from '../generate';
import { openGraph, verify, type Graph } from '../graph/driver';
import { migrate } from '../graph/migrations';
import { readRuns } from '../graph/read-runs';
import { Predictor } from '../inference';
import { ingest } from '../ingest/pipeline';
import * as server from '../localdb/server';
import { exportModelDir } from '../onnx/model-file';
import { scoreRuns } from '../score/score-runs';
import { writeModelCard } from '../train/model-card';
import { saveModel } from '../train/model-store';
import { DEFAULT_CONFIG, train } from '../train/trainer';
import { WfadError } from '../errors';

export interface StartOptions {
  dataset?: string;
  port?: number;
  /** Generated runs per workflow and label (sample only). */
  runs: number;
  log: (line: string) => void;
}

interface StartState {
  /** What the database was filled with by `wfad start`: 'sample' or a dataset path. */
  data: string;
}

const SAMPLE_DIR = path.join(PROJECT_ROOT, '.wfad', 'sample');

const MODELS = {
  sample: [
    { name: 'sample-graph-multiclass', level: 'graph', task: 'multiclass' },
    { name: 'sample-node-binary', level: 'node', task: 'binary' },
  ],
  shipped: [
    { name: 'ALL-graph-multiclass', level: 'graph', task: 'multiclass' },
    { name: 'ALL-node-binary', level: 'node', task: 'binary' },
  ],
} as const;

async function runCount(g: Graph): Promise<number> {
  const res = await g.query('MATCH (r:Run) RETURN count(r) AS n');
  return Number(res.records[0]?.get('n') ?? 0);
}

/** Trains one model on every stored run (default configuration) and saves it with ONNX + card. */
async function trainModel(g: Graph, dir: string, name: string, level: ModelLevel, task: ModelTask, log: (l: string) => void): Promise<void> {
  const samples = labelledSamples(await readRuns(g, { labelled: true }));
  log(`training ${name} on ${samples.length} stored runs…`);
  const result = train(samples, { ...DEFAULT_CONFIG, level, task });
  const card = saveModel(dir, name, 'ALL', samples, result);
  exportModelDir(dir);
  writeModelCard(dir, card, `wfad start (trained on the generated sample: wfad train --workflow all --level ${level} --task ${task} --out models/${name})`, {});
  log(`  ${name}: test accuracy ${result.test.accuracy.toFixed(3)} (${result.epochs} epochs, ${result.seconds.toFixed(1)} s)`);
}

export async function start(o: StartOptions): Promise<void> {
  const { log } = o;
  const cfg = localServerConfig();
  // Only a Neo4j started here is stopped here; one the user had running stays up.
  const owned = !process.env.NEO4J_URI && (await server.start(cfg, log, { parentPid: process.pid })).started;
  if (!process.env.NEO4J_URI && !owned) log(`using the local Neo4j already running on bolt://${cfg.host}:${cfg.port} (left running on exit)`);
  const g = openGraph(neo4jConnection());
  let api: { url: string; close(): Promise<void> } | null = null;
  let stopping = false;
  const shutdown = async (): Promise<void> => {
    await api?.close().catch(() => undefined);
    await g.close().catch(() => undefined);
    if (owned) await server.stop(cfg).catch(() => undefined);
  };
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: stopping the API${owned ? ' and the local Neo4j' : ''}…`);
    await shutdown();
    log('stopped.');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  try {
    api = await serve(g, o, log);
  } catch (err) {
    stopping = true;
    await shutdown();
    throw err;
  }
  console.log(`
wfad is up: GraphQL API on ${api.url} (landing page in a browser), Neo4j on ${neo4jConnection().uri}.
Try:
  curl -s ${api.url} -H 'content-type: application/json' \\
    -d '{"query":"{ workflows { name jobs edges runCount runsByCategory { category count } } }"}'
  curl -s ${api.url} -H 'content-type: application/json' \\
    -d '{"query":"{ runs(first: 5, filter: { predictedCategory: \\"cpu\\" }, orderBy: { by: SCORE }) { nodes { id label prediction { predicted score } } } }"}'
Ctrl-C stops everything (the API${owned ? ' and the local Neo4j' : ''}).`);
  await new Promise<never>(() => undefined);
}

/** Steps 2-5: data, models, scores, then the API on `g`. */
async function serve(g: Graph, o: StartOptions, log: (line: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  const config = apiConfig(process.env, o.port ? { port: o.port } : {});
  await verify(g);
  await migrate(g);
  // One state file per database: what `wfad start` filled it with decides which models fit it.
  const STATE_FILE = path.join(PROJECT_ROOT, '.wfad', `start-${createHash('sha256').update(neo4jConnection().uri).digest('hex').slice(0, 8)}.json`);
  let state: StartState | null = fs.existsSync(STATE_FILE) ? (JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as StartState) : null;
  if ((await runCount(g)) === 0) {
    let target = o.dataset;
    if (!target) {
      fs.rmSync(SAMPLE_DIR, { recursive: true, force: true });
      // flowgad has ~4× more normal runs than runs of one anomaly label: the sample keeps that ratio.
      const gen = generateDataset({ runsPerLabel: o.runs, normalRuns: 4 * o.runs, seed: 0, out: SAMPLE_DIR });
      log(`generated a sample: ${gen.runs} runs of ${gen.workflows.length} workflows × ${gen.labels.length} labels (seed 0) in ${SAMPLE_DIR}`);
      target = SAMPLE_DIR;
    }
    const s = await ingest(g, target);
    log(`ingested ${s.runsStored} runs (${s.jobs} jobs, ${s.edges} edges)${s.rejected.length ? `; ${s.rejected.length} files rejected (wfad ingest ${target} lists them)` : ''}`);
    state = { data: o.dataset ? path.resolve(o.dataset) : 'sample' };
    fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
    fs.writeFileSync(STATE_FILE, `${JSON.stringify(state)}\n`);
  } else {
    log(`the database already holds ${await runCount(g)} runs: using them`);
  }
  const models = state?.data === 'sample' ? MODELS.sample : MODELS.shipped;
  for (const m of models) {
    const dir = path.join(config.modelsDir, m.name);
    if (!fs.existsSync(path.join(dir, 'model.onnx'))) {
      if (state?.data !== 'sample') throw new WfadError('MODEL_MISSING', `${dir} is missing (no model.onnx): train it with \`npm run models -- --only ${m.name}\``);
      await trainModel(g, dir, m.name, m.level, m.task, log);
    }
    const predictor = await Predictor.load(dir);
    try {
      const s = await scoreRuns(g, predictor, { activate: true });
      const left = s.notCovered.map((o) => `${o.workflow} (${o.runs})`).join(', ');
      log(`scored ${s.runs} runs with ${predictor.modelId} (${s.level} level) on ${s.provider}: ${Math.round(s.runsPerSecond)} runs/s${left ? `; not scored, runs of workflows it was not trained on: ${left}` : ''}`);
    } finally {
      await predictor.release();
    }
  }
  return startApiServer({ config, graph: g });
}
