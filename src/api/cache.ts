/**
 * Process-wide read caches in front of Neo4j, shared by all requests (the DataLoaders are per
 * request). Runs never change once stored (re-ingest refuses other content under an id), so run
 * rows are kept until evicted; stored predictions change when a run is re-scored, so they live for
 * `ttlMs` (a `wfad score` from another process shows within that time) and this process drops
 * them whenever it scores.
 */
import { LRUCache } from 'lru-cache';
import type { PredictionRecord } from './store/predictions';
import type { RunRow } from './store/runs';

/** A stored prediction, or NONE for "no stored prediction" (also worth remembering briefly). */
export const NONE = Symbol('none');
type Cached<T> = T | typeof NONE;

export interface ReadCacheOptions {
  maxRuns: number;
  maxPredictions: number;
  /** How long a stored prediction (or its absence) is reused. */
  ttlMs: number;
  /** How long a run row (or its absence) is reused; rows are immutable, so this can be long. */
  runTtlMs: number;
}

export class ReadCache {
  readonly runs: LRUCache<string, Cached<RunRow>>;
  readonly predictions: LRUCache<string, Cached<PredictionRecord>>;

  constructor(opts: ReadCacheOptions) {
    this.runs = new LRUCache({ max: Math.max(1, opts.maxRuns), ttl: opts.runTtlMs, updateAgeOnGet: false });
    this.predictions = new LRUCache({ max: Math.max(1, opts.maxPredictions), ttl: opts.ttlMs, updateAgeOnGet: false });
  }

  /** After this process wrote predictions (scoreRuns). */
  clearPredictions(): void {
    this.predictions.clear();
  }
}
