/**
 * Stored predictions (shared contract): (:Run|:Job)-[:HAS_PREDICTION]->(:Prediction {id:
 * "<run or job id>|<model id>", modelId, level, predicted, score, probabilities, scoredAt})
 * -[:BY_MODEL]->(:Model). Reads by id (unique constraint index); writes are graph/predictions.ts.
 */
import type { Graph } from '../../graph/driver';
import type { JobContribution } from '../../models/explain';

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

/** Stored predictions by id; absent ids are absent from the map. */
export async function readPredictions(graph: Graph, ids: readonly string[]): Promise<Map<string, PredictionRecord>> {
  const res = await graph.read((tx) =>
    tx.run(
      `UNWIND $ids AS id
       MATCH (p:Prediction {id: id})
       RETURN id, p.modelId AS modelId, p.level AS level, p.predicted AS predicted, p.score AS score,
              p.probabilities AS probabilities, toString(p.scoredAt) AS scoredAt, p.explanation AS explanation`,
      { ids },
    ),
  );
  const out = new Map<string, PredictionRecord>();
  for (const r of res.records) {
    const id = r.get('id') as string;
    out.set(id, {
      subjectId: id.slice(0, id.lastIndexOf('|')),
      modelId: r.get('modelId') as string,
      level: r.get('level') as 'graph' | 'node',
      predicted: r.get('predicted') as string,
      score: r.get('score') as number,
      probabilities: r.get('probabilities') as number[],
      scoredAt: r.get('scoredAt') as string | null,
      explanation: parseExplanation(r.get('explanation')),
    });
  }
  return out;
}
