/**
 * Stored predictions (shared contract): (:Run|:Job)-[:HAS_PREDICTION]->(:Prediction {id:
 * "<run or job id>|<model id>", modelId, level, predicted, score, probabilities, scoredAt})
 * -[:BY_MODEL]->(:Model). Reads by id (unique constraint index); writes are graph/predictions.ts.
 */
import type { Graph } from '../../graph/driver';
import type { JobContribution } from '../../models/explain';
import { RUN_FIELDS, toRun, type RunRow } from './runs';

export interface PredictionRecord {
  /** Run id (graph level) or job id (node level). */
  subjectId: string;
  modelId: string;
  level: 'graph' | 'node';
  predicted: string;
  /** 1 - P(normal). */
  score: number;
  /** In the model's class order. */
  probabilities: number[];
  /** ISO time it was stored; null for a live (not stored) prediction. */
  scoredAt: string | null;
  /** Jobs ranked by deviation from normal (null: the model has no normal profile, or stored before explanations). */
  explanation: JobContribution[] | null;
}

/** A stored explanation back from its JSON (a malformed one reads as none rather than failing the query). */
function parseExplanation(v: unknown): JobContribution[] | null {
  if (typeof v !== 'string') return null;
  try {
    const parsed = JSON.parse(v) as unknown;
    return Array.isArray(parsed) ? (parsed as JobContribution[]) : null;
  } catch {
    return null;
  }
}

export const predictionId = (subjectId: string, modelId: string): string => `${subjectId}|${modelId}`;

/** Prediction node `v` as one map, null when `v` is (a projection: only these properties cross the wire). */
export const predictionFields = (v: string): string =>
  `CASE WHEN ${v} IS NULL THEN null ELSE ${v}{.modelId, .level, .predicted, .score, .probabilities, .explanation, scoredAt: toString(${v}.scoredAt)} END`;

/** A projected Prediction map as a record of `id`. */
export function toPrediction(id: string, o: Record<string, unknown>): PredictionRecord {
  return {
    subjectId: id.slice(0, id.lastIndexOf('|')),
    modelId: o.modelId as string,
    level: o.level as 'graph' | 'node',
    predicted: o.predicted as string,
    score: o.score as number,
    probabilities: o.probabilities as number[],
    scoredAt: (o.scoredAt as string | null | undefined) ?? null,
    explanation: parseExplanation(o.explanation),
  };
}

/** Stored predictions by id; absent ids are absent from the map. */
export async function readPredictions(graph: Graph, ids: readonly string[]): Promise<Map<string, PredictionRecord>> {
  const res = await graph.query(`UNWIND $ids AS id MATCH (p:Prediction {id: id}) RETURN id, ${predictionFields('p')} AS p`, { ids });
  const out = new Map<string, PredictionRecord>();
  for (const r of res.records) {
    const id = r.get('id') as string;
    out.set(id, toPrediction(id, r.get('p') as Record<string, unknown>));
  }
  return out;
}

export interface RunWithPrediction {
  run: RunRow | null;
  prediction: PredictionRecord | null;
}

/**
 * Runs and one stored prediction of each, in one query (by prediction id; a run that does not
 * exist comes back as { run: null, prediction: null }).
 */
export async function readRunsWithPredictions(graph: Graph, keys: ReadonlyArray<{ runId: string; predictionId: string }>): Promise<Map<string, RunWithPrediction>> {
  const res = await graph.query(
    `UNWIND $keys AS k
     MATCH (r:Run {id: k.run})
     OPTIONAL MATCH (p:Prediction {id: k.pid})
     RETURN k.pid AS pid, ${RUN_FIELDS}, ${predictionFields('p')} AS p`,
    { keys: keys.map((k) => ({ run: k.runId, pid: k.predictionId })) },
  );
  const out = new Map<string, RunWithPrediction>();
  for (const r of res.records) {
    const pid = r.get('pid') as string;
    const p = r.get('p') as Record<string, unknown> | null;
    out.set(pid, { run: toRun(r.get('run') as Record<string, unknown>), prediction: p ? toPrediction(pid, p) : null });
  }
  return out;
}
