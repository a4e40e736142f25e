/**
 * The normal-only detector (src/models/normal-only.ts) as an ONNX graph, opset 17:
 *
 *   inputs   x: float32 [N, L]      the jobs' robust deviations z (computed by the caller from
 *                                   metadata "normal_profile": src/models/normal-profile.ts)
 *            batch: int64 [N]       graph level: run of each job, runs numbered 0..B-1
 *            run_center, run_scale: float32 [B]   graph level: the run's workflow calibration
 *            group: int64 [N]       job level: context group of each job (one per run and host,
 *                                   numbered 0..G-1 across the batch; models/normal-only.ts)
 *   outputs  scores: float32 [B] (graph) or [N] (job)
 *            probabilities: float32 [rows, 2] = [1 − p, p], p = σ((score − τ) / T)
 *
 *   s_j = ReduceMean(Relu(z_j))                    a job's own deviation
 *   c_j = (Σ_{k: g_k = g_j} s_k) / |g_j|           job score (job level; ScatterElements + Gather)
 *   r_b = (Σ_{j ∈ b} s_j / max(n_b, 1) − c_b) / d_b  run score (ScatterElements add)
 */
import { onnx } from 'onnx-proto';
import type { NormalOnlyState } from '../models/normal-only';
import { GraphBuilder } from './builder';
import { META } from './gcn-onnx';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** Extra metadata keys of normal-only models. */
export const NORMAL_ONLY_META = {
  detector: 'detector',
  /** JSON NormalOnlyState (profile, calibration, threshold). */
  state: 'normal_only_state',
} as const;

export interface NormalOnlyOnnxInfo {
  name: string;
  version: string;
  workflow: string;
  features: readonly string[];
}

export function normalOnlyToOnnx(st: NormalOnlyState, info: NormalOnlyOnnxInfo): Uint8Array {
  const L = st.profile.columns.length;
  const g = new GraphBuilder();
  g.reserve('x', 'batch', 'run_center', 'run_scale', 'group', 'scores', 'probabilities');
  const jobScore = g.op1('ReduceMean', [g.op1('Relu', ['x'])], { axes: [1], keepdims: 0 }, 'job_score'); // [N]
  let score: string;
  if (st.level === 'graph') {
    const zerosB = g.op1('ConstantOfShape', [g.op1('Shape', ['run_center'])], { value: { tensor: { dims: [1], dataType: FLOAT, floatData: [0] } } }, 'zeros_b');
    const onesN = g.op1('ConstantOfShape', [g.op1('Shape', [jobScore])], { value: { tensor: { dims: [1], dataType: FLOAT, floatData: [1] } } }, 'ones_n');
    const sum = g.op1('ScatterElements', [zerosB, 'batch', jobScore], { axis: 0, reduction: 'add' }, 'run_sum'); // [B]
    const count = g.op1('ScatterElements', [zerosB, 'batch', onesN], { axis: 0, reduction: 'add' }, 'run_count'); // [B]
    const mean = g.op1('Div', [sum, g.op1('Max', [count, g.float([1], true)])], {}, 'run_mean');
    g.named('Div', [g.op1('Sub', [mean, 'run_center']), 'run_scale'], 'scores');
    score = 'scores';
  } else {
    // G = max(group) + 1; sums and counts per group, then each job takes its group's mean.
    const gShape = g.op1('Add', [g.op1('ReduceMax', ['group'], { keepdims: 1 }), g.int64([1])], {}, 'g_shape');
    const zerosG = g.op1('ConstantOfShape', [gShape], { value: { tensor: { dims: [1], dataType: FLOAT, floatData: [0] } } }, 'zeros_g');
    const onesN = g.op1('ConstantOfShape', [g.op1('Shape', [jobScore])], { value: { tensor: { dims: [1], dataType: FLOAT, floatData: [1] } } }, 'ones_n');
    const sum = g.op1('ScatterElements', [zerosG, 'group', jobScore], { axis: 0, reduction: 'add' }, 'group_sum');
    const count = g.op1('ScatterElements', [zerosG, 'group', onesN], { axis: 0, reduction: 'add' }, 'group_count');
    const mean = g.op1('Div', [sum, g.op1('Max', [count, g.float([1], true)])], {}, 'group_mean');
    g.named('Gather', [mean, 'group'], 'scores', { axis: 0 });
    score = 'scores';
  }
  const p = g.op1('Sigmoid', [g.op1('Div', [g.op1('Sub', [score, g.float([st.threshold], true)]), g.float([st.temperature], true)])], {}, 'p_anomalous');
  const q = g.op1('Sub', [g.float([1], true), p], {}, 'p_normal');
  const col = (v: string): string => g.op1('Unsqueeze', [v, g.int64([1])]);
  g.named('Concat', [col(q), col(p)], 'probabilities', { axis: 1 });
  const rows = st.level === 'graph' ? 'B' : 'N';
  const inputs = [
    { name: 'x', type: FLOAT, dims: ['N', L] },
    ...(st.level === 'graph'
      ? [
          { name: 'batch', type: INT64, dims: ['N'] },
          { name: 'run_center', type: FLOAT, dims: ['B'] },
          { name: 'run_scale', type: FLOAT, dims: ['B'] },
        ]
      : [{ name: 'group', type: INT64, dims: ['N'] }]),
  ];
  return g.model({
    graphName: `wfad_normal_only_${st.level}`,
    inputs,
    outputs: [
      { name: 'scores', type: FLOAT, dims: [rows] },
      { name: 'probabilities', type: FLOAT, dims: [rows, 2] },
    ],
    producerVersion: info.version,
    docString: `wfad normal-only detector ${info.name}@${info.version} (${st.level} level); x = robust deviations from metadata "${NORMAL_ONLY_META.state}".profile`,
    metadata: {
      [META.name]: info.name,
      [META.version]: info.version,
      [META.workflow]: info.workflow,
      [META.level]: st.level,
      [META.task]: 'binary',
      [META.classes]: JSON.stringify(['normal', 'anomalous']),
      [META.featureNames]: JSON.stringify(info.features),
      [META.inputFeatures]: JSON.stringify(st.profile.features.map((f) => `${f}_deviation`)),
      [NORMAL_ONLY_META.detector]: 'normal-only',
      [NORMAL_ONLY_META.state]: JSON.stringify(st),
      [META.scaling]: 'x holds robust deviations computed by the caller from metadata "normal_only_state" (wfad src/models/normal-profile.ts deviations)',
    },
  });
}
