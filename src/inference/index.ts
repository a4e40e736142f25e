/**
 * Inference with the exported ONNX models (onnxruntime-node). The stable interface:
 *
 *   const predictor = await Predictor.load('models/ALL-graph-binary', { provider: 'auto' });
 *   predictor.provider            // 'cpu' | 'cuda' (what 'auto' resolved to; said once on stderr)
 *   predictor.modelId             // "<name>@<version>";  .name .version .level .task .classes .workflow
 *   predictor.meta / .card        // ONNX metadata (scaler, features, config) / model.json (metrics)
 *   await predictor.predict(inputs)   // PredictInput[] → RunPrediction[], ONE session.run
 *   await predictor.predict(inputs, { explain: false })   // verdicts only (what scoring stores)
 *   predictor.explainInputs(inputs)   // explanations alone, no session.run (computed when asked)
 *   predictor.stats               // { calls, graphs, nodes, runSeconds }: session.run calls so far
 *
 *   const batcher = new InferenceBatcher(predictor, { maxBatch: 256, maxWaitMs: 2 });
 *   await batcher.predict(input)  // concurrent calls share one session.run
 *   batcher.stats                 // { requests, calls, graphs, largestBatch, pending }
 *
 * Inputs: a GraphSample (features/dataset.ts) or toPredictInput(runRecord) (graph/read-runs.ts):
 * raw job features [n, F_raw] in template order and edge_index [2, e]. Scaling is applied here,
 * from the model's metadata (never inside the ONNX graph). Output per run:
 *   { runId, workflow, modelId, level, verdicts: [{ classIndex, predicted, score, probabilities }], explanation }
 * with one verdict (graph level) or one per job in template order (job level); score = 1 − P(normal).
 *
 * Providers (config.ts inferenceConfig, env WFAD_ONNX_PROVIDER): 'auto' | 'cpu' | 'cuda'; 'cuda'
 * when unavailable throws ProviderUnavailableError (code PROVIDER_UNAVAILABLE). Errors are
 * WfadError: MODEL_MISSING (no model.onnx), BAD_MODEL (an invalid one), BAD_INPUT (a run's shape).
 */
export { InferenceBatcher, type BatcherOptions, type BatcherStats } from './batcher';
export { Predictor, toPredictInput, type EncodedBatch, type PredictInput, type PredictOptions, type PredictorOptions, type PredictorStats, type RunPrediction, type Verdict } from './predictor';
export { cudaMissingReason, type Provider } from './provider';
export { ProviderUnavailableError } from '../errors';
export type { ProviderSetting } from '../config';
