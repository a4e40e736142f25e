/**
 * `wfad stats`, predictions beside truth: per workflow and per model that scored its runs, how many
 * runs the model put in each class, and how many of the workflow's runs it has not scored.
 * Run-level (graph) predictions only: a job-level model's verdicts are per job.
 */
import type { Graph } from './driver';
import type { Stats } from './stats';

export interface ModelCounts {
  model: string;
  active: boolean;
  task: string | null;
  /** Runs by predicted class. */
  predicted: Record<string, number>;
  /** Runs of the workflow this model has no stored prediction for. */
  unscored: number;
}

const COUNTS = `
MATCH (w:Workflow)-[:HAS_RUN]->(:Run)-[:HAS_PREDICTION]->(p:Prediction {level: 'graph'})-[:BY_MODEL]->(m:Model)
RETURN w.name AS workflow, m.id AS model, coalesce(m.active, false) AS active, m.task AS task, p.predicted AS predicted, count(*) AS runs
ORDER BY workflow, model, predicted`;

const RUNS = `MATCH (w:Workflow) RETURN w.name AS workflow, COUNT { (w)-[:HAS_RUN]->(:Run) } AS runs`;

/** Per workflow name, the models that scored its runs (active first, then by id). */
export async function predictionCounts(graph: Graph): Promise<Map<string, ModelCounts[]>> {
  return graph.read(async (tx) => {
    const totals = new Map<string, number>();
    for (const r of (await tx.run(RUNS)).records) totals.set(r.get('workflow') as string, r.get('runs') as number);
    const out = new Map<string, Map<string, ModelCounts>>();
    for (const r of (await tx.run(COUNTS)).records) {
      const wf = r.get('workflow') as string;
      const id = r.get('model') as string;
      const models = out.get(wf) ?? new Map<string, ModelCounts>();
      out.set(wf, models);
      const m = models.get(id) ?? { model: id, active: r.get('active') as boolean, task: (r.get('task') as string | null) ?? null, predicted: {}, unscored: 0 };
      models.set(id, m);
      m.predicted[r.get('predicted') as string] = r.get('runs') as number;
    }
    const result = new Map<string, ModelCounts[]>();
    for (const [wf, models] of out) {
      const list = [...models.values()].map((m) => ({ ...m, unscored: (totals.get(wf) ?? 0) - Object.values(m.predicted).reduce((a, b) => a + b, 0) }));
      result.set(wf, list.sort((a, b) => Number(b.active) - Number(a.active) || a.model.localeCompare(b.model)));
    }
    return result;
  });
}

/** The stats with `predictions` on each workflow ([] when no model scored its runs). */
export async function withPredictionCounts<S extends Stats>(graph: Graph, s: S): Promise<S & { workflows: Array<S['workflows'][number] & { predictions: ModelCounts[] }> }> {
  const counts = await predictionCounts(graph);
  return { ...s, workflows: s.workflows.map((w) => ({ ...w, predictions: counts.get(w.name) ?? [] })) };
}
