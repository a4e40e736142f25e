/**
 * Reads shared by concurrent requests. Each request has its own DataLoaders (loaders.ts), which
 * batch within that request; these batch ACROSS requests: keys asked by any request during one
 * turn of the event loop go to Neo4j together, as one UNWIND query. Under 50 concurrent
 * run(id) requests that is a few queries per turn instead of one or two per request, and the
 * per-query costs (a transaction's round trips, the driver's bookkeeping) are paid once.
 *
 * Nothing is cached here (the per-request loaders and the ReadCache do that): a key asked twice
 * in one turn is read once, in the next turn again.
 */
import DataLoader from 'dataloader';
import type { Graph } from '../graph/driver';
import { readRuns, type RunRecord } from '../graph/read-runs';
import { readPredictions, readRunsWithPredictions, type PredictionRecord, type RunWithPrediction } from './store/predictions';
import { readRunRows, readSubworkflows, type RunRow } from './store/runs';

/** Most keys per query: bounds one query's size and the wait of the requests behind it. */
export const SHARED_BATCH_MAX = 20_000;

export interface SharedReadStats {
  /** Queries sent (one per batch). */
  queries: number;
  /** Keys asked in them (keys / queries: how many requests' reads one query served). */
  keys: number;
}

/** A DataLoader that batches across requests: dispatched on setImmediate, after the current I/O phase. */
export function sharedLoader<K, V, C = K>(batch: (keys: readonly K[]) => Promise<Array<V | Error>>, cacheKeyFn?: (k: K) => C, stats?: SharedReadStats): DataLoader<K, V, C> {
  const counted = stats
    ? (keys: readonly K[]): Promise<Array<V | Error>> => {
        stats.queries++;
        stats.keys += keys.length;
        return batch(keys);
      }
    : batch;
  return new DataLoader<K, V, C>(counted, {
    cache: false,
    maxBatchSize: SHARED_BATCH_MAX,
    batchScheduleFn: (dispatch) => void setImmediate(dispatch),
    ...(cacheKeyFn ? { cacheKeyFn } : {}),
  });
}

export interface RunPredictionKey {
  runId: string;
  /** Prediction id ("<run id>|<model id>"). */
  predictionId: string;
}

export class SharedReads {
  /** Run rows by id (null: no such run). */
  readonly runs: DataLoader<string, RunRow | null>;
  /** Stored predictions by prediction id (null: none stored). */
  readonly predictions: DataLoader<string, PredictionRecord | null>;
  /** A run row and one stored prediction of it, in one query (run(id) asking for its prediction). */
  readonly runsWithPrediction: DataLoader<RunPredictionKey, RunWithPrediction, string>;
  /** Runs with their jobs and DAG (jobs, edges, features, live inference). */
  readonly runRecords: DataLoader<string, RunRecord | null>;
  /** Sub-workflow runs by parent run id. */
  readonly subworkflows: DataLoader<string, RunRow[]>;
  readonly stats: SharedReadStats = { queries: 0, keys: 0 };

  constructor(graph: Graph) {
    const st = this.stats;
    this.runs = sharedLoader(
      async (ids) => {
        const got = await readRunRows(graph, [...new Set(ids)]);
        return ids.map((id) => got.get(id) ?? null);
      },
      undefined,
      st,
    );
    this.subworkflows = sharedLoader(
      async (ids) => {
        const got = await readSubworkflows(graph, [...new Set(ids)]);
        return ids.map((id) => got.get(id) ?? []);
      },
      undefined,
      st,
    );
    this.predictions = sharedLoader(
      async (ids) => {
        const got = await readPredictions(graph, [...new Set(ids)]);
        return ids.map((id) => got.get(id) ?? null);
      },
      undefined,
      st,
    );
    this.runsWithPrediction = sharedLoader(
      async (keys) => {
        const got = await readRunsWithPredictions(graph, keys);
        return keys.map((k) => got.get(k.predictionId) ?? { run: null, prediction: null });
      },
      (k) => k.predictionId,
      st,
    );
    this.runRecords = sharedLoader(
      async (ids) => {
        const unique = [...new Set(ids)];
        const recs = new Map((await readRuns(graph, { runIds: unique }, unique.length + 1)).map((r) => [r.id, r]));
        return ids.map((id) => recs.get(id) ?? null);
      },
      undefined,
      st,
    );
  }
}
