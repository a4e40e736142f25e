/**
 * `wfad generate`: synthetic Pegasus workflow traces in the flowgad layout, for users without real
 * traces (and for the demo). For each (workflow, label) a campaign of runs, back to back, each
 * simulated on the workflow's worker pool (simulator.ts) with the label's anomaly (anomaly.ts).
 * Seeded: the same options give byte-identical files; each (workflow, label) has its own random
 * stream, so a workflow generated alone equals the same workflow generated among others.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WfadError } from '../errors';
import { REAL_LABELS, parseAnomaly, type Anomaly } from './anomaly';
import { GenRng, streamSeed } from './random';
import { PLATFORM } from './profiles';
import { LARGE_WORKFLOWS, WORKFLOWS, isWorkflow, shapeOf, type WorkflowName } from './shapes';
import { planBytes, simulateRun } from './simulator';
import { runCsv, runFileName, templateFileName, templateJson } from './writer';

export { REAL_LABELS, parseAnomaly, MODEL, tcpThroughput, type Anomaly } from './anomaly';
export { LARGE_WORKFLOWS, WORKFLOWS, shapeOf, type WorkflowName, type DagShape, type JobSpec } from './shapes';
export { planBytes, simulateRun, type BytesPlan, type RunTrace, type JobTrace } from './simulator';

export interface GenerateOptions {
  /** Workflow names, or 'all' (default): the five of the paper. */
  workflows?: readonly string[] | 'all';
  /** Labels, or 'all' (default): the 14 labels of the flowgad dataset. */
  labels?: readonly string[] | 'all';
  /** Runs per workflow and label. */
  runsPerLabel: number;
  /** Runs per workflow of the `normal` label, when it differs (real traces have ~4× more normal runs than runs of one anomaly label). */
  normalRuns?: number;
  seed?: number;
  /** Output folder (created); gets adjacency_list_dags/ and data/<label>/. */
  out: string;
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateSummary {
  out: string;
  seed: number;
  workflows: WorkflowName[];
  labels: string[];
  runsPerLabel: number;
  normalRuns: number;
  runs: number;
  jobs: number;
  templates: string[];
  /** Runs per workflow and label: `runs[workflow][label]`. */
  byWorkflow: Record<string, Record<string, number>>;
  seconds: number;
}

/** Campaigns start within 180 days after 2024-01-01, at a whole minute (seeded). */
const CAMPAIGN_BASE = 1_704_067_200;
const CAMPAIGN_SPREAD_MINUTES = 180 * 24 * 60;

export function resolveWorkflows(w: GenerateOptions['workflows']): WorkflowName[] {
  if (w === undefined || w === 'all') return [...WORKFLOWS];
  const list = w.flatMap((x) => (x === 'all' ? [...WORKFLOWS] : [x]));
  const bad = list.filter((x) => !isWorkflow(x));
  if (bad.length) throw new WfadError('BAD_INPUT', `--workflow ${bad.join(',')}: unknown workflow (known: ${[...WORKFLOWS, ...LARGE_WORKFLOWS].join(', ')}, or all)`);
  return [...new Set(list)] as WorkflowName[];
}

export function resolveLabels(l: GenerateOptions['labels']): Anomaly[] {
  if (l === undefined || l === 'all') return REAL_LABELS.map(parseAnomaly);
  const list = l.flatMap((x) => (x === 'all' ? [...REAL_LABELS] : [x]));
  return [...new Set(list)].map(parseAnomaly);
}

/** Refuses a folder holding another DAG template for one of the workflows (real data?): nothing is written then. */
function checkTemplate(file: string, text: string): void {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') !== text) {
    throw new WfadError('BAD_INPUT', `${file} already holds a different DAG template (real data, or another generator version?); generate into an empty folder`);
  }
}

export function generateDataset(opts: GenerateOptions): GenerateSummary {
  const t0 = performance.now();
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new WfadError('BAD_INPUT', `--seed ${seed}: expected an integer in [0, 2^32)`);
  const runCount = (v: number, flag: string): number => {
    if (!Number.isInteger(v) || v < 1 || v > 9999) throw new WfadError('BAD_INPUT', `${flag} ${v}: expected an integer from 1 to 9999 (runs per workflow and label)`);
    return v;
  };
  runCount(opts.runsPerLabel, '--runs');
  const normalRuns = runCount(opts.normalRuns ?? opts.runsPerLabel, '--normal-runs');
  const runsOf = (a: Anomaly): number => (a.category === 'normal' ? normalRuns : opts.runsPerLabel);
  const workflows = resolveWorkflows(opts.workflows);
  const anomalies = resolveLabels(opts.labels);
  const out = path.resolve(opts.out);
  const dagDir = path.join(out, 'adjacency_list_dags');
  const shapes = workflows.map(shapeOf);
  for (const shape of shapes) checkTemplate(path.join(dagDir, templateFileName(shape)), templateJson(shape));
  fs.mkdirSync(dagDir, { recursive: true });

  const summary: GenerateSummary = {
    out,
    seed,
    workflows,
    labels: anomalies.map((a) => a.label),
    runsPerLabel: opts.runsPerLabel,
    normalRuns,
    runs: 0,
    jobs: 0,
    templates: [],
    byWorkflow: {},
    seconds: 0,
  };
  const total = workflows.length * anomalies.reduce((a, x) => a + runsOf(x), 0);
  for (const shape of shapes) {
    const wf = shape.workflow;
    const tfile = path.join(dagDir, templateFileName(shape));
    fs.writeFileSync(tfile, templateJson(shape));
    summary.templates.push(path.relative(out, tfile));
    const counts: Record<string, number> = {};
    // One input dataset per workflow: every campaign (label) stages the same files, as in flowgad.
    const bytes = planBytes(shape, new GenRng(streamSeed(seed, wf, 'inputs')));
    for (const anomaly of anomalies) {
      const rng = new GenRng(streamSeed(seed, wf, anomaly.label));
      let start = CAMPAIGN_BASE + 60 * (streamSeed(seed, wf, anomaly.label, 'start') % CAMPAIGN_SPREAD_MINUTES);
      const instance = shape.instance(start);
      const dir = path.join(out, 'data', anomaly.label);
      fs.mkdirSync(dir, { recursive: true });
      for (let r = 1; r <= runsOf(anomaly); r++) {
        const run = simulateRun(shape, anomaly, rng, bytes);
        fs.writeFileSync(path.join(dir, runFileName(shape, instance, r)), runCsv(shape, run, instance, start));
        start += Math.round(run.makespan) + Math.round(rng.uniform(...PLATFORM.runGap));
        summary.runs++;
        summary.jobs += shape.jobs.length;
        opts.onProgress?.(summary.runs, total);
      }
      counts[anomaly.label] = runsOf(anomaly);
    }
    summary.byWorkflow[wf] = counts;
  }
  summary.seconds = Number(((performance.now() - t0) / 1000).toFixed(3));
  return summary;
}
