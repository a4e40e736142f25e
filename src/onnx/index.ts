/**
 * ONNX export of the GCN detectors, written in TypeScript (onnx-proto; see builder.ts for why).
 *
 *   gcnToOnnx(model, info): Uint8Array     a GcnModel + metadata → ONNX bytes (opset 17, IR 8)
 *   exportModelDir(dir)                     <dir>/model.json + weights.bin → <dir>/model.onnx
 *   readOnnxMeta(bytes)                     metadata_props back: name, version, workflow, level,
 *                                           task, classes, feature names, scaler, model config
 *
 * Graph: inputs x float32 [N, F] (scaled), edge_index int64 [2, E], batch int64 [N] (graph level);
 * outputs logits and probabilities float32 [B, C] (graph level) or [N, C] (job level).
 */
export { gcnToOnnx, inputFeatureNames, META, type OnnxModelInfo } from './gcn-onnx';
export { exportModelDir, onnxOfCard, readOnnxMeta, ONNX_FILE, PROFILE_META, type OnnxModelMeta } from './model-file';
export { normalOnlyToOnnx, NORMAL_ONLY_META } from './normal-only-onnx';
export { IR_VERSION, OPSET } from './builder';
