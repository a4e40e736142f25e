/**
 * Models and predictions in the graph (cypher/003_predictions.cypher, the shared contract):
 *
 *   (:Model {id: "<name>@<version>", name, version, workflow, level, task, classes, metrics, path,
 *            active, registeredAt})
 *   (:Run)-[:HAS_PREDICTION]->(:Prediction {id: "<run id>|<model id>", modelId, level: "graph",
 *            predicted, score, probabilities, scoredAt})-[:BY_MODEL]->(:Model)
 *   (:Job)-[:HAS_PREDICTION]->(:Prediction {id: "<job id>|<model id>", level: "node", …})
 *
 * No explanation is written: it depends only on the run and the model's normal profile, so it is
 * computed when asked (models/explain.ts). Predictions stored by earlier versions may still carry
 * one (`explanation`, JSON of JobContribution[]); readers use it when present, and a re-score
 * removes it.
 *
 * Predictions are MERGEd by id (re-scoring replaces, never duplicates), written in UNWIND batches
 * of positional rows, one write transaction per batch. A prediction and its two relationships are created in the same
 * transaction, so an existing prediction already has them: they are CREATEd only with a new node
 * (cheaper than MERGE-ing relationships on every re-score; measured ~1.5x on fresh writes).
 * A model with no prediction yet (no BY_MODEL relationship: a first scoring pass) has its
 * predictions CREATEd outright, without the MERGE's lookup and lock per id; should one exist after
 * all (two passes of one model at once), the id constraint rejects the batch and it is MERGEd.
 */
import type { ModelIdentity } from '../model-identity';
import { WfadError } from '../errors';
import type { Graph } from './driver';

export interface ModelRecord extends ModelIdentity {
  id: string;
  /** JSON of the model card's metrics. */
  metrics: string;
  path: string;
}

export interface PredictionRow {
  /** Run id (graph level) or job id (job level). */
  targetId: string;
  predicted: string;
  score: number;
  probabilities: number[];
}

export const predictionId = (targetId: string, modelId: string): string => `${targetId}|${modelId}`;

const REGISTER = `
MERGE (m:Model {id: $m.id})
ON CREATE SET m.registeredAt = datetime(), m.active = false
SET m.name = $m.name, m.version = $m.version, m.workflow = $m.workflow, m.level = $m.level,
    m.task = $m.task, m.classes = $m.classes, m.metrics = $m.metrics, m.path = $m.path
WITH m
OPTIONAL MATCH (o:Model {level: $m.level, task: $m.task, active: true}) WHERE o.id <> m.id
WITH m, collect(o) AS others
SET m.active = CASE WHEN $activate OR size(others) = 0 THEN true ELSE m.active END
FOREACH (o IN CASE WHEN $activate THEN others ELSE [] END | SET o.active = false)
RETURN m.active AS active`;

/**
 * Registers (or updates) a model. It becomes the active one of its (level, task) when `activate`
 * is set (the others are deactivated) or when none is active yet.
 */
export async function registerModel(graph: Graph, m: ModelRecord, activate = false): Promise<{ active: boolean }> {
  const res = await graph.write((tx) => tx.run(REGISTER, { m, activate }));
  return { active: res.records[0]?.get('active') === true };
}

/**
 * One batch of predictions onto their targets (runs or jobs), rows [targetId, predicted, score,
 * probabilities]. `merge`: MERGEd by id; the relationships are created only with a new prediction.
 * `create`: CREATEd outright, only for a model none of whose predictions exist (createsPredictions).
 * Labels cannot be Cypher parameters, so the fixed variants are built once from these templates
 * (no user input reaches the query text).
 */
function writeQueries(target: 'Run' | 'Job', level: 'graph' | 'node'): { merge: string; create: string } {
  const rowsOnTargets = `
MATCH (m:Model {id: $modelId})
WITH m, datetime($scoredAt) AS scoredAt
UNWIND $rows AS row
MATCH (t:${target} {id: row[0]})`;
  return {
    merge: `${rowsOnTargets}
MERGE (p:Prediction {id: row[0] + '|' + $modelId})
WITH m, scoredAt, t, p, row, p.modelId IS NULL AS created
SET p.modelId = $modelId, p.level = '${level}', p.predicted = row[1], p.score = row[2],
    p.probabilities = row[3], p.scoredAt = scoredAt
REMOVE p.explanation
FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END |
  CREATE (t)-[:HAS_PREDICTION]->(p)
  CREATE (p)-[:BY_MODEL]->(m))
RETURN count(p) AS written`,
    create: `${rowsOnTargets}
CREATE (t)-[:HAS_PREDICTION]->(p:Prediction {id: row[0] + '|' + $modelId, modelId: $modelId, level: '${level}',
  predicted: row[1], score: row[2], probabilities: row[3], scoredAt: scoredAt})-[:BY_MODEL]->(m)
RETURN count(p) AS written`,
  };
}
const WRITE = { graph: writeQueries('Run', 'graph'), node: writeQueries('Job', 'node') };

/** The model is registered and has no stored prediction: its predictions can be CREATEd (a degree count, no scan). */
export async function createsPredictions(graph: Graph, modelId: string): Promise<boolean> {
  const res = await graph.query('MATCH (m:Model {id: $modelId}) RETURN COUNT { (m)<-[:BY_MODEL]-() } AS n', { modelId });
  const n = res.records[0]?.get('n') as number | undefined;
  return n === 0;
}

const isConstraintFailure = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 'Neo.ClientError.Schema.ConstraintValidationFailed';

/**
 * A score or probability that is not a finite number (NaN, ±∞) is never stored: it would read back
 * as a verdict nobody can judge. Names the model and the run (or job) it came from.
 */
export function assertFinitePredictions(modelId: string, rows: readonly PredictionRow[]): void {
  for (const r of rows) {
    const bad = !Number.isFinite(r.score) ? `score ${r.score}` : r.probabilities.some((p) => !Number.isFinite(p)) ? `probabilities [${r.probabilities.join(', ')}]` : null;
    if (bad !== null) throw new WfadError('BAD_MODEL', `model ${modelId} gave ${r.targetId} a ${bad}: not stored; retrain the model with this version of wfad (wfad train), then score again`);
  }
}

/**
 * Writes one batch in one transaction; returns how many predictions it wrote (targets found).
 * `create`: the model had no prediction when the pass began (createsPredictions): CREATE them; a
 * batch that meets one already stored (a concurrent pass) is MERGEd instead, and so is every later
 * batch of a `create` object passed along (its `create` is turned off).
 */
export async function writePredictions(
  graph: Graph,
  modelId: string,
  level: 'graph' | 'node',
  rows: readonly PredictionRow[],
  scoredAt: string,
  mode: { create: boolean } = { create: false },
): Promise<number> {
  if (rows.length === 0) return 0;
  assertFinitePredictions(modelId, rows);
  // Rows go as [targetId, predicted, score, probabilities]: no key names repeated per row.
  const params = { modelId, rows: rows.map((r) => [r.targetId, r.predicted, r.score, r.probabilities]), scoredAt };
  let res;
  if (mode.create) {
    try {
      res = await graph.write((tx) => tx.run(WRITE[level].create, params));
    } catch (err) {
      if (!isConstraintFailure(err)) throw err;
      mode.create = false;
    }
  }
  res ??= await graph.write((tx) => tx.run(WRITE[level].merge, params));
  return (res.records[0]?.get('written') as number | undefined) ?? 0;
}

const FIND_MODEL = `MATCH (m:Model {id: $id}) RETURN m.path AS path`;

/** The stored path of a registered model id, or null. */
export async function modelPath(graph: Graph, id: string): Promise<string | null> {
  const res = await graph.query(FIND_MODEL, { id });
  return (res.records[0]?.get('path') as string | undefined) ?? null;
}

/** Ids of every registered model ("<name>@<version>"), sorted. */
export async function registeredModelIds(graph: Graph): Promise<string[]> {
  const res = await graph.query('MATCH (m:Model) RETURN m.id AS id ORDER BY id');
  return res.records.map((r) => r.get('id') as string);
}

const ACTIVE_MODELS = `MATCH (m:Model {active: true}) RETURN m.id AS id, m.level AS level, m.path AS path ORDER BY m.level, m.task DESC, m.id`;

/** The active models (at most one per level and task): id, level and the folder they load from. */
export async function activeModels(graph: Graph): Promise<Array<{ id: string; level: 'graph' | 'node'; path: string }>> {
  const res = await graph.query(ACTIVE_MODELS);
  return res.records.map((r) => ({ id: r.get('id') as string, level: r.get('level') as 'graph' | 'node', path: r.get('path') as string }));
}
