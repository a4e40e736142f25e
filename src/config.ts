import path from 'node:path';
import os from 'node:os';
import { BadConfigError } from './errors';

/** Where the project lives on disk: dist/src/config.js → two levels up from dist/. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface Neo4jConnection {
  uri: string;
  user: string;
  /** Empty when the server runs without authentication (the local dev server by default). */
  password: string;
  database: string;
}

export interface LocalServerConfig {
  /** Data, logs and pid file of the local server (git-ignored). */
  home: string;
  host: '127.0.0.1';
  port: number;
  heap: string;
  pagecache: string;
}

/** A TCP port written in decimal digits, 1-65535; undefined for anything else (0, "abc", 70000, "0x10"). */
export function parsePort(raw: string): number | undefined {
  const t = raw.trim();
  if (!/^\d{1,5}$/.test(t)) return undefined;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** A port from the environment variable `name` (BAD_CONFIG when it is set to something else), else `fallback`. */
export function portFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = parsePort(raw);
  if (n === undefined) throw new BadConfigError(`${name}=${JSON.stringify(raw)} is not a port number (1-65535)`);
  return n;
}

export function localServerConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<LocalServerConfig> = {},
): LocalServerConfig {
  return {
    home: path.resolve(env.WFAD_NEO4J_HOME ?? path.join(PROJECT_ROOT, '.wfad', 'neo4j')),
    host: '127.0.0.1',
    port: portFromEnv('WFAD_NEO4J_PORT', 7687, env),
    heap: env.WFAD_NEO4J_HEAP ?? '2g',
    pagecache: env.WFAD_NEO4J_PAGECACHE ?? '512m',
    ...overrides,
  };
}

/**
 * Connection settings from the environment, so the same code runs against the local server, any
 * Neo4j 5 server, Aura or a cluster. Without NEO4J_URI it points at the local server's port.
 */
export function neo4jConnection(env: NodeJS.ProcessEnv = process.env): Neo4jConnection {
  const uri = env.NEO4J_URI ?? `bolt://127.0.0.1:${localServerConfig(env).port}`;
  if (!/^(bolt|neo4j)(\+s|\+ssc)?:\/\//.test(uri)) {
    throw new BadConfigError(
      `NEO4J_URI=${JSON.stringify(uri)} must start with bolt://, neo4j://, bolt+s:// or neo4j+s://`,
    );
  }
  return {
    uri,
    user: env.NEO4J_USER ?? 'neo4j',
    password: env.NEO4J_PASSWORD ?? '',
    database: env.NEO4J_DATABASE ?? 'neo4j',
  };
}

/** The real dataset, read in place (never copied into the project). */
export function defaultDatasetPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.WFAD_DATASET ?? path.join(PROJECT_ROOT, '..', 'shared', 'datasets', 'flowgad'));
}

export type ProviderSetting = 'auto' | 'cpu' | 'cuda';
export const PROVIDER_SETTINGS: readonly ProviderSetting[] = ['auto', 'cpu', 'cuda'];

export interface InferenceConfig {
  /** WFAD_ONNX_PROVIDER: auto (CUDA when its provider loads, else CPU), cpu, or cuda (fail if unavailable). */
  provider: ProviderSetting;
  /** WFAD_ONNX_THREADS: onnxruntime intra-op threads; default half the cores (the other half feeds it and runs Neo4j). */
  threads: number;
  /** WFAD_BATCH_MAX: most runs per session.run in the batcher. */
  maxBatch: number;
  /** WFAD_BATCH_WAIT_MS: how long the batcher waits for more requests before running a partial batch. */
  maxWaitMs: number;
}

function positiveFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new BadConfigError(`${name}=${JSON.stringify(raw)} must be an integer ≥ ${min}`);
  return n;
}

export function inferenceConfig(env: NodeJS.ProcessEnv = process.env): InferenceConfig {
  const provider = (env.WFAD_ONNX_PROVIDER ?? 'auto').toLowerCase();
  if (!(PROVIDER_SETTINGS as readonly string[]).includes(provider)) {
    throw new BadConfigError(`WFAD_ONNX_PROVIDER=${JSON.stringify(env.WFAD_ONNX_PROVIDER)} must be one of ${PROVIDER_SETTINGS.join(', ')}`);
  }
  return {
    provider: provider as ProviderSetting,
    threads: positiveFromEnv('WFAD_ONNX_THREADS', Math.max(1, Math.floor(os.cpus().length / 2)), env),
    maxBatch: positiveFromEnv('WFAD_BATCH_MAX', 256, env),
    maxWaitMs: positiveFromEnv('WFAD_BATCH_WAIT_MS', 2, env, 0),
  };
}
