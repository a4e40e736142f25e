/**
 * `wfad report <run-id>` (one run, pegasus-analyzer style) and the prediction table of `wfad stats`.
 * Human text by default, `--json` for machines.
 */
import type { Command } from 'commander';
import { neo4jConnection } from '../config';
import { WfadError } from '../errors';
import { openGraph, verify } from '../graph/driver';
import type { ModelCounts } from '../graph/prediction-counts';
import { registeredModelIds } from '../graph/predictions';
import { readBaseline, readReportRun } from '../graph/run-report';
import { buildRunReport, pickPrediction, storedExplanation, type RunReport } from '../report/run-report';
import { explainStored } from '../score/explain-stored';
import { printJson, table } from './output';

/** Seconds as a short human duration: 42.0 s, 3m 05s, 1h 02m. */
export function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '-';
  if (Math.abs(s) < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(Math.abs(s) / 60);
  if (m < 60) return `${s < 0 ? '-' : ''}${m}m ${String(Math.round(Math.abs(s) % 60)).padStart(2, '0')}s`;
  return `${s < 0 ? '-' : ''}${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
const iso = (t: number | null): string => (t === null ? '-' : new Date(t * 1000).toISOString().replace('.000Z', 'Z'));
const sigma = (z: number): string => `${z >= 0 ? '+' : ''}${z.toFixed(1)}σ`;
const NAMES: Record<string, string> = { wmsDelay: 'wms delay', queueDelay: 'queue delay', runtime: 'runtime', postScriptDelay: 'post-script delay', stageInDelay: 'stage-in delay', stageOutDelay: 'stage-out delay', cpuTime: 'cpu time' };
/** A measurement's name as people say it: report names (camelCase) or the detector's feature names (snake_case). */
const label = (name: string): string => NAMES[name] ?? name.replace(/_/g, ' ').replace(/\bstage (in|out)\b/, 'stage-$1').replace(/\bpost script\b/, 'post-script');
function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}
/** A value in its unit: bytes for volumes, a duration for times, else a plain number (ratios). */
function value(name: string, v: number | null): string {
  if (v === null) return '?';
  if (/bytes/i.test(name)) return bytes(v);
  if (/_vs_/i.test(name)) return `${Number(v.toPrecision(3))}×`;
  if (/delay|runtime|time/i.test(name)) return duration(v);
  return Number(v.toPrecision(3)).toString();
}
const feature = (f: { name: string; value: number | null; normal: number | null; deviation: number | null }): string =>
  `${label(f.name)} ${value(f.name, f.value)}${f.normal !== null ? ` (normal ${value(f.name, f.normal)}${f.deviation !== null ? `, ${sigma(f.deviation)}` : ''})` : f.deviation !== null ? ` (${sigma(f.deviation)})` : ''}`;

/** The human view of a run report; `limit` caps the job table (0 = every job). */
export function formatRunReport(r: RunReport, limit: number): string {
  const out: string[] = [];
  const truth = r.run.label ? `truth ${r.run.label}${r.run.category && r.run.category !== r.run.label ? ` (${r.run.category})` : ''}` : 'truth unknown';
  out.push(`run ${r.run.id}`, `  workflow ${r.run.workflow}, ${r.run.jobs} jobs, ${r.run.edges} edges, ${truth}`);
  out.push(`  started ${iso(r.run.startedAt)}, makespan ${duration(r.makespan)}${r.run.state ? `, state ${r.run.state}` : ''}`);
  out.push('');
  if (r.verdict) {
    const v = r.verdict;
    const probs = Object.entries(v.probabilities).map(([c, p]) => `${c} ${p.toFixed(3)}`).join(', ');
    out.push(`verdict: ${v.predicted.toUpperCase()}, score ${v.score.toFixed(3)} (model ${v.model}${v.active ? ', active' : ''}; ${probs})`);
  } else out.push(`verdict: none — ${r.verdictNote}`);
  for (const o of r.otherPredictions) out.push(`  also: ${o.predicted}, score ${o.score.toFixed(3)} by ${o.model}`);
  out.push('');
  out.push(`jobs that drive the verdict (${r.drivers.note}):`);
  if (!r.drivers.jobs.length) out.push('  none');
  r.drivers.jobs.forEach((d, i) => {
    out.push(`  ${i + 1}. ${d.job}${d.contribution !== null ? ` (contribution ${d.contribution.toFixed(3)})` : ''}: ${d.features.map(feature).join('; ') || '-'}`);
  });
  out.push('');
  out.push(`slowest path (${r.criticalPath.jobs.length} jobs, ${duration(r.criticalPath.seconds)}): ${r.criticalPath.jobs.map((j) => `${j.name} [${duration(j.runtime)}]`).join(' → ') || '-'}`);
  out.push('');
  const rows = jobTableOrder(r.jobs);
  const shown = limit > 0 ? rows.slice(0, limit) : rows;
  const state = (j: RunReport['jobs'][number]): string => j.state ?? (j.exitCode === null ? '-' : j.exitCode === 0 ? 'exit 0' : `exit ${j.exitCode}`);
  const hasPred = r.jobs.some((j) => j.prediction);
  out.push(`jobs${limit > 0 && rows.length > limit ? ` (${limit} of ${rows.length}: failed first, then by deviation; --limit 0 shows all)` : ''}${r.baseline.normalRuns ? `; deviations against ${r.baseline.normalRuns} normal run(s)` : '; no normal runs to compare with'}:`);
  out.push(
    table(
      ['job', 'type', 'state', 'queue', 'runtime', 'cpu', ...(hasPred ? ['prediction'] : []), 'path', 'deviations'],
      shown.map((j) => [
        j.name,
        j.type ?? '-',
        state(j),
        duration(j.queueDelay),
        duration(j.runtime),
        duration(j.cpuTime),
        ...(hasPred ? [j.prediction ? `${j.prediction.predicted} ${j.prediction.score.toFixed(2)}` : '-'] : []),
        j.onCriticalPath ? '*' : '',
        j.deviations.filter((d) => Math.abs(d.deviation) >= 3).slice(0, 2).map((d) => `${label(d.name)} ${sigma(d.deviation)}`).join(', ') || '',
      ]),
    ),
  );
  return out.join('\n');
}

/** Table order: failed jobs first, then the largest deviation. */
/**
 * A job that ran and did not succeed (failed, aborted, held, or a non-zero exit code). A job that
 * never ran did not fail: it sorts by deviation like the others.
 */
export function jobFailed(j: Pick<RunReport['jobs'][number], 'state' | 'exitCode'>): boolean {
  if (j.state === 'never_ran') return false;
  return (j.state !== null && !/^succe/i.test(j.state)) || (j.exitCode !== null && j.exitCode !== 0);
}

/** The per-job table's order: failed jobs first, then by largest |deviation|; ties keep the jobs' order. */
export function jobTableOrder(jobs: readonly RunReport['jobs'][number][]): RunReport['jobs'][number][] {
  const dev = (j: RunReport['jobs'][number]): number => Math.abs(j.deviations[0]?.deviation ?? 0);
  return [...jobs].sort((a, b) => Number(jobFailed(b)) - Number(jobFailed(a)) || dev(b) - dev(a));
}

/** The prediction table of `wfad stats`: per workflow and model, runs by predicted class beside truth. */
export function formatPredictionCounts(workflows: Array<{ name: string; runsByCategory: Record<string, number>; predictions: ModelCounts[] }>): string {
  const rows = workflows.flatMap((w) => w.predictions.map((m) => ({ w, m })));
  if (!rows.length) return 'predictions: no run has been scored yet (wfad score)';
  const classes = [...new Set(rows.flatMap(({ m }) => Object.keys(m.predicted)))].sort((a, b) => (a === 'normal' ? -1 : b === 'normal' ? 1 : a.localeCompare(b)));
  const cats = [...new Set(workflows.flatMap((w) => Object.keys(w.runsByCategory)))];
  return `predictions (runs by predicted class, truth beside them):\n${table(
    ['workflow', 'model', ...classes.map((c) => `→${c}`), 'unscored', ...cats.map((c) => `true ${c}`)],
    rows.map(({ w, m }) => [w.name, `${m.model}${m.active ? ' *' : ''}`, ...classes.map((c) => m.predicted[c] ?? 0), m.unscored, ...cats.map((c) => w.runsByCategory[c] ?? 0)]),
  )}\n(* = active model)`;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('one run, pegasus-analyzer style: verdict and score, the jobs that drive it, the slowest path, and every job with its deviations from normal runs')
    .argument('<run-id>', 'a stored run id (wfad stats lists workflows; GraphQL runs() lists ids)')
    .option('--model <id>', 'report this model\'s stored prediction ("<name>@<version>"; default: the active model, multiclass first)')
    .option('--limit <n>', 'jobs shown in the table (0 = all; --json always has all)', (v) => Number(v), 25)
    .option('--baseline-runs <n>', 'latest normal runs of the workflow to compare with', (v) => Number(v), 100)
    .option('--json', 'machine-readable report')
    .action(async (runId: string, o: { model?: string; limit: number; baselineRuns: number; json?: boolean }) => {
      for (const [flag, v, min] of [['--limit', o.limit, 0], ['--baseline-runs', o.baselineRuns, 1]] as const) {
        if (!Number.isInteger(v) || v < min) throw new WfadError('BAD_INPUT', `${flag} ${v}: expected an integer ≥ ${min}`);
      }
      const g = openGraph(neo4jConnection());
      let report: RunReport;
      try {
        await verify(g);
        const run = await readReportRun(g, runId);
        if (!run) throw new WfadError('BAD_INPUT', `no stored run has id ${JSON.stringify(runId)} (ids look like "<label>/<file name>" for CSV traces, e.g. normal/1000genome-20200613T072602Z-run0001, and "<dax_label>/<wf_uuid>" for Pegasus submit directories; GraphQL runs() lists them)`);
        if (o.model !== undefined && !run.runPredictions.some((p) => p.modelId === o.model)) {
          const ids = await registeredModelIds(g);
          if (!ids.includes(o.model)) throw new WfadError('BAD_INPUT', `--model ${o.model}: no such model is registered (ids look like "<name>@<version>"); registered: ${ids.join(', ') || 'none (wfad score registers a model)'}`);
        }
        const baseline = await readBaseline(g, run.workflow, run.id, o.baselineRuns);
        // Predictions are stored without their explanation: the chosen one's is computed here.
        const chosen = pickPrediction(run.runPredictions, o.model);
        const explanation = chosen && !storedExplanation(chosen) ? (await explainStored(g, chosen.modelId, run.id)).explanation : null;
        report = buildRunReport(run, baseline, { model: o.model, explanation });
      } finally {
        await g.close();
      }
      if (o.json) printJson(report);
      else console.log(formatRunReport(report, o.limit));
    });
}
