/**
 * Stored predictions (shared contract): (:Run|:Job)-[:HAS_PREDICTION]->(:Prediction {id:
 * "<run or job id>|<model id>", modelId, level, predicted, score, probabilities, scoredAt})
 * -[:BY_MODEL]->(:Model). Reads by id (unique constraint index); writes MERGE on id, so re-scoring
 * with the same model replaces and never duplicates.
 */
import type { Graph } from '../../graph/driver';

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
}

export const predictionId = (subjectId: string, modelId: string): string => `${subjectId}|${modelId}`;

/** Stored predictions by id; absent ids are absent from the map. */
export async function readPredictions(graph: Graph, ids: readonly string[]): Promise<Map<string, PredictionRecord>> {
  const res = await graph.read((tx) =>
    tx.run(
      `UNWIND $ids AS id
       MATCH (p:Prediction {id: id})
       RETURN id, p.modelId AS modelId, p.level AS level, p.predicted AS predicted, p.score AS score,
              p.probabilities AS probabilities, toString(p.scoredAt) AS scoredAt`,
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
    });
  }
  return out;
}

const WRITE_RUNS = `
UNWIND $rows AS row
MATCH (m:Model {id: $modelId})
MATCH (s:Run {id: row.subjectId})
MERGE (p:Prediction {id: row.subjectId + '|' + $modelId})
SET p.modelId = $modelId, p.level = 'graph', p.predicted = row.predicted, p.score = row.score,
    p.probabilities = row.probabilities, p.scoredAt = datetime()
MERGE (s)-[:HAS_PREDICTION]->(p)
MERGE (p)-[:BY_MODEL]->(m)
RETURN count(p) AS n`;

const WRITE_JOBS = WRITE_RUNS.replace('(s:Run {id: row.subjectId})', '(s:Job {id: row.subjectId})').replace("p.level = 'graph'", "p.level = 'node'");

/** Stores predictions of one model in one transaction; returns how many were written. */
export async function writePredictions(graph: Graph, modelId: string, level: 'graph' | 'node', rows: ReadonlyArray<Omit<PredictionRecord, 'scoredAt' | 'modelId' | 'level'>>): Promise<number> {
  if (rows.length === 0) return 0;
  const res = await graph.write((tx) =>
    tx.run(level === 'graph' ? WRITE_RUNS : WRITE_JOBS, {
      modelId,
      rows: rows.map((r) => ({ subjectId: r.subjectId, predicted: r.predicted, score: r.score, probabilities: r.probabilities })),
    }),
  );
  return (res.records[0]?.get('n') as number | undefined) ?? 0;
}
