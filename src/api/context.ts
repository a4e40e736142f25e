/**
 * What resolvers get: the process-wide services and, per request, fresh DataLoaders (their cache
 * lives for one request only) and whether the request carried a valid API key.
 */
import type { Logger } from 'pino';
import type { Graph } from '../graph/driver';
import type { KeyRing } from './auth';
import type { ReadCache } from './cache';
import type { ApiConfig } from './config';
import type { ModelRuntime } from './inference';
import { createLoaders, type Loaders } from './loaders';
import type { ModelRegistry } from './registry';
import type { SharedReads } from './shared-reads';
import type { TrainingJobs } from './training/jobs';

export interface ApiServices {
  config: ApiConfig;
  graph: Graph;
  runtime: ModelRuntime;
  registry: ModelRegistry;
  keys: KeyRing;
  training: TrainingJobs;
  /** Cross-request read cache; null when WFAD_API_CACHE_TTL_MS=0. */
  cache: ReadCache | null;
  /** Reads batched across concurrent requests. */
  shared: SharedReads;
  log: Logger;
}

export interface ApiContext {
  services: ApiServices;
  loaders: Loaders;
  authenticated: boolean;
}

export function createContext(services: ApiServices, authorization: string | undefined): ApiContext {
  return {
    services,
    loaders: createLoaders(services.shared, services.runtime, services.cache),
    authenticated: services.keys.accepts(authorization),
  };
}
