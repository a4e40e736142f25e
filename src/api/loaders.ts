/**
 * Per-request DataLoaders: every Neo4j read of a field goes through one, so a page of N runs costs
 * one query per kind of data, not N; what they miss goes to the process-wide SharedReads
 * (shared-reads.ts), which batch the misses of concurrent requests into one query. Run rows and
 * stored predictions also go through the ReadCache (cache.ts), so repeated reads cost no query.
 * Predictions are read from the store first; runs the model has not scored are predicted live,
 * all of them in one call to the model runtime.
 */
import DataLoader from 'dataloader';
import type { LRUCache } from 'lru-cache';
import type { RunRecord } from '../graph/read-runs';
import { toPredictInput, type RunPrediction, type Verdict } from '../inference';
import type { JobContribution } from '../models/explain';
import { NONE, type ReadCache } from './cache';
import type { ModelRuntime } from './inference';
import type { ModelRecord } from './store/models';
import type { SharedReads } from './shared-reads';
import { predictionId, type PredictionRecord } from './store/predictions';
import type { PredictionVerdict, RunRow } from './store/runs';

/** A prediction with the model that made it. */
export interface PredictionView {
  record: PredictionRecord;
  model: ModelRecord;
}

export interface Loaders {
  run: DataLoader<string, RunRow | null>;
  /** A run with its jobs' trace fields and the DAG (for features, jobs, edges, live inference). */
  runRecord: DataLoader<string, RunRecord | null>;
  subworkflows: DataLoader<string, RunRow[]>;
  storedPrediction: DataLoader<string, PredictionRecord | null>;
  /** Graph-level prediction of (run, model): stored or live. */
  runPrediction: DataLoader<{ runId: string; model: ModelRecord }, PredictionView | null, string>;
  /**
   * The explanation of a run by a model's normal profile (null: the model has none), computed from
   * the run's jobs when asked; a job prediction's is its job's entry.
   */
  explanation: DataLoader<{ runId: string; model: ModelRecord }, JobContribution[] | null, string>;
  /** Node-level predictions of a run's jobs, in job order: stored or live. */
  jobPredictions: DataLoader<{ runId: string; model: ModelRecord }, PredictionView[] | null, string>;
  /**
   * A run with the stored prediction of `model`, read together (one query for run(id) asking for
   * its prediction); both are then in `run` and `storedPrediction`.
   */
  runWithPrediction(runId: string, model: ModelRecord): Promise<RunRow | null>;
  /** A prediction already read (with a page of runs): later loads of it cost no query. */
  primePrediction(id: string, record: PredictionRecord | null): void;
  /**
   * What this request's page of runs read of a row's stored prediction by a model: the record, or
   * its verdict alone when the page's query asked no more (then for this request's prediction
   * fields only: never cached, never loaded). At once, so that a page's rows answer their
   * prediction field without a DataLoader round per row.
   */
  primePagePrediction(runId: string, modelId: string, p: PredictionRecord | PredictionVerdict): void;
  pagePrediction(runId: string, modelId: string): PredictionRecord | PredictionVerdict | undefined;
}

const fromVerdict = (v: Verdict, explanation: JobContribution[] | null): Pick<PredictionRecord, 'predicted' | 'score' | 'probabilities' | 'explanation'> => ({ predicted: v.predicted, score: v.score, probabilities: v.probabilities, explanation });

/** Keys not in the cache are read with `read`; what was read is remembered (absence too). */
async function throughCache<T extends object>(cache: LRUCache<string, T | typeof NONE> | null, ids: readonly string[], read: (missing: string[]) => Promise<Map<string, T>>): Promise<Array<T | null>> {
  if (!cache) {
    const got = await read([...ids]);
    return ids.map((id) => got.get(id) ?? null);
  }
  const hits = ids.map((id) => cache.get(id));
  const missing = ids.filter((_, i) => hits[i] === undefined);
  const got = missing.length ? await read(missing) : new Map<string, T>();
  for (const id of missing) cache.set(id, got.get(id) ?? NONE);
  return ids.map((id, i) => {
    const h = hits[i];
    if (h !== undefined) return h === NONE ? null : h;
    return got.get(id) ?? null;
  });
}

/** `loadMany` as a Map, failing on the first error (one failed shared query fails its callers). */
async function loadAll<V>(loader: DataLoader<string, V | null>, ids: string[]): Promise<Map<string, V>> {
  const got = await loader.loadMany(ids);
  const out = new Map<string, V>();
  got.forEach((v, i) => {
    if (v instanceof Error) throw v;
    if (v !== null) out.set(ids[i] as string, v);
  });
  return out;
}

export function createLoaders(shared: SharedReads, runtime: ModelRuntime, cache: ReadCache | null = null): Loaders {
  const run = new DataLoader<string, RunRow | null>((ids) => throughCache(cache?.runs ?? null, ids, (missing) => loadAll(shared.runs, missing)));
  const runRecord = new DataLoader<string, RunRecord | null>((ids) => shared.runRecords.loadMany(ids));
  const subworkflows = new DataLoader<string, RunRow[]>((ids) => shared.subworkflows.loadMany(ids));
  const storedPrediction = new DataLoader<string, PredictionRecord | null>((ids) => throughCache(cache?.predictions ?? null, ids, (missing) => loadAll(shared.predictions, missing)));

  // By model, then run id (no "<run>|<model>" key to build per row).
  const paged = new Map<string, Map<string, PredictionRecord | PredictionVerdict>>();
  const primePrediction = (id: string, record: PredictionRecord | null): void => {
    storedPrediction.prime(id, record);
    cache?.predictions.set(id, record ?? NONE);
  };
  const runWithPrediction = async (runId: string, model: ModelRecord): Promise<RunRow | null> => {
    const pid = predictionId(runId, model.id);
    if (cache && cache.runs.has(runId) && cache.predictions.has(pid)) return run.load(runId);
    const got = await shared.runsWithPrediction.load({ runId, predictionId: pid });
    run.prime(runId, got.run);
    cache?.runs.set(runId, got.run ?? NONE);
    if (got.run) primePrediction(pid, got.prediction);
    return got.run;
  };

  /** Runs of one model that have no stored prediction: predicted live, in one runtime call. */
  const live = async (model: ModelRecord, runIds: string[]): Promise<Map<string, RunPrediction>> => {
    const out = new Map<string, RunPrediction>();
    if (runIds.length === 0) return out;
    const read = (await runRecord.loadMany(runIds)).filter((r): r is RunRecord => r !== null && !(r instanceof Error));
    if (read.length === 0) return out;
    const predictor = await runtime.predictor(model);
    // A model predicts only the workflows it was trained on (Predictor.notCovering); others: no prediction.
    const recs = read.filter((r) => predictor.predictor.notCovering(r.workflow) === null);
    if (recs.length === 0) return out;
    const preds = await predictor.predictRuns(recs.map(toPredictInput));
    recs.forEach((r, i) => out.set(r.id, preds[i] as RunPrediction));
    return out;
  };

  const key = (k: { runId: string; model: ModelRecord }): string => `${k.runId}|${k.model.id}`;
  const byModel = <T extends { model: ModelRecord }>(keys: readonly T[]): Map<string, { model: ModelRecord; idx: number[] }> => {
    const groups = new Map<string, { model: ModelRecord; idx: number[] }>();
    keys.forEach((k, i) => {
      const g = groups.get(k.model.id) ?? { model: k.model, idx: [] };
      g.idx.push(i);
      groups.set(k.model.id, g);
    });
    return groups;
  };

  const runPrediction = new DataLoader<{ runId: string; model: ModelRecord }, PredictionView | null, string>(
    async (keys) => {
      const out: Array<PredictionView | null> = keys.map(() => null);
      const stored = await storedPrediction.loadMany(keys.map((k) => predictionId(k.runId, k.model.id)));
      for (const { model, idx } of byModel(keys).values()) {
        const missing: number[] = [];
        for (const i of idx) {
          const s = stored[i];
          if (s && !(s instanceof Error)) out[i] = { record: s, model };
          else missing.push(i);
        }
        const probs = await live(model, missing.map((i) => (keys[i] as { runId: string }).runId));
        for (const i of missing) {
          const runId = (keys[i] as { runId: string }).runId;
          const p = probs.get(runId);
          const v = p?.verdicts[0];
          if (v) out[i] = { record: { subjectId: runId, modelId: model.id, level: 'graph', scoredAt: null, ...fromVerdict(v, null) }, model };
        }
      }
      return out;
    },
    { cacheKeyFn: key },
  );

  const jobPredictions = new DataLoader<{ runId: string; model: ModelRecord }, PredictionView[] | null, string>(
    async (keys) => {
      const out: Array<PredictionView[] | null> = keys.map(() => null);
      const recs = await runRecord.loadMany(keys.map((k) => k.runId));
      const jobIds = recs.map((r, i) => (r && !(r instanceof Error) ? r.jobNames.map((n) => `${keys[i]?.runId}/${n}`) : []));
      const stored = await storedPrediction.loadMany(keys.flatMap((k, i) => (jobIds[i] as string[]).map((j) => predictionId(j, k.model.id))));
      let off = 0;
      const needLive: number[] = [];
      keys.forEach((k, i) => {
        const ids = jobIds[i] as string[];
        const got = stored.slice(off, off + ids.length);
        off += ids.length;
        if (ids.length === 0) return;
        if (got.every((s) => s && !(s instanceof Error))) out[i] = got.map((s) => ({ record: s as PredictionRecord, model: k.model }));
        else needLive.push(i);
      });
      for (const { model, idx } of byModel(needLive.map((i) => keys[i] as { runId: string; model: ModelRecord })).values()) {
        const runIdx = idx.map((j) => needLive[j] as number);
        const probs = await live(model, runIdx.map((i) => (keys[i] as { runId: string }).runId));
        for (const i of runIdx) {
          const runId = (keys[i] as { runId: string }).runId;
          const p = probs.get(runId);
          if (!p) continue;
          const vs = p.verdicts;
          out[i] = (jobIds[i] as string[]).map((jobId, j) => ({
            record: { subjectId: jobId, modelId: model.id, level: 'node', scoredAt: null, ...fromVerdict(vs[j] as Verdict, null) },
            model,
          }));
        }
      }
      return out;
    },
    { cacheKeyFn: key },
  );

  const explanation = new DataLoader<{ runId: string; model: ModelRecord }, JobContribution[] | null, string>(
    async (keys) => {
      const out: Array<JobContribution[] | null> = keys.map(() => null);
      const recs = await runRecord.loadMany(keys.map((k) => k.runId));
      for (const { model, idx } of byModel(keys).values()) {
        const have = idx.filter((i) => recs[i] && !(recs[i] instanceof Error));
        if (have.length === 0) continue;
        const { predictor } = await runtime.predictor(model);
        const got = predictor.explainInputs(have.map((i) => toPredictInput(recs[i] as RunRecord)));
        have.forEach((i, k) => (out[i] = got[k] ?? null));
      }
      return out;
    },
    { cacheKeyFn: key },
  );

  return { run, runRecord, subworkflows, storedPrediction, runPrediction, jobPredictions, explanation, runWithPrediction, primePrediction,
    primePagePrediction: (runId, modelId, p) => {
      let m = paged.get(modelId);
      if (!m) paged.set(modelId, (m = new Map()));
      m.set(runId, p);
    },
    pagePrediction: (runId, modelId) => paged.get(modelId)?.get(runId),
  };
}
