/**
 * `wfad train --detector normal-only` and `wfad evaluate`: the detection commands beside the
 * supervised trainer. Human output by default, `--json` for machines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WfadError } from '../errors';
import { classesOf, jobCategoryOf, jobTargets, labelledSamples, type GraphSample } from '../features/dataset';
import { FEATURE_NAMES } from '../features/job-features';
import type { Graph } from '../graph/driver';
import { readRuns } from '../graph/read-runs';
import { Predictor } from '../inference/predictor';
import { exportModelDir } from '../onnx/model-file';
import { summarize, type DetectionSummary, type ScoredItem } from '../train/detection-report';
import { normalOnlyCardMarkdown } from '../train/model-card';
import { fingerprint, readCard, saveNormalOnly, versionOf, type AnyModelCard, type NormalOnlyCard } from '../train/model-store';
import { trainNormalOnly, type NormalOnlyConfig } from '../train/normal-only-train';
import type { Metrics } from '../train/metrics';
import { table } from './output';

const f4 = (v: number | null | undefined): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : '—');

/**
 * A figure of metrics over m.n items, four decimals; '—' when undefined: NaN or null, and every
 * figure over no item at all (metrics.ts counts an empty set's accuracy as 0, which it is not).
 */
export function figure(m: Pick<Metrics, 'n'>, v: number | null | undefined): string {
  return m.n === 0 ? '—' : f4(v);
}

/** One line of accuracy, F1 and the ranking figures. */
export function metricsLine(m: Metrics): string {
  const f = (v: number | null | undefined): string => figure(m, v);
  return `accuracy ${f(m.accuracy)}, F1 ${f(m.f1)}, ROC-AUC ${f(m.rocAuc)}, AP ${f(m.averagePrecision)}, precision@k ${f(m.precisionAtK)} (n=${m.n})`;
}

export interface NormalOnlyTrainOutcome {
  dir: string;
  card: NormalOnlyCard;
  onnx: string;
}

/** Trains, saves (model.json, model.onnx, MODEL_CARD.md) and returns the card. */
export function trainAndSaveNormalOnly(samples: readonly GraphSample[], workflow: string, cfg: NormalOnlyConfig, dir: string, command: string, commit?: string): NormalOnlyTrainOutcome {
  const r = trainNormalOnly(samples, cfg);
  const fp = fingerprint(samples);
  const name = path.basename(dir);
  const card: NormalOnlyCard = {
    detector: 'normal-only',
    name,
    version: versionOf(fp),
    workflow,
    level: cfg.level,
    task: 'binary',
    classes: ['normal', 'anomalous'],
    features: FEATURE_NAMES,
    normalOnly: r.state,
    training: { seed: cfg.seed, falseAlarmRate: cfg.falseAlarmRate, assumeNormal: cfg.assumeNormal, trainRuns: r.split.train.length, validationRuns: r.split.validation.length, budget: cfg.budget, leftOut: r.split.leftOut },
    metrics: { val: null, test: r.test },
    seconds: Number(r.seconds.toFixed(2)),
    data: { runs: samples.length, jobs: samples.reduce((a, s) => a + s.numNodes, 0), fingerprint: fp, workflows: [...new Set(samples.map((s) => s.workflow))].sort() },
    trainedAt: new Date().toISOString(),
    testRuns: r.split.test.map((i) => (samples[i] as GraphSample).runId),
  };
  saveNormalOnly(dir, card);
  const onnx = exportModelDir(dir).file;
  fs.writeFileSync(path.join(dir, 'MODEL_CARD.md'), normalOnlyCardMarkdown(card, command, { commit }));
  return { dir, card, onnx };
}

/** Workflows a saved model learned from (its per-workflow statistics). */
export function trainedWorkflows(card: AnyModelCard): string[] {
  if (card.detector === 'normal-only') return Object.keys(card.normalOnly.calibration).filter((w) => w !== '*').sort();
  return [...new Set(Object.keys(card.scaler.relative).map((k) => k.slice(0, k.lastIndexOf('#'))))].sort();
}

export interface EvaluationReport extends DetectionSummary {
  model: string;
  level: 'graph' | 'node';
  detector: 'supervised' | 'normal-only';
  workflow: string | null;
  /** 'test' (the model's held-out runs) or 'transfer' (every run of a workflow it never saw). */
  runs: 'test' | 'transfer';
}

/**
 * Scores runs with the saved model through the inference layer (ONNX) and summarises against
 * their truth: the model's test runs, or every run of `workflow` when it was not trained on it.
 */
export async function evaluateModel(graph: Graph, dir: string, workflow?: string, onProgress?: (done: number, total: number) => void): Promise<EvaluationReport> {
  const card = readCard(dir);
  const seen = trainedWorkflows(card);
  const transfer = workflow !== undefined && !seen.includes(workflow);
  let runs;
  if (transfer) runs = await readRuns(graph, { workflows: [workflow] });
  else {
    if (!card.testRuns?.length) throw new WfadError('BAD_INPUT', `${dir}: the model has no recorded test runs (trained before \`wfad evaluate\` existed); retrain it, or give --workflow with a workflow it was not trained on`);
    runs = await readRuns(graph, { runIds: card.testRuns, ...(workflow ? { workflows: [workflow] } : {}) });
  }
  if (runs.length === 0) throw new WfadError('BAD_INPUT', transfer ? `no stored runs for workflow "${workflow}"` : `none of the model's ${card.testRuns?.length ?? 0} test runs are in the store${workflow ? ` for workflow ${workflow}` : ''}`);
  const samples = labelledSamples(runs);
  const predictor = await Predictor.load(dir, { log: () => undefined });
  const items: ScoredItem[] = [];
  const prob: number[] = [];
  const C = predictor.classes.length;
  const task = predictor.task;
  try {
    for (let i = 0; i < samples.length; i += 256) {
      const chunk = samples.slice(i, i + 256);
      const preds = await predictor.predict(chunk);
      preds.forEach((p, b) => {
        const s = chunk[b] as GraphSample;
        const targets = p.level === 'graph' ? [task === 'binary' ? (s.yMulti > 0 ? 1 : 0) : s.yMulti] : Array.from(jobTargets(s, task));
        p.verdicts.forEach((v, j) => {
          items.push({ workflow: s.workflow, category: p.level === 'graph' ? s.category : jobCategoryOf(s, j), target: targets[j] as number, predicted: v.classIndex, score: v.score });
          prob.push(...v.probabilities);
        });
      });
      onProgress?.(Math.min(i + 256, samples.length), samples.length);
    }
  } finally {
    await predictor.release();
  }
  const summary = summarize(items, classesOf(task), C > 2 ? prob : undefined);
  return { model: predictor.modelId, level: predictor.level, detector: predictor.detector, workflow: workflow ?? null, runs: transfer ? 'transfer' : 'test', ...summary };
}

export function formatEvaluation(r: EvaluationReport): string {
  const what = r.level === 'graph' ? 'runs' : 'jobs';
  const lines = [
    `${r.model} (${r.detector}, ${r.level} level) on ${r.runs === 'transfer' ? `every run of ${r.workflow}, a workflow it was not trained on` : `its test runs${r.workflow ? ` of ${r.workflow}` : ''}`}: ${r.n} ${what}`,
    `  ${metricsLine(r)}`,
    '',
    table(
      ['workflow', 'n', 'accuracy', 'F1', 'ROC-AUC', 'AP'],
      Object.entries(r.perWorkflow).map(([w, m]) => [w, m.n, figure(m, m.accuracy), figure(m, m.f1), figure(m, m.rocAuc), figure(m, m.averagePrecision)]),
    ),
  ];
  if (Object.keys(r.perCategory).length) {
    lines.push('', table(['category (vs normal)', 'n', 'detected', 'ROC-AUC', 'AP'], Object.entries(r.perCategory).map(([c, m]) => [c, m.n, figure(m, m.recall), figure(m, m.rocAuc), figure(m, m.averagePrecision)])));
  }
  return lines.join('\n');
}
