/**
 * Process-wide read caches in front of Neo4j, shared by all requests (the DataLoaders are per
 * request). Runs never change once stored (re-ingest refuses other content under an id), so run
 * rows are kept until evicted; stored predictions change when a run is re-scored, so they live for
 * `ttlMs` (a `wfad score` from another process shows within that time) and this process drops
 * them whenever it scores. Pages of runs (which runs, in which order) are fresh for at most
 * PAGE_TTL_MS, then read again while the old page still answers, so runs stored by another
 * process show within about that time; this process drops them whenever it stores a run or scores.
 */
import { LRUCache } from 'lru-cache';
import type { PredictionRecord } from './store/predictions';
import type { PageRow, RunRow } from './store/runs';

interface PageEntry {
  rows: Promise<PageRow[]>;
  /** Epoch ms after which the page is read again (and meanwhile answered as it is). */
  freshUntil: number;
  refreshing: boolean;
}

/** Longest reuse of a page of runs: a dashboard polling pages reads Neo4j once per page per this. */
export const PAGE_TTL_MS = 2000;

/**
 * Stale pages read again at once, at most. Pages cached together go stale together: re-reading
 * them all at once took the CPU from the requests for a few hundred ms every TTL (p99 spikes),
 * while their stale rows could have answered a little longer.
 */
const MAX_REFRESHES = 2;

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
  /**
   * A page's rows (with their stored predictions) by selection, order, size, cursor and model: the
   * read itself, so that requests arriving while it runs share it.
   */
  readonly pages: LRUCache<string, PageEntry>;
  private readonly pageTtlMs: number;
  private refreshes = 0;
  /** Stale pages waiting for a refresh slot, first come first served. */
  private readonly waiting: Array<() => void> = [];

  constructor(opts: ReadCacheOptions) {
    this.runs = new LRUCache({ max: Math.max(1, opts.maxRuns), ttl: opts.runTtlMs, updateAgeOnGet: false });
    this.predictions = new LRUCache({ max: Math.max(1, opts.maxPredictions), ttl: opts.ttlMs, updateAgeOnGet: false });
    this.pageTtlMs = Math.min(opts.ttlMs, PAGE_TTL_MS);
    // Kept past their fresh time so that a stale page can answer while it is read again.
    this.pages = new LRUCache({ max: 1000, ttl: 5 * this.pageTtlMs, updateAgeOnGet: false });
  }

  /**
   * The page under `key`. Not cached: read with `read` (a failed read is not kept). Older than its
   * fresh time: answered as it is while one read refreshes it, so that a request never waits on
   * Neo4j for a page others ask too. Fresh times vary by up to a quarter so that pages read
   * together are not all read again together.
   */
  page(key: string, read: () => Promise<PageRow[]>): Promise<PageRow[]> {
    const now = Date.now();
    const entry = this.pages.get(key);
    const fresh = (): number => Date.now() + Math.round(this.pageTtlMs * (0.75 + 0.25 * Math.random()));
    if (!entry) {
      const rows = read();
      this.pages.set(key, { rows, freshUntil: fresh(), refreshing: false });
      rows.catch(() => this.pages.delete(key));
      return rows;
    }
    if (now >= entry.freshUntil && !entry.refreshing) {
      entry.refreshing = true;
      this.whenSlot(() =>
        Promise.resolve()
          .then(read)
          .then(
            (rows) => {
              // Not when the cache was cleared meanwhile (a write by this process): that read may predate it.
              if (this.pages.get(key) === entry) this.pages.set(key, { rows: Promise.resolve(rows), freshUntil: fresh(), refreshing: false });
            },
            () => {
              if (this.pages.get(key) === entry) this.pages.delete(key);
            },
          )
          .finally(() => this.slotFreed()),
      );
    }
    return entry.rows;
  }

  private whenSlot(refresh: () => void): void {
    if (this.refreshes < MAX_REFRESHES) {
      this.refreshes++;
      refresh();
    } else this.waiting.push(refresh);
  }

  private slotFreed(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.refreshes--;
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
