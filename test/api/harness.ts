/**
 * API test harness: a synthetic dataset (the 3-job "mini" workflow, runs of every category, one
 * every 10 minutes) ingested into the test Neo4j, small real models trained on it and registered,
 * and the API server started in-process on a random port with a Cypher query counter.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { apiConfig, type ApiConfig } from '../../src/api/config';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { activateModel } from '../../src/api/store/models';
import { registerModel } from '../../src/graph/predictions';
import { exportModelDir } from '../../src/onnx/model-file';
import { toSample } from '../../src/features/dataset';
import { openGraph, type Graph } from '../../src/graph/driver';
import { readRuns } from '../../src/graph/read-runs';
import { ingest } from '../../src/ingest/pipeline';
import { saveModel } from '../../src/train/model-store';
import { DEFAULT_CONFIG, train, type TrainConfig } from '../../src/train/trainer';
import { miniDataset, runCsv } from '../helpers/fixtures';
import { wipe } from '../helpers/neo4j';

export const KEY = 'test-key-alpha';
export const KEY2 = 'test-key-beta';
export const T0 = 1_600_000_000; // 2020-09-13T12:26:40Z
export const STEP = 600;
export const LABELS = ['normal', 'cpu_2', 'hdd_50', 'loss_1'] as const;

/** Run i: label LABELS[i % 4], started at T0 + i * STEP; anomalous runs have a slow compute job. */
export function syntheticDataset(n: number): string {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const label = LABELS[i % LABELS.length] as string;
    const inst = `I${String(i).padStart(4, '0')}`;
    const runtime = label === 'normal' ? 10 + (i % 3) : label === 'cpu_2' ? 40 + (i % 5) : label === 'hdd_50' ? 25 + (i % 4) : 80 + (i % 7);
    files[`${label}/mini-${inst}-run0001.csv`] = runCsv(inst, T0 + i * STEP, runtime);
  }
  return miniDataset(files);
}

export const runId = (i: number): string => `${LABELS[i % LABELS.length]}/mini-I${String(i).padStart(4, '0')}-run0001`;

export interface Trained {
  id: string;
  dir: string;
}

/** Trains a small real model on the stored runs, saves and exports it (ONNX) and registers it. */
export async function trainAndRegister(graph: Graph, cfg: Partial<TrainConfig>, name: string): Promise<Trained> {
  const samples = (await readRuns(graph)).map(toSample);
  const config: TrainConfig = { ...DEFAULT_CONFIG, hidden: 16, maxEpochs: 8, patience: 8, ...cfg };
  const result = train(samples, config);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wfad-model-${name}-`));
  const card = saveModel(dir, name, 'mini', samples, result);
  exportModelDir(dir);
  const id = `${card.name}@${card.version}`;
  await registerModel(graph, { id, name: card.name, version: card.version, workflow: card.workflow, level: card.level, task: card.task, classes: card.classes, metrics: JSON.stringify(card.metrics), path: dir });
  return { id, dir };
}

export interface Harness {
  graph: Graph;
  server: ApiServer;
  url: string;
  base: string;
  queries: { count: number };
  graphModel: Trained;
  nodeModel: Trained;
  binaryModel: Trained;
  close(): Promise<void>;
}

export async function startHarness(runs: number, overrides: Partial<ApiConfig> = {}): Promise<Harness> {
  const queries = { count: 0 };
  const graph = openGraph(undefined, { onQuery: () => void queries.count++ });
  await wipe(graph);
  const root = syntheticDataset(runs);
  const summary = await ingest(graph, root);
  fs.rmSync(root, { recursive: true, force: true });
  if (summary.runsStored !== runs) throw new Error(`harness: stored ${summary.runsStored} of ${runs} runs: ${JSON.stringify(summary.rejected.slice(0, 3))}`);
  const graphModel = await trainAndRegister(graph, { level: 'graph', task: 'multiclass' }, 'mini-graph-multiclass');
  const binaryModel = await trainAndRegister(graph, { level: 'graph', task: 'binary' }, 'mini-graph-binary');
  const nodeModel = await trainAndRegister(graph, { level: 'node', task: 'multiclass' }, 'mini-node-multiclass');
  await activateModel(graph, graphModel.id);
  await activateModel(graph, nodeModel.id);
  // A registered model that is not active (registration activates the first of each level and task).
  await graph.write((tx) => tx.run('MATCH (m:Model {id: $id}) SET m.active = false', { id: binaryModel.id }));
  const server = await startApiServer({
    config: apiConfig({}, { port: 0, apiKeys: [KEY, KEY2], logLevel: 'silent', modelsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-api-models-')), ...overrides }),
    graph,
    log: pino({ level: process.env.WFAD_TEST_API_LOG ?? 'silent' }),
  });
  return {
    graph,
    server,
    url: server.url,
    base: server.url.replace(/\/graphql$/, ''),
    queries,
    graphModel,
    nodeModel,
    binaryModel,
    async close() {
      await server.close();
      await graph.close();
      for (const m of [graphModel, nodeModel, binaryModel]) fs.rmSync(m.dir, { recursive: true, force: true });
    },
  };
}

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data: T | null;
  errors: Array<{ message: string; extensions?: Record<string, unknown>; path?: unknown[] }> | undefined;
  raw: string;
}

/** A GraphQL POST, as any HTTP client sends it. */
export async function gql<T = Record<string, any>>(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse<T>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const raw = await res.text();
  const body = JSON.parse(raw) as { data?: T; errors?: GqlResponse['errors'] };
  return { status: res.status, data: body.data ?? null, errors: body.errors, raw };
}

export const auth = (key = KEY): Record<string, string> => ({ authorization: `Bearer ${key}` });

/** The first error's code (and field), for assertions. */
export function errorOf(r: GqlResponse<unknown>): { code: unknown; field: unknown; message: string } {
  const e = r.errors?.[0];
  return { code: e?.extensions?.code, field: e?.extensions?.field, message: e?.message ?? '' };
}

/** A 3-job run of the mini workflow as `ingestRun` takes it (RunInput), with its own DAG. */
export function pushedRun(instance: string, runtime = 12): Record<string, unknown> {
  const t = T0 + 10_000_000;
  const job = (name: string, type: string, start: number, rt: number): Record<string, unknown> => ({
    name,
    type,
    isClustered: 0,
    ready: start,
    submit: start + 1,
    executeStart: start + 2,
    executeEnd: start + 2 + rt,
    postScriptStart: start + 2 + rt,
    postScriptEnd: start + 3 + rt,
    wmsDelay: 1,
    queueDelay: 1,
    runtime: rt,
    postScriptDelay: 1,
    kickstartUser: 'u',
    kickstartSite: 'condorpool',
    kickstartHostname: 'w1',
    cpuTime: rt / 2,
    kickstartStatus: 0,
    exitCode: 0,
  });
  return {
    workflow: 'mini',
    label: 'normal',
    instance,
    runNumber: 1,
    jobs: [job(`create_dir_${instance}_0_condorpool`, 'auxiliary', t, 1), job('work_ID01', 'compute', t + 10, runtime), job(`cleanup_${instance}_0_condorpool`, 'auxiliary', t + 30 + runtime, 1)],
    edges: [
      { parent: `create_dir_${instance}_0_condorpool`, child: 'work_ID01' },
      { parent: 'work_ID01', child: `cleanup_${instance}_0_condorpool` },
    ],
  };
}
