/**
 * Table VI's conventional baselines on one workflow (fixed DAG, so a run is one flat vector of its
 * jobs' scaled features): SVM with an RBF kernel (libsvm, via libsvm-js), a random forest of depth 3
 * (ml-random-forest), and an MLP (our own nn core: 2 hidden layers of 64, Adam 1e-3).
 */
import { RandomForestClassifier } from 'ml-random-forest';
import type { GraphSample, Task } from '../features/dataset';
import { classesOf, targetOf } from '../features/dataset';
import { FEATURES } from '../features/job-features';
import { applyScaler, fitScaler } from '../features/scaler';
import { Tensor, backward } from '../nn/autograd';
import { relu } from '../nn/activation';
import { Adam } from '../nn/adam';
import { crossEntropy } from '../nn/cross-entropy';
import { linear } from '../nn/dense';
import { Rng } from '../nn/random';
import { metrics, type Metrics } from './metrics';
import { stratifiedSplit } from './split';
import { stratumOf } from './trainer';

// libsvm-js ships an asm.js build of libsvm inside the package (no download); it has no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SVM = require('libsvm-js/asm') as {
  new (o: Record<string, unknown>): { train(x: number[][], y: number[]): void; predict(x: number[][]): number[] };
  KERNEL_TYPES: { RBF: number };
  SVM_TYPES: { C_SVC: number };
};

export type BaselineName = 'svm-rbf' | 'random-forest-d3' | 'mlp';

export function baselines(samples: readonly GraphSample[], task: Task, seed: number): Record<BaselineName, Metrics> {
  const split = stratifiedSplit(samples, stratumOf, seed);
  const scaler = fitScaler(
    FEATURES,
    samples.filter((_, g) => split[g] === 0).map((s) => ({ workflow: s.workflow, x: s.x, reference: s.category === 'normal' })),
  );
  const X = samples.map((s) => Array.from(applyScaler(scaler, s.workflow, s.x)));
  const y = samples.map((s) => targetOf(s, task));
  const pick = (k: number): number[] => samples.flatMap((_, g) => (split[g] === k ? [g] : []));
  const tr = pick(0);
  const te = pick(2);
  const C = classesOf(task).length;
  const xs = (idx: number[]): number[][] => idx.map((g) => X[g] as number[]);
  const ys = (idx: number[]): number[] => idx.map((g) => y[g] as number);

  const svm = new SVM({ kernel: SVM.KERNEL_TYPES.RBF, type: SVM.SVM_TYPES.C_SVC, gamma: 1 / (X[0]?.length ?? 1), cost: 1, quiet: true });
  svm.train(xs(tr), ys(tr));
  const svmPred = svm.predict(xs(te));

  const rf = new RandomForestClassifier({ seed, nEstimators: 20, maxFeatures: Math.max(1, Math.round(Math.sqrt(X[0]?.length ?? 1))), treeOptions: { maxDepth: 3 }, noOOB: true });
  rf.train(xs(tr), ys(tr));
  const rfPred = rf.predict(xs(te)) as number[];

  // MLP: D → 64 → 64 → C, full-batch Adam, 200 steps.
  const D = X[0]?.length ?? 0;
  const rng = new Rng(seed);
  const W = (i: number, o: number): Tensor => Tensor.param(rng.glorot(i, o), i, o);
  const B = (o: number): Tensor => Tensor.param(new Float32Array(o), 1, o);
  const params = [W(D, 64), B(64), W(64, 64), B(64), W(64, C), B(C)] as const;
  const forward = (idx: number[]): Tensor => {
    const x = new Tensor(Float32Array.from(idx.flatMap((g) => X[g] as number[])), idx.length, D);
    const h1 = relu(linear(x, params[0], params[1]));
    const h2 = relu(linear(h1, params[2], params[3]));
    return linear(h2, params[4], params[5]);
  };
  const opt = new Adam([...params], { lr: 1e-3 });
  const yTr = Int32Array.from(ys(tr));
  for (let step = 0; step < 200; step++) {
    opt.zeroGrad();
    const loss = crossEntropy(forward(tr), yTr);
    backward(loss);
    opt.step();
  }
  const logits = forward(te);
  const mlpPred = Array.from({ length: te.length }, (_, r) => {
    let best = 0;
    for (let c = 1; c < C; c++) if ((logits.data[r * C + c] as number) > (logits.data[r * C + best] as number)) best = c;
    return best;
  });
  const truth = ys(te);
  return {
    'svm-rbf': metrics(truth, svmPred, C),
    'random-forest-d3': metrics(truth, rfPred, C),
    mlp: metrics(truth, mlpPred, C),
  };
}
