/**
 * `wfad score`: runs from Neo4j → predictor → Prediction nodes back in Neo4j, as a pipeline:
 * the next pages of runs are read while this one is scored, and up to two write transactions are
 * in flight while later pages are read and scored (Neo4j and Node work on different cores).
 */
import path from 'node:path';
import type { Graph } from '../graph/driver';
import type { ModelLevel } from '../model-identity';
import { backfillJobTables } from '../graph/job-table';
import { createsPredictions, registerModel, writePredictions, type PredictionRow } from '../graph/predictions';
import { readRunPages, type RunQuery } from '../graph/read-runs';
import { toPredictInput, type Predictor, type RunPrediction } from '../inference/predictor';

export interface ScoreOptions {
  /** Workflows to score; all when absent. */
  workflows?: string[];
  /** Runs per read page (and per session.run); default: about PAGE_JOBS jobs' worth (runsPerPage). */
  pageSize?: number;
  /** Pages being read while one is scored (default 2: reads on two database cores). */
  readAhead?: number;
  /** Prediction rows per write transaction. */
  writeBatch?: number;
  /** Make this model the active one of its (level, task). */
  activate?: boolean;
  onProgress?: (runs: number) => void;
}

export interface ScoreSummary {
  model: string;
  /**
   * Stored runs of the workflows asked for that the model does not score (Predictor.coveredWorkflows),
   * per workflow, with the reason; they get no prediction.
   */
  notCovered: Array<{ workflow: string; runs: number; reason: string }>;
  level: ModelLevel;
  provider: string;
  runs: number;
  predictions: number;
  /** Rows whose run or job was not found (deleted while scoring). */
  missing: number;
  /** Predicted class → count (runs at graph level, jobs at job level). */
  predicted: Record<string, number>;
  active: boolean;
  seconds: number;
  runsPerSecond: number;
  /** session.run calls made. */
  sessionRuns: number;
  /** Runs stored before job tables existed that this pass gave one (graph/job-table.ts; once per run). */
  jobTablesWritten: number;
  timings: { readWaitSeconds: number; inferenceSeconds: number; writeSeconds: number };
}

/** Stored runs per workflow of `workflows` (all when null) outside `covered`. */
export async function runsOutside(graph: Graph, workflows: readonly string[] | null, covered: readonly string[]): Promise<Array<{ workflow: string; runs: number }>> {
  const res = await graph.query(
    'MATCH (r:Run) WHERE ($workflows IS NULL OR r.workflow IN $workflows) AND NOT r.workflow IN $covered RETURN r.workflow AS workflow, count(r) AS runs ORDER BY workflow',
    { workflows, covered },
  );
  return res.records.map((r) => ({ workflow: r.get('workflow') as string, runs: r.get('runs') as number }));
}

/** Mean jobs per stored run (of the workflows given), 0 when there are none. */
async function meanJobCount(graph: Graph, workflows: string[] | null): Promise<number> {
  const res = await graph.query('MATCH (r:Run) WHERE $workflows IS NULL OR r.workflow IN $workflows RETURN avg(r.jobCount) AS mean', { workflows });
  return (res.records[0]?.get('mean') as number | null) ?? 0;
}

/**
 * Prediction rows of one page: one per run (graph level) or one per job (job level). Explanations
 * are not stored: they depend only on the run and the model's normal profile and are computed when
 * asked (Prediction.explanation, `wfad report`); building and writing them cost more than scoring.
 */
export function predictionRows(preds: readonly RunPrediction[], jobNames: ReadonlyMap<string, readonly string[]>): PredictionRow[] {
  const rows: PredictionRow[] = [];
  for (const p of preds) {
    if (p.level === 'graph') {
      const v = p.verdicts[0];
      if (v) rows.push({ targetId: p.runId, predicted: v.predicted, score: v.score, probabilities: v.probabilities });
      continue;
    }
    const names = jobNames.get(p.runId) ?? [];
    // Job ids are "<run id>/<job name>" (cypher/001_constraints.cypher).
    p.verdicts.forEach((v, j) => rows.push({ targetId: `${p.runId}/${names[j] as string}`, predicted: v.predicted, score: v.score, probabilities: v.probabilities }));
  }
  return rows;
}

/** Jobs a read page aims at: large enough for few queries, small enough to pipeline and to hold. */
export const PAGE_JOBS = 25_000;

/**
 * Runs per page for runs of `meanJobs` jobs on average: PAGE_JOBS jobs' worth, 10 to 1,000 runs.
 * A fixed 1,000 runs read ~2 M jobs at once on 2,000-job DAGs: one query, nothing to overlap it
 * with, and the whole page in memory.
 */
export function runsPerPage(meanJobs: number): number {
  if (!(meanJobs > 0)) return 1000;
  return Math.max(10, Math.min(1000, Math.round(PAGE_JOBS / meanJobs)));
}

/**
 * `it` with its first value asked for now, so that producing it overlaps what the caller does
 * before iterating; iterated once.
 */
function begun<T>(it: AsyncGenerator<T>): AsyncIterable<T> & { return(): Promise<unknown> } {
  const first = it.next();
  first.catch(() => undefined); // seen by the iteration; not unhandled when it never comes
  let started = false;
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => (started ? it.next() : ((started = true), first)),
      return: (value?: unknown) => it.return(value as never),
    }),
    return: () => it.return(undefined as never),
  };
}

export async function scoreRuns(graph: Graph, predictor: Predictor, opts: ScoreOptions = {}): Promise<ScoreSummary> {
  const t0 = performance.now();
  // Only the workflows the model covers are read; the runs of the others are counted and named.
  const covered = predictor.coveredWorkflows;
  const asked = opts.workflows ?? null;
  const outside = covered && (asked === null || asked.some((w) => !covered.includes(w))) ? runsOutside(graph, asked, covered) : Promise.resolve([]);
  outside.catch(() => undefined); // awaited below
  opts = covered ? { ...opts, workflows: (asked ?? covered).filter((w) => covered.includes(w)) } : opts;
  const q: RunQuery = opts.workflows ? { workflows: opts.workflows } : {};
  // Reading starts as soon as the page size is known: the run ids are listed and the first pages
  // read while the model is registered.
  const size = opts.pageSize !== undefined ? Promise.resolve(opts.pageSize) : meanJobCount(graph, opts.workflows ?? null).then(runsPerPage);
  const reading = size.then((n) => begun(readRunPages(graph, q, n, opts.readAhead ?? 2)));
  reading.catch(() => undefined); // awaited below, after the set-up
  // Runs stored without a job table are read job by job; giving them one now makes this and every
  // later pass read one node per run (pages read meanwhile read them job by job: the same values).
  // The set-up steps are independent: they wait on Neo4j together.
  const card = predictor.card;
  const setup = Promise.all([
    backfillJobTables(graph, opts.workflows ? { workflows: opts.workflows } : {}),
    registerModel(
      graph,
      {
        id: predictor.modelId,
        name: predictor.name,
        version: predictor.version,
        workflow: predictor.workflow,
        level: predictor.level,
        task: predictor.task,
        classes: [...predictor.classes],
        metrics: JSON.stringify(card?.metrics ?? {}),
        path: path.resolve(predictor.dir),
      },
      opts.activate ?? false,
    ).then(async (r) => ({ ...r, create: await createsPredictions(graph, predictor.modelId) })),
  ]);
  let jobTablesWritten: number;
  let registered: { active: boolean; create: boolean };
  try {
    [jobTablesWritten, registered] = await setup;
  } catch (err) {
    // Stop the reads begun: their outcome no longer matters.
    await reading.then((pages) => pages.return(), () => undefined).catch(() => undefined);
    throw err;
  }
  const { active, create } = registered;
  const pages = await reading;
  const writeBatch = opts.writeBatch ?? (predictor.level === 'graph' ? 1000 : 5000);
  const scoredAt = new Date().toISOString();
  // A first pass of this model CREATEs its predictions (no MERGE lookup per id).
  const mode = { create };
  const predicted: Record<string, number> = Object.fromEntries(predictor.classes.map((c) => [c, 0]));
  const timings = { readWaitSeconds: 0, inferenceSeconds: 0, writeSeconds: 0 };
  const calls0 = predictor.stats.calls;
  let runs = 0;
  let written = 0;
  let rowsSent = 0;
  let failure: { err: unknown } | null = null;
  const inFlight = new Set<Promise<void>>();
  const write = (rows: PredictionRow[]): void => {
    const w0 = performance.now();
    rowsSent += rows.length;
    const p: Promise<void> = writePredictions(graph, predictor.modelId, predictor.level, rows, scoredAt, mode)
      .then(
        (n) => {
          written += n;
          timings.writeSeconds += (performance.now() - w0) / 1000;
        },
        (err: unknown) => void (failure ??= { err }),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  const pending: PredictionRow[] = [];
  const send = async (rows: PredictionRow[]): Promise<void> => {
    // At most two writes in flight: back-pressure on reading and scoring.
    while (inFlight.size >= 2) await Promise.race(inFlight);
    if (failure) throw (failure as { err: unknown }).err;
    write(rows);
  };

  let r0 = performance.now();
  for await (const page of pages) {
    timings.readWaitSeconds += (performance.now() - r0) / 1000;
    const i0 = performance.now();
    const preds = await predictor.predict(page.map(toPredictInput), { explain: false });
    timings.inferenceSeconds += (performance.now() - i0) / 1000;
    const rows = predictionRows(preds, new Map(page.map((r) => [r.id, r.jobNames])));
    for (const row of rows) predicted[row.predicted] = (predicted[row.predicted] ?? 0) + 1;
    // Rows go out in batches of up to writeBatch, and sooner while no write is running: the write
    // stream starts with the first pages instead of after writeBatch rows, and the pass ends with
    // one small write behind the last page instead of a full batch. While a write runs, rows wait
    // (on large DAGs a page is a dozen runs: a transaction per page cost more than the reads).
    for (const row of rows) pending.push(row);
    while (pending.length >= writeBatch) await send(pending.splice(0, writeBatch));
    if (pending.length && inFlight.size === 0) await send(pending.splice(0));
    runs += page.length;
    opts.onProgress?.(runs);
    r0 = performance.now();
  }
  if (pending.length) await send(pending);
  await Promise.all([...inFlight]);
  if (failure) throw (failure as { err: unknown }).err;
  const seconds = (performance.now() - t0) / 1000;
  const notCovered = (await outside).map((o) => ({ ...o, reason: predictor.notCovering(o.workflow) ?? '' }));
  return {
    model: predictor.modelId,
    notCovered,
    level: predictor.level,
    provider: predictor.provider,
    runs,
    predictions: written,
    missing: rowsSent - written,
    predicted,
    active,
    seconds,
    runsPerSecond: seconds > 0 ? runs / seconds : 0,
    sessionRuns: predictor.stats.calls - calls0,
    jobTablesWritten,
    timings,
  };
}
