/**
 * API settings from the environment. Secrets (API keys) come only from the environment; every
 * limit has a default that keeps one query's cost bounded on a small machine.
 */
import path from 'node:path';
import { PROJECT_ROOT, portFromEnv } from '../config';
import { BadConfigError } from '../errors';

export interface ApiConfig {
  host: string;
  port: number;
  /** Bearer keys accepted for mutations (and for reads when readKeyed). */
  apiKeys: string[];
  /** Reads need a key too (WFAD_API_READ_KEYED=1). */
  readKeyed: boolean;
  /** Mutations are served (WFAD_API_MUTATIONS, default on); off = a read-only API. */
  mutations: boolean;
  /** NODE_ENV=production: mutations then need configured keys for the server to start. */
  production: boolean;
  /** Introspection and the landing page (default: on unless NODE_ENV=production). */
  introspection: boolean;
  maxDepth: number;
  maxComplexity: number;
  maxPageSize: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Where trainModel writes models. */
  modelsDir: string;
  logLevel: string;
  /** Stored predictions are reused this long across requests (0: no cross-request cache). */
  cacheTtlMs: number;
  /** The model registry (which models exist, which are active) is read again after this long; activateModel and trainModel in this process refresh it at once. */
  registryTtlMs: number;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new BadConfigError(`${name}=${JSON.stringify(raw)}: expected an integer in [${min}, ${max}]`);
  return n;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new BadConfigError(`${name}=${JSON.stringify(raw)}: expected 1/0, true/false, yes/no or on/off`);
}

export function apiConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ApiConfig> = {}): ApiConfig {
  const production = env.NODE_ENV === 'production';
  return {
    host: env.WFAD_API_HOST ?? '127.0.0.1',
    port: portFromEnv('WFAD_API_PORT', 4000, env),
    apiKeys: (env.WFAD_API_KEYS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k.length > 0),
    readKeyed: flag(env, 'WFAD_API_READ_KEYED', false),
    mutations: flag(env, 'WFAD_API_MUTATIONS', true),
    production,
    introspection: flag(env, 'WFAD_API_INTROSPECTION', !production),
    maxDepth: int(env, 'WFAD_API_MAX_DEPTH', 10, 2, 100),
    maxComplexity: int(env, 'WFAD_API_MAX_COMPLEXITY', 50_000, 10, 10_000_000),
    maxPageSize: int(env, 'WFAD_API_MAX_PAGE', 500, 1, 10_000),
    maxBodyBytes: int(env, 'WFAD_API_MAX_BODY', 2 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    modelsDir: path.resolve(env.WFAD_MODELS_DIR ?? path.join(PROJECT_ROOT, 'models')),
    logLevel: env.WFAD_LOG_LEVEL ?? 'info',
    cacheTtlMs: int(env, 'WFAD_API_CACHE_TTL_MS', 30_000, 0, 86_400_000),
    registryTtlMs: int(env, 'WFAD_API_REGISTRY_TTL_MS', 2000, 0, 86_400_000),
    ...overrides,
  };
}

/**
 * Settings a server must not start with. In production, mutations without any key would leave
 * the write paths answering UNAUTHENTICATED forever (or, after a careless fix, open): refuse to
 * start instead, so the operator sets WFAD_API_KEYS or turns mutations off explicitly.
 */
export function assertStartable(config: ApiConfig): void {
  if (config.production && config.mutations && config.apiKeys.length === 0) {
    throw new BadConfigError('NODE_ENV=production with mutations on and no WFAD_API_KEYS: set WFAD_API_KEYS (comma-separated keys) or WFAD_API_MUTATIONS=0 for a read-only API');
  }
  if (config.readKeyed && config.apiKeys.length === 0) {
    throw new BadConfigError('WFAD_API_READ_KEYED=1 and no WFAD_API_KEYS: every request would be refused; set WFAD_API_KEYS');
  }
}
