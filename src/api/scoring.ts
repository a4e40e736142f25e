/**
 * Scoring runs with a model and storing the predictions (shared contract): runs are read, predicted
 * and written in chunks, so memory stays flat whatever the selection.
 */
import { toSample } from '../features/dataset';
import type { Graph } from '../graph/driver';
import { readRuns } from '../graph/read-runs';
import type { ModelRuntime } from './inference';
import { verdict } from './loaders';
import type { ModelRecord } from './store/models';
import { writePredictions } from './store/predictions';

export interface ScoreSummary {
  runsScored: number;
  jobsScored: number;
  seconds: number;
}

export async function scoreAndStore(graph: Graph, runtime: ModelRuntime, model: ModelRecord, runIds: readonly string[], chunk = 256): Promise<ScoreSummary> {
  const t0 = performance.now();
  const predictor = await runtime.predictor(model);
  const C = model.classes.length;
  let runsScored = 0;
  let jobsScored = 0;
  for (let i = 0; i < runIds.length; i += chunk) {
    const recs = await readRuns(graph, { runIds: runIds.slice(i, i + chunk) }, chunk + 1);
    if (recs.length === 0) continue;
    const probs = await predictor.predict(recs.map(toSample));
    if (model.level === 'graph') {
      runsScored += await writePredictions(graph, model.id, 'graph', recs.map((r, k) => ({ subjectId: r.id, ...verdict(model, probs[k] as Float32Array) })));
    } else {
      const rows = recs.flatMap((r, k) => r.jobNames.map((n, j) => ({ subjectId: `${r.id}/${n}`, ...verdict(model, (probs[k] as Float32Array).subarray(j * C, (j + 1) * C)) })));
      jobsScored += await writePredictions(graph, model.id, 'node', rows);
      runsScored += recs.length;
    }
  }
  return { runsScored, jobsScored, seconds: Number(((performance.now() - t0) / 1000).toFixed(3)) };
}
