/**
 * A trained GcnModel (src/models/gcn.ts) as one standard ONNX graph, opset 17:
 *
 *   inputs   x: float32 [N, F] (already scaled, see metadata `scaler`), edge_index: int64 [2, E],
 *            batch: int64 [N] (graph level only; graph of each node, graphs numbered 0..B-1)
 *   outputs  logits, probabilities: float32 [B, C] (graph level) or [N, C] (job level)
 *
 * N, E and B are dynamic: a batch is a disjoint union of any number of runs of any workflows.
 * Â is built inside the graph from edge_index, exactly as src/nn/gcn-norm.ts does it:
 *
 *   direction picks the message edges (from → to):  forward src → dst, reverse dst → src, both
 *   input self-loops get weight 0 (gcn-norm drops them), each node gets one weight-1 self-loop
 *   deg_i = 1 + Σ_{e: to_e = i} keep_e          ScatterElements(reduction = add) on ones [N]
 *   w_e = keep_e · deg_from^-1/2 · deg_to^-1/2,   self weight_i = 1 / deg_i
 *   (Â H)_i = H_i / deg_i + Σ_{e: to_e = i} w_e H_from_e      Gather + ScatterND(reduction = add)
 *
 * then the two GCN layers, skip concat, mean pool (ScatterND add of rows / counts, an empty graph
 * pools to 0 as in nn/pool.ts) and the MLP head. B = max(batch) + 1.
 */
import { onnx } from 'onnx-proto';
import type { ModelConfig } from '../models/gcn';
import { GcnModel } from '../models/gcn';
import type { ScalerState } from '../features/scaler';
import { logIndices } from '../features/scaler';
import type { NormalProfile } from '../models/normal-profile';
import { GraphBuilder, OPSET } from './builder';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** Everything inference needs besides the weights; stored in the ONNX `metadata_props`. */
export interface OnnxModelInfo {
  name: string;
  version: string;
  workflow: string;
  task: 'binary' | 'multiclass';
  classes: readonly string[];
  /** Raw job feature names (src/features/job-features.ts), before scaling. */
  features: readonly string[];
  scaler: ScalerState;
  /** The normal profile explanations use (stored as metadata "normal_profile" when given). */
  profile?: NormalProfile;
}

/** Metadata keys (values are strings; JSON where noted). */
export const META = {
  name: 'name',
  version: 'version',
  workflow: 'workflow',
  level: 'level',
  task: 'task',
  /** JSON string[]: class order of the outputs' columns. */
  classes: 'classes',
  /** JSON string[]: raw job features, in column order of the raw matrix. */
  featureNames: 'feature_names',
  /** JSON string[]: the F columns of input x (raw features scaled, then the relative features). */
  inputFeatures: 'input_features',
  /** JSON ScalerState: the caller scales x with it (src/features/scaler.ts applyScaler). */
  scaler: 'scaler',
  /** JSON ModelConfig: level, arch, direction, widths. */
  modelConfig: 'model_config',
  scaling: 'scaling',
} as const;

/** Column names of the scaled input: raw features, then `<name>_rel` for each log feature. */
export function inputFeatureNames(s: ScalerState): string[] {
  return [...s.features, ...logIndices(s.kinds).map((j) => `${s.features[j] as string}_rel`)];
}

export function gcnToOnnx(model: GcnModel, info: OnnxModelInfo): Uint8Array {
  const cfg: ModelConfig = model.config;
  const F = cfg.inFeatures;
  const H = cfg.hidden;
  const C = cfg.numClasses;
  if (info.classes.length !== C) throw new Error(`gcnToOnnx: ${info.classes.length} classes for a model with ${C} outputs`);
  if (inputFeatureNames(info.scaler).length !== F) throw new Error(`gcnToOnnx: the scaler gives ${inputFeatureNames(info.scaler).length} features, the model takes ${F}`);
  const g = new GraphBuilder();
  g.reserve('x', 'edge_index', 'batch', 'logits', 'probabilities');
  const w = (p: Parameters<GcnModel['p']>[0]): string => {
    const t = model.p(p);
    // Biases are [1, F] in the trainer; Gemm takes C: [F].
    return g.weight(p, t.rows === 1 ? [t.cols] : [t.rows, t.cols], t.data);
  };

  // --- Â from edge_index ---------------------------------------------------------------------
  const src0 = g.op1('Gather', ['edge_index', g.int64([0], true)], { axis: 0 }, 'src_all'); // [E]
  const dst0 = g.op1('Gather', ['edge_index', g.int64([1], true)], { axis: 0 }, 'dst_all'); // [E]
  // gcn-norm drops input self-loops (each node gets exactly one below).
  const keep = g.op1('Not', [g.op1('Equal', [src0, dst0], {}, 'is_self_loop')], {}, 'keep');
  const src = g.op1('Compress', [src0, keep], { axis: 0 }, 'src');
  const dst = g.op1('Compress', [dst0, keep], { axis: 0 }, 'dst');
  let from: string;
  let to: string;
  if (cfg.direction === 'forward') [from, to] = [src, dst];
  else if (cfg.direction === 'reverse') [from, to] = [dst, src];
  else {
    from = g.op1('Concat', [src, dst], { axis: 0 }, 'from');
    to = g.op1('Concat', [dst, src], { axis: 0 }, 'to');
  }
  const nShape = g.op1('Gather', [g.op1('Shape', ['x']), g.int64([0])], { axis: 0 }, 'n_shape'); // [1] = [N]
  const onesN = g.op1('ConstantOfShape', [nShape], { value: { tensor: { dims: [1], dataType: FLOAT, floatData: [1] } } }, 'ones_n');
  const onesE = g.op1('ConstantOfShape', [g.op1('Shape', [to])], { value: { tensor: { dims: [1], dataType: FLOAT, floatData: [1] } } }, 'ones_e');
  const deg = g.op1('ScatterElements', [onesN, to, onesE], { axis: 0, reduction: 'add' }, 'deg'); // [N], self-loop included
  const disCol = g.op1('Unsqueeze', [g.op1('Reciprocal', [g.op1('Sqrt', [deg])], {}, 'deg_inv_sqrt'), g.int64([1])], {}, 'deg_inv_sqrt_col'); // [N, 1]
  const toIdx = g.op1('Unsqueeze', [to, g.int64([1])], {}, 'to_idx'); // [E', 1]
  /**
   * Â h = D^-1/2 (A + I) D^-1/2 h for h: [N, k], as s = D^-1/2 h;  D^-1/2 (s + Σ_{e: to_e = i} s_from_e):
   * the edge weights are never materialised, so no [E, k] multiply.
   */
  const propagate = (h: string, tag: string): string => {
    const hs = g.op1('Mul', [h, disCol], {}, `${tag}_scaled`);
    const agg = g.op1('ScatterND', [hs, toIdx, g.op1('Gather', [hs, from], { axis: 0 }, `${tag}_src_rows`)], { reduction: 'add' }, `${tag}_agg`);
    return g.op1('Mul', [agg, disCol], {}, `${tag}_prop`);
  };
  /** ReLU(Â h W + b), propagating on the narrower side (Â (h W) = (Â h) W). */
  const conv = (h: string, fin: number, wName: string, bName: string, tag: string): string => {
    const z = fin < H ? g.op1('Gemm', [propagate(h, tag), wName, bName], {}, `${tag}_z`) : g.op1('Add', [propagate(g.op1('MatMul', [h, wName], {}, `${tag}_hw`), tag), bName], {}, `${tag}_z`);
    return g.op1('Relu', [z], {}, tag);
  };

  // --- layers --------------------------------------------------------------------------------
  const h1 = conv('x', F, w('conv1.weight'), w('conv1.bias'), 'h1'); // [N, H]
  const h2 = conv(h1, H, w('conv2.weight'), w('conv2.bias'), 'h2'); // [N, H]
  // The skip concat Z = H1 ‖ H2 is never built at [N, 2H]: pooling is per column, so
  // pool(Z) = pool(H1) ‖ pool(H2) ([B, 2H], small); at job level Z W3 = H1 W3[:H] + H2 W3[H:].
  const parts = cfg.arch === 'skip' ? [h1, h2] : [h2];
  let hidden: string;
  if (cfg.level === 'graph') {
    const bShape = g.op1('Add', [g.op1('ReduceMax', ['batch'], { keepdims: 1 }), g.int64([1])], {}, 'b_shape'); // [1] = [B]
    const zeros = g.op1('ConstantOfShape', [g.op1('Concat', [bShape, g.int64([H])], { axis: 0 })], { value: { tensor: { dims: [1], dataType: FLOAT, floatData: [0] } } }, 'zeros_bh');
    const batchIdx = g.op1('Unsqueeze', ['batch', g.int64([1])], {}, 'batch_idx'); // [N, 1]
    const zerosB = g.op1('ConstantOfShape', [bShape], { value: { tensor: { dims: [1], dataType: FLOAT, floatData: [0] } } }, 'zeros_b');
    const counts = g.op1('ScatterElements', [zerosB, 'batch', onesN], { axis: 0, reduction: 'add' }, 'counts'); // [B]
    // An empty graph (count 0) pools to 0, as in nn/pool.ts.
    const inv = g.op1('Unsqueeze', [g.op1('Reciprocal', [g.op1('Max', [counts, g.float([1], true)])]), g.int64([1])], {}, 'inv_count'); // [B, 1]
    const pooled = parts.map((h, k) => g.op1('Mul', [g.op1('ScatterND', [zeros, batchIdx, h], { reduction: 'add' }, `pool_sum${k + 1}`), inv], {}, `pool${k + 1}`)); // [B, H] each
    const g0 = pooled.length > 1 ? g.op1('Concat', pooled, { axis: 1 }, 'pooled') : (pooled[0] as string); // [B, d]
    hidden = g.op1('Relu', [g.op1('Gemm', [g0, w('mlp1.weight'), w('mlp1.bias')])], {}, 'mlp_hidden');
  } else if (parts.length > 1) {
    const w3 = model.p('mlp1.weight');
    const top = g.weight('mlp1.weight_h1', [H, H], w3.data.subarray(0, H * H));
    const bottom = g.weight('mlp1.weight_h2', [H, H], w3.data.subarray(H * H, 2 * H * H));
    const z = g.op1('Add', [g.op1('MatMul', [h1, top]), g.op1('Gemm', [h2, bottom, w('mlp1.bias')])], {}, 'mlp_z');
    hidden = g.op1('Relu', [z], {}, 'mlp_hidden');
  } else {
    hidden = g.op1('Relu', [g.op1('Gemm', [h2, w('mlp1.weight'), w('mlp1.bias')])], {}, 'mlp_hidden');
  }
  g.named('Gemm', [hidden, w('mlp2.weight'), w('mlp2.bias')], 'logits');
  g.named('Softmax', ['logits'], 'probabilities', { axis: -1 });
  const rows = cfg.level === 'graph' ? 'B' : 'N';

  const inputs = [
    { name: 'x', type: FLOAT, dims: ['N', F] },
    { name: 'edge_index', type: INT64, dims: [2, 'E'] },
    ...(cfg.level === 'graph' ? [{ name: 'batch', type: INT64, dims: ['N'] }] : []),
  ];
  return g.model({
    graphName: `wfad_gcn_${cfg.level}`,
    inputs,
    outputs: [
      { name: 'logits', type: FLOAT, dims: [rows, C] },
      { name: 'probabilities', type: FLOAT, dims: [rows, C] },
    ],
    producerVersion: info.version,
    docString: `wfad GCN detector ${info.name}@${info.version} (${cfg.level} level, ${info.task}, arch ${cfg.arch}, edges ${cfg.direction}); inputs must be scaled with metadata "scaler"`,
    metadata: {
      [META.name]: info.name,
      [META.version]: info.version,
      [META.workflow]: info.workflow,
      [META.level]: cfg.level,
      [META.task]: info.task,
      [META.classes]: JSON.stringify(info.classes),
      [META.featureNames]: JSON.stringify(info.features),
      [META.inputFeatures]: JSON.stringify(inputFeatureNames(info.scaler)),
      [META.scaler]: JSON.stringify(info.scaler),
      [META.modelConfig]: JSON.stringify(cfg),
      [META.scaling]: 'x is scaled by the caller with metadata "scaler" per run (wfad src/features/scaler.ts applyScaler), not inside this graph',
      ...(info.profile ? { normal_profile: JSON.stringify(info.profile) } : {}),
      opset: String(OPSET),
    },
  });
}
