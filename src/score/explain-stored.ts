/**
 * The explanation of a stored prediction, computed when asked: predictions are stored without one
 * (it depends only on the run and the model's normal profile, models/explain.ts), so a reader that
 * wants it (`wfad report`) computes it from the run's jobs and the registered model's profile.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Graph } from '../graph/driver';
import { modelPath } from '../graph/predictions';
import { readRuns } from '../graph/read-runs';
import { toPredictInput } from '../inference/predictor';
import { explainRun, type JobContribution } from '../models/explain';
import { ONNX_FILE, readOnnxMeta } from '../onnx/model-file';

/**
 * Run `runId` explained by the normal profile of registered model `modelId`; null when the model
 * has no profile, its files are gone (`reason` says which), or the run is not stored.
 */
export async function explainStored(graph: Graph, modelId: string, runId: string): Promise<{ explanation: JobContribution[] | null; reason: string | null }> {
  const dir = await modelPath(graph, modelId);
  const file = dir ? path.join(dir, ONNX_FILE) : null;
  if (!file || !fs.existsSync(file)) return { explanation: null, reason: `the files of model ${modelId} are not at ${dir ?? 'its registered path'}` };
  const profile = readOnnxMeta(fs.readFileSync(file), file).profile;
  if (!profile) return { explanation: null, reason: `model ${modelId} has no normal profile` };
  const [run] = await readRuns(graph, { runIds: [runId] });
  if (!run) return { explanation: null, reason: `run ${runId} is not stored` };
  return { explanation: explainRun(profile, toPredictInput(run)), reason: null };
}
