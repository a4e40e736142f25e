/**
 * scoreRuns: the selected runs are read, predicted (one session.run per chunk) and their
 * predictions stored through graph/predictions.ts (the shared contract, as `wfad score` writes
 * them), chunk by chunk so memory stays flat whatever the selection.
 */
import type { Graph } from '../graph/driver';
import { writePredictions } from '../graph/predictions';
import { readRuns } from '../graph/read-runs';
import { toPredictInput } from '../inference';
import { predictionRows } from '../score/score-runs';
import type { ModelRuntime } from './inference';
import type { ModelRecord } from './store/models';

export interface ScoreSummary {
  runsScored: number;
  jobsScored: number;
  /** Runs of workflows the model does not score (Predictor.notCovering), per workflow. */
  notScored: Array<{ workflow: string; runs: number; reason: string }>;
  seconds: number;
}

export async function scoreAndStore(graph: Graph, runtime: ModelRuntime, model: ModelRecord, runIds: readonly string[], chunk = 256): Promise<ScoreSummary> {
  const t0 = performance.now();
  const { predictor } = await runtime.predictor(model);
  const scoredAt = new Date().toISOString();
  let runsScored = 0;
  let jobsScored = 0;
  const notScored = new Map<string, { workflow: string; runs: number; reason: string }>();
  for (let i = 0; i < runIds.length; i += chunk) {
    const recs = (await readRuns(graph, { runIds: runIds.slice(i, i + chunk) }, chunk + 1)).filter((r) => {
      const reason = predictor.notCovering(r.workflow);
      if (reason === null) return true;
      const n = notScored.get(r.workflow) ?? { workflow: r.workflow, runs: 0, reason };
      n.runs++;
      notScored.set(r.workflow, n);
      return false;
    });
    if (recs.length === 0) continue;
    const preds = await predictor.predict(recs.map(toPredictInput), { explain: false });
    const rows = predictionRows(preds, new Map(recs.map((r) => [r.id, r.jobNames])));
    const written = await writePredictions(graph, model.id, model.level, rows, scoredAt);
    if (model.level === 'graph') runsScored += written;
    else {
      jobsScored += written;
      runsScored += recs.length;
    }
  }
  return { runsScored, jobsScored, notScored: [...notScored.values()], seconds: Number(((performance.now() - t0) / 1000).toFixed(3)) };
}
