/**
 * MODEL_CARD.md beside a saved model: what it is, how well it does, on which data, with which
 * configuration, and the exact command that trained it. Generated from model.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Metrics } from './metrics';
import type { ModelCard, NormalOnlyCard } from './model-store';

export const CARD_FILE = 'MODEL_CARD.md';

const fix = (v: number | null | undefined): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : '—');

function metricRows(label: string, m: Metrics): string {
  return `| ${label} | ${m.n} | ${m.accuracy.toFixed(4)} | ${m.precision.toFixed(4)} | ${m.recall.toFixed(4)} | ${m.f1.toFixed(4)} | ${fix(m.rocAuc)} | ${fix(m.averagePrecision)} |`;
}

function confusion(classes: readonly string[], m: Metrics): string {
  const head = `| true \\ predicted | ${classes.join(' | ')} |`;
  const sep = `| --- | ${classes.map(() => '---:').join(' | ')} |`;
  const rows = m.confusion.map((r, i) => `| ${classes[i] ?? i} | ${r.join(' | ')} |`);
  return [head, sep, ...rows].join('\n');
}

export function modelCardMarkdown(card: ModelCard, command: string, extra: { commit?: string } = {}): string {
  const scope = card.workflow === 'ALL' ? 'every workflow in the store' : `the ${card.workflow} workflow`;
  const verdict = card.level === 'graph' ? 'one verdict per run' : 'one verdict per job';
  const positive = card.task === 'binary' ? 'Binary metrics take `anomalous` as the positive class.' : 'Multiclass precision/recall/F1 are macro averages.';
  return `# ${card.name} @ ${card.version}

GCN anomaly detector for Pegasus workflow runs (${verdict}, ${card.task}: ${card.classes.join(' / ')}), trained on
${scope}. Files: \`model.json\` (configuration, scaler, metrics, curve), \`weights.bin\` (float32 weights),
\`model.onnx\` (opset 17; inputs \`x\` [N, ${card.model.inFeatures}] scaled, \`edge_index\` [2, E]${card.level === 'graph' ? ', `batch` [N]' : ''}).

## How it was trained

\`\`\`
${command}
\`\`\`

${extra.commit ? `Code: commit \`${extra.commit}\`. ` : ''}Trained ${card.trainedAt} in ${card.seconds} s: ${card.epochs} epochs, best validation accuracy at epoch ${card.bestEpoch} (weights of that epoch kept).

## Data

| runs | jobs | fingerprint (sha256 of run ids + raw features) |
| ---: | ---: | --- |
| ${card.data.runs} | ${card.data.jobs} | \`${card.data.fingerprint}\` |

Split 60/20/20 stratified by workflow and label (seed ${card.training.seed}, protocol \`${card.training.protocol}\`); the scaler is fitted on the training split only.

## Metrics

| split | n | accuracy | precision | recall | F1 | ROC-AUC | AP |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${metricRows('validation', card.metrics.val)}
${metricRows('test', card.metrics.test)}

${positive} ROC-AUC and average precision (AP) are computed from the scores (multiclass: one-vs-rest, macro mean).

Test confusion matrix (${card.level === 'graph' ? 'runs' : 'jobs'}):

${confusion(card.classes, card.metrics.test)}

## Configuration

| model | |
| --- | --- |
| level | ${card.model.level} |
| arch | ${card.model.arch} |
| edge direction | ${card.model.direction} |
| input features | ${card.model.inFeatures} (${card.features.length} raw + ${card.model.inFeatures - card.features.length} relative to normal runs of the same job) |
| hidden | ${card.model.hidden} |
| classes | ${card.classes.join(', ')} |

Training: \`${JSON.stringify(card.training)}\`

## Limits

Scores runs of the workflows it was trained on; a run of a workflow it never saw gets no per-job
relative features and its verdict is not meaningful. Metrics are from one seed on one dataset.
`;
}

export function writeModelCard(dir: string, card: ModelCard, command: string, extra: { commit?: string } = {}): string {
  const file = path.join(dir, CARD_FILE);
  fs.writeFileSync(file, modelCardMarkdown(card, command, extra));
  return file;
}

export function normalOnlyCardMarkdown(card: NormalOnlyCard, command: string, extra: { commit?: string } = {}): string {
  const st = card.normalOnly;
  const levels = Object.keys(st.profile.baselines);
  return `# ${card.name} @ ${card.version}

Normal-only anomaly detector (${card.level === 'graph' ? 'one score per run' : 'one score per job'}): it learned how each job of
${card.workflow === 'ALL' ? 'every workflow in the store' : `the ${card.workflow} workflow`} behaves in runs that went fine, and scores how far a run's jobs deviate
(robust z of ${st.profile.features.join(', ')} against the job's median and MAD). No anomalous run was used to train it.
Files: \`model.json\` (profile, calibration, threshold, metrics), \`model.onnx\` (opset 17; input \`x\` = deviations).

## How it was trained

\`\`\`
${command}
\`\`\`

${extra.commit ? `Code: commit \`${extra.commit}\`. ` : ''}Trained ${card.trainedAt} in ${card.seconds} s on ${card.training.trainRuns} normal runs${card.training.assumeNormal ? ' (runs of unknown truth taken as normal)' : ''}; threshold τ = ${st.threshold.toFixed(4)} set on ${card.training.validationRuns} held-out normal runs at a false-alarm rate of ${(card.training.falseAlarmRate * 100).toFixed(1)} %. Seed ${card.training.seed}. ${levels.length} baselines (job, transformation and job-type keys).

## Metrics (test)

| split | n | accuracy | precision | recall | F1 | ROC-AUC | AP |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${metricRows('test', card.metrics.test)}

## Limits

A workflow with no normal runs in training is compared with job-type baselines only (weak). Runs of
another template version are handled job by job (jobs matched by name; new jobs use their
transformation's or type's baseline).
`;
}
