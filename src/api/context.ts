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
import type { ModelRecord } from './store/models';
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
  /**
   * Graph-level models this request resolved for its run prediction fields ahead of them
   * (resolvers/lookahead.ts), by the field's `model` argument ('' for the active one): the rows of
   * a page then use the model its query read with, even when the registry refreshes meanwhile.
   */
  predictionModels: Map<string, ModelRecord | null>;
}

export function createContext(services: ApiServices, authorization: string | undefined): ApiContext {
  return {
    services,
    loaders: createLoaders(services.shared, services.runtime, services.cache),
    authenticated: services.keys.accepts(authorization),
    predictionModels: new Map(),
  };
}
