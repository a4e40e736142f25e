/**
 * Process-wide read caches in front of Neo4j, shared by all requests (the DataLoaders are per
 * request). Runs never change once stored (re-ingest refuses other content under an id), so run
 * rows are kept until evicted; stored predictions change when a run is re-scored, so they live for
 * `ttlMs` (a `wfad score` from another process shows within that time) and this process drops
 * them whenever it scores. Pages of runs (which runs, in which order) live for at most
 * PAGE_TTL_MS, so runs stored by another process show within it; this process drops them
 * whenever it stores a run or scores.
 */
import { LRUCache } from 'lru-cache';
import type { PredictionRecord } from './store/predictions';
import type { PageRow, RunRow } from './store/runs';

/** Longest reuse of a page of runs: a dashboard polling pages reads Neo4j once per page per this. */
export const PAGE_TTL_MS = 2000;

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
  /** A page's rows (with their stored predictions) by selection, order, size, cursor and model. */
  readonly pages: LRUCache<string, PageRow[]>;

  constructor(opts: ReadCacheOptions) {
    this.runs = new LRUCache({ max: Math.max(1, opts.maxRuns), ttl: opts.runTtlMs, updateAgeOnGet: false });
    this.predictions = new LRUCache({ max: Math.max(1, opts.maxPredictions), ttl: opts.ttlMs, updateAgeOnGet: false });
    this.pages = new LRUCache({ max: 1000, ttl: Math.min(opts.ttlMs, PAGE_TTL_MS), updateAgeOnGet: false });
  }

  /** After this process wrote predictions (scoreRuns). */
  clearPredictions(): void {
    this.predictions.clear();
    this.pages.clear();
  }

  /** After this process stored a run. */
  clearPages(): void {
    this.pages.clear();
  }
}
