/**
 * Scoring on arrival: newly stored runs get predictions from the active models that fit them, in
 * the same command (`wfad ingest`) or mutation (`ingestRun`) that stored them.
 *
 * A model fits a run when it was trained on the run's workflow, or is an ALL model whose training
 * covered that workflow (model.json `data.workflows`; a card written before that list was recorded
 * is taken to cover every workflow). A fitting model still refuses a run it has no input for: job
 * types without a one-hot column in the model (a model trained before sub-workflow jobs existed),
 * or features this version of wfad does not compute. Every run left without a prediction is
 * listed with the reason.
 */
import type { Graph } from '../graph/driver';
import { writePredictions } from '../graph/predictions';
import { JOB_FIELDS, readRuns, type RunRecord } from '../graph/read-runs';
import { FEATURE_NAMES } from '../features/job-features';
import { toPredictInput, type Predictor } from '../inference/predictor';
import { predictionRows } from './score-runs';

/** The models a caller offers: the active ones, and how to load one (the caller owns its lifetime). */
export interface ArrivalModels<M extends { id: string } = { id: string }> {
  active(): Promise<M[]>;
  load(model: M): Promise<Predictor>;
}

export interface ArrivalPrediction {
  model: string;
  level: 'graph' | 'node';
  /** Graph level: the run's class and score; job level: the most anomalous job's. */
  predicted: string;
  score: number;
}

export interface ArrivalSummary {
  /** Runs that got at least one prediction. */
  scored: number;
  /** Runs that got none, grouped by the reason. */
  notScored: Array<{ reason: string; runs: string[] }>;
  /** Per run id: what it got. */
  runs: Map<string, { predictions: ArrivalPrediction[]; reason: string | null }>;
}

const TYPE = JOB_FIELDS.indexOf('type');

/** Why `predictor` cannot score `run` (null: it can). */
export function unfit(predictor: Predictor, run: RunRecord): string | null {
  const p = predictor;
  const uncovered = p.notCovering(run.workflow);
  if (uncovered) return uncovered;
  const unknown = p.meta.featureNames.filter((f) => !FEATURE_NAMES.includes(f));
  if (unknown.length) return `${p.modelId} needs features this wfad does not compute: ${unknown.join(', ')}`;
  const types = new Map<string, number>();
  for (const j of run.jobs) {
    const t = String(j[TYPE]);
    if (!p.meta.featureNames.includes(`type_${t}`)) types.set(t, (types.get(t) ?? 0) + 1);
  }
  if (types.size) return `${p.modelId} has no input for job type ${[...types].map(([t, n]) => `${t} (${n} jobs)`).join(', ')}`;
  return null;
}

/**
 * Scores the given stored runs with every active model that fits them and writes the predictions
 * (the same Prediction nodes `wfad score` writes). Reads and scores `chunk` runs at a time.
 */
export async function scoreOnArrival<M extends { id: string }>(graph: Graph, runIds: readonly string[], models: ArrivalModels<M>, chunk = 256): Promise<ArrivalSummary> {
  const runs = new Map<string, { workflow: string | null; predictions: ArrivalPrediction[]; reasons: string[] }>(runIds.map((id) => [id, { workflow: null, predictions: [], reasons: [] }]));
  const active = runIds.length ? await models.active() : [];
  const predictors = await Promise.all(active.map((m) => models.load(m)));
  const scoredAt = new Date().toISOString();
  for (let i = 0; i < runIds.length; i += chunk) {
    const recs = await readRuns(graph, { runIds: runIds.slice(i, i + chunk) }, chunk + 1);
    for (const r of recs) (runs.get(r.id) ?? { workflow: '' }).workflow = r.workflow;
    for (const p of predictors) {
      const fit: RunRecord[] = [];
      for (const r of recs) {
        const why = unfit(p, r);
        if (why) runs.get(r.id)?.reasons.push(why);
        else fit.push(r);
      }
      if (fit.length === 0) continue;
      const preds = await p.predict(fit.map(toPredictInput), { explain: false });
      const rows = predictionRows(preds, new Map(fit.map((r) => [r.id, r.jobNames])));
      await writePredictions(graph, p.modelId, p.level, rows, scoredAt);
      for (const pred of preds) {
        const top = pred.verdicts.reduce((a, v) => (v.score > a.score ? v : a));
        runs.get(pred.runId)?.predictions.push({ model: p.modelId, level: p.level, predicted: top.predicted, score: top.score });
      }
    }
  }
  const out: ArrivalSummary = { scored: 0, notScored: [], runs: new Map() };
  const byReason = new Map<string, string[]>();
  for (const [id, r] of runs) {
    let reason: string | null = null;
    if (r.predictions.length) out.scored++;
    else {
      if (r.workflow === null) reason = 'not found in the database (deleted meanwhile)';
      else if (predictors.length === 0) reason = 'no active model (activate one: wfad score --model <model> --activate)';
      else reason = `no active model fits workflow ${r.workflow}: ${r.reasons.join('; ')}`;
      byReason.set(reason, [...(byReason.get(reason) ?? []), id]);
    }
    out.runs.set(id, { predictions: r.predictions, reason });
  }
  out.notScored = [...byReason].map(([reason, ids]) => ({ reason, runs: ids }));
  return out;
}
