/**
 * The `wfad` command line. Human output by default, `--json` for machines. Exit codes (docs/cli.md):
 * 0 success, 1 unexpected error, 2 bad usage, configuration, input or model file, 3 Neo4j unreachable,
 * 4 nothing could be stored, 5 the local Neo4j could not be started, 6 a model is missing.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, localServerConfig, neo4jConnection, parsePort, type LocalServerConfig } from '../config';
import { anySample, labelledSamples } from '../features/dataset';
import { countRuns, readRuns } from '../graph/read-runs';
import { activeModels, modelPath } from '../graph/predictions';
import { deleteRuns, labelRuns } from '../graph/runs';
import { parseLabel } from '../ingest/labels';
import { Predictor } from '../inference/predictor';
import { runsOutside, scoreRuns, type ScoreSummary } from '../score/score-runs';
import { scoreOnArrival, type ArrivalModels, type ArrivalSummary } from '../score/on-arrival';
import { ARCHS } from '../models/gcn';
import { EDGE_DIRECTIONS } from '../nn/gcn-norm';
import { writeReport } from '../report/reproduce-report';
import { fingerprint, readCard, saveModel } from '../train/model-store';
import { writeModelCard } from '../train/model-card';
import { exportModelDir } from '../onnx/model-file';
import { reproduce, type OutcomeCache, type TrainingOutcome } from '../train/reproduce';
import { DEFAULT_CONFIG, train, type TrainConfig } from '../train/trainer';
import { apiConfig } from '../api/config';
import { startApiServer } from '../api/server';
import { WfadError, type WfadErrorCode } from '../errors';
import { start } from './start';
import { openGraph, verify } from '../graph/driver';
import { migrate } from '../graph/migrations';
import { labelOrder, stats, type Stats } from '../graph/stats';
import { parseTemplateOption } from '../ingest/csv-source';
import { assertSomethingStored, ingest, type IngestSummary } from '../ingest/pipeline';
import { LARGE_WORKFLOWS, WORKFLOWS, generateDataset } from '../generate';
import * as server from '../localdb/server';
import { printJson, progress, table } from './output';
import { withPredictionCounts } from '../graph/prediction-counts';
import { formatPredictionCounts, registerReportCommand } from './report';
import { flowBenchSection, flowBenchWorkflows, renderFlowBench, type FlowBenchRow } from '../train/flowbench-eval';
import { evaluateModel, figure, formatEvaluation, metricsLine, trainAndSaveNormalOnly } from './detect';
import { fitProfile } from '../models/normal-profile';
import { MIN_NORMAL_RUNS, NORMAL_ONLY_DEFAULTS } from '../train/normal-only-train';

export const EXIT: Readonly<Record<WfadErrorCode, number>> = {
  BAD_CONFIG: 2,
  BAD_INPUT: 2,
  JAVA_MISSING: 2,
  BAD_MODEL: 2,
  PROVIDER_UNAVAILABLE: 2,
  NEO4J_UNAVAILABLE: 3,
  NOTHING_STORED: 4,
  NEO4J_START_FAILED: 5,
  MODEL_MISSING: 6,
};
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** `--port <port>`: 1-65535. Commander prints an InvalidArgumentError's message with the option's name. */
function portOption(v: string): number {
  const n = parsePort(v);
  if (n === undefined) throw new InvalidArgumentError('not a port number (expected an integer from 1 to 65535)');
  return n;
}

export function formatStats(s: Stats): string {
  const labels = [...new Set(s.workflows.flatMap((w) => Object.keys(w.runs)))].sort(labelOrder);
  const cats = ['normal', 'cpu', 'hdd', 'loss'];
  const rows = s.workflows.map((w) => [w.name, w.jobs, w.edges, w.templates, ...labels.map((l) => w.runs[l] ?? 0), ...cats.map((c) => w.runsByCategory[c] ?? 0), Object.values(w.runs).reduce((a, b) => a + b, 0)]);
  return `${table(['workflow', 'jobs', 'edges', 'templates', ...labels, ...cats.map((c) => `Σ${c}`), 'runs'], rows)}\nincomplete runs: ${s.incompleteRuns}`;
}

export function formatIngest(s: IngestSummary & Partial<Pick<ArrivalSummary, 'scored' | 'notScored'>>): string {
  const lines = [
    `ingested ${s.root}`,
    `  runs ${s.files}: ${s.runsStored} stored${s.runsUnlabelled ? ` (${s.runsUnlabelled} unlabelled)` : ''}, ${s.runsUnchanged} unchanged, ${s.rejected.length} rejected`,
    `  wrote ${s.jobs} jobs and ${s.edges} edges in ${s.seconds.toFixed(1)} s (parse ${s.timings.parseSeconds.toFixed(1)} s, write ${s.timings.writeSeconds.toFixed(1)} s)`,
    `  stored by ${s.storePath.path === 'bulk' ? "Neo4j's bulk importer" : 'write transactions'}: ${s.storePath.reason}`,
  ];
  if (s.sources.length) lines.push(`  read from: ${s.sources.map((x) => `${x.kind} ${x.runs} run(s) (${x.jobs} jobs, ${x.edges} edges)`).join('; ')}`);
  if (s.storedRuns.length <= 10) for (const r of s.storedRuns) lines.push(`    ${r.id}: ${r.kind} ${r.source}${r.state === 'running' ? ' (in progress)' : ''}`);
  const list = <T>(items: T[], show: (x: T) => string, head: string): void => {
    if (!items.length) return;
    const shown = items.slice(0, 5).map(show).join(', ');
    const more = items.length > 5 ? ` and ${items.length - 5} more (--json lists all)` : '';
    lines.push(`  ${head.replace('#', String(items.length))}: ${shown}${more}`);
  };
  list(s.ignoredFiles, (f) => f, 'ignored # file(s) that are not .csv run files');
  list(s.skipped, (x) => `${x.path} (${x.reason})`, 'did not read # entr(ies)');
  list(s.runsReplaced, (id) => id, 'replaced # run(s) stored while in progress with their newer content');
  for (const t of s.newTemplates) lines.push(`  new template: ${t.workflow} v${t.version} (${t.jobs} jobs, ${t.edges} edges) from ${t.origin}`);
  for (const d of s.derived) lines.push(`  derived ${d.count} ${d.prop} value(s) as ${d.how}`);
  if (s.sentinelValues) lines.push(`  ${s.sentinelValues} kickstart cpu_time values of -1 (no kickstart record) stored as missing`);
  list(s.extraColumns, (c) => `${c.column} → ${c.prop}`, 'stored # extra column(s) as job properties');
  for (const c of s.unstoredColumns) lines.push(`  column ${c.column} not stored in ${c.runs} run(s): ${c.reason}`);
  for (const n of s.notes) lines.push(`  note (${n.runs} run(s), e.g. ${n.example}): ${n.note}`);
  if (s.storedWithMissingColumns.length) {
    lines.push(`  ${s.storedWithMissingColumns.length} runs stored without some optional columns (values missing):`);
    for (const m of s.storedWithMissingColumns.slice(0, 20)) lines.push(`    ${m.file}: no ${m.columns.join(', ')}`);
    if (s.storedWithMissingColumns.length > 20) lines.push(`    … ${s.storedWithMissingColumns.length - 20} more (--json lists all)`);
  }
  if (s.rejected.length) {
    lines.push('  rejected:');
    for (const r of s.rejected) lines.push(`    ${r.file}: [${r.code}] ${r.reason}`);
  }
  if (s.scored !== undefined) {
    if (s.scored) lines.push(`  scored ${s.scored} new runs on arrival with the active models that fit them`);
    for (const n of s.notScored ?? []) lines.push(`  not scored: ${n.runs.length} runs (${n.runs.slice(0, 3).join(', ')}${n.runs.length > 3 ? ', …' : ''}): ${n.reason}`);
  }
  return lines.join('\n');
}

/** `--batch-jobs <n>`: a positive integer (anything else would put the whole dataset in one transaction). */
function batchJobsOption(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer (jobs per write transaction)');
  return n;
}

/** Runs `fn` on the configured Neo4j, or on the local server of `local` (the one `wfad db` manages). */
async function withGraph<T>(fn: (g: ReturnType<typeof openGraph>) => Promise<T>, local?: LocalServerConfig): Promise<T> {
  const conn = neo4jConnection();
  const g = openGraph(local ? { ...conn, uri: `bolt://${local.host}:${local.port}` } : conn);
  try {
    return await fn(g);
  } finally {
    await g.close();
  }
}

/** The ingest summary with what scoring on arrival did. */
export type IngestScoredSummary = IngestSummary & Pick<ArrivalSummary, 'scored' | 'notScored'>;

/** The active models of the database, each loaded from its folder for this command. */
function cliModels(g: ReturnType<typeof openGraph>, loaded: Predictor[]): ArrivalModels<{ id: string; path: string }> {
  return {
    active: () => activeModels(g),
    load: async (m) => {
      const p = await Predictor.load(m.path);
      loaded.push(p);
      return p;
    },
  };
}

async function runIngest(target: string, opts: { json?: boolean; batchJobs?: number; template?: string[]; unlabelled?: boolean; score?: boolean; bulk?: boolean }): Promise<IngestSummary> {
  const templates = (opts.template ?? []).map(parseTemplateOption);
  const bar = progress('ingest', Boolean(opts.json));
  try {
    const summary: IngestScoredSummary = await withGraph(async (g) => {
      const s = await ingest(g, target, { batchJobs: opts.batchJobs, templates, unlabelled: opts.unlabelled, bulk: opts.bulk === false ? 'never' : 'auto', log, onProgress: (d, t) => bar.update(d, t) });
      bar.stop();
      if (opts.score === false) return { ...s, scored: 0, notScored: s.storedRunIds.length ? [{ reason: 'scoring on arrival skipped (--no-score)', runs: s.storedRunIds }] : [] };
      const loaded: Predictor[] = [];
      try {
        const a = await scoreOnArrival(g, s.storedRunIds, cliModels(g, loaded));
        return { ...s, scored: a.scored, notScored: a.notScored };
      } finally {
        for (const p of loaded) await p.release();
      }
    });
    if (opts.json) {
      printJson({ ...summary, rejected: summary.rejected });
    } else {
      console.log(formatIngest(summary));
    }
    assertSomethingStored(summary);
    return summary;
  } finally {
    bar.stop();
  }
}

/** A JSON file of finished trainings, rewritten (atomically) after each one. */
function fileCache(file: string): OutcomeCache {
  const data: Record<string, TrainingOutcome> = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, TrainingOutcome>) : {};
  return {
    get: (key) => data[key],
    set: (key, value) => {
      data[key] = value;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(data));
      fs.renameSync(`${file}.tmp`, file);
    },
  };
}

export function buildProgram(): Command {
  const program = new Command('wfad')
    .description('Workflow anomaly detection with graph neural networks')
    .showHelpAfterError()
    .exitOverride();

  const db = program.command('db').description('the local Neo4j server (Neo4j Community 5.26, embedded DBMS with Bolt)');
  db.command('start')
    .description('start the local Neo4j on 127.0.0.1 (idempotent) and apply the schema')
    .option('--port <port>', 'Bolt port (default 7687 or $WFAD_NEO4J_PORT)', portOption)
    .option('--json', 'machine-readable output')
    .action(async (o: { port?: number; json?: boolean }) => {
      const cfg = localServerConfig(process.env, o.port ? { port: o.port } : {});
      const res = await server.start(cfg, log);
      // The schema goes to the server just started (on --port), whatever NEO4J_URI points at.
      const applied = await withGraph(async (g) => {
        await verify(g);
        return migrate(g);
      }, cfg);
      const st = await server.status(cfg);
      if (o.json) printJson({ ...st, started: res.started, migrationsApplied: applied });
      else console.log(`${res.started ? 'started' : 'already running'}: Neo4j on ${st.uri} (pid ${res.pid}, data in ${cfg.home})${applied.length ? `; applied ${applied.join(', ')}` : ''}`);
    });
  db.command('stop')
    .description('stop the local Neo4j (idempotent)')
    .option('--port <port>', 'Bolt port', portOption)
    .option('--json', 'machine-readable output')
    .action(async (o: { port?: number; json?: boolean }) => {
      const cfg = localServerConfig(process.env, o.port ? { port: o.port } : {});
      const res = await server.stop(cfg);
      if (o.json) printJson(res);
      else console.log(res.stopped ? 'stopped the local Neo4j' : 'the local Neo4j was not running');
    });
  db.command('status')
    .description('is the local Neo4j running and answering on Bolt?')
    .option('--port <port>', 'Bolt port', portOption)
    .option('--json', 'machine-readable output')
    .action(async (o: { port?: number; json?: boolean }) => {
      const cfg = localServerConfig(process.env, o.port ? { port: o.port } : {});
      const st = await server.status(cfg);
      if (o.json) printJson(st);
      else console.log(st.running ? `running: pid ${st.pid}, ${st.uri} ${st.boltAnswers ? 'answers' : 'does not answer yet'}, data in ${st.home}` : `not running (${st.built ? 'built' : 'not built yet'}; data in ${st.home})`);
      return;
    });
  db.command('reset')
    .description('wipe the local database (stops it, deletes its data, restarts it if it was running)')
    .option('--yes', 'really delete everything in the local database')
    .option('--port <port>', 'Bolt port', portOption)
    .action(async (o: { yes?: boolean; port?: number }) => {
      if (!o.yes) throw new WfadError('BAD_INPUT', 'refusing to wipe the local database without --yes');
      const cfg = localServerConfig(process.env, o.port ? { port: o.port } : {});
      const r = await server.reset(cfg, log);
      if (r.restarted) await withGraph((g) => migrate(g), cfg);
      console.log(`wiped the local database${r.restarted ? ' and restarted it' : ''}`);
    });
  db.command('build')
    .description('fetch Neo4j from Maven Central and compile the launcher (done automatically on first start)')
    .action(() => server.build(log, true));

  program
    .command('ingest')
    .description('store workflow runs in Neo4j: Pegasus submit directories (any depth; see docs/pegasus-submit-dirs.md) or Pegasus/Panorama CSV traces (<root>/adjacency_list_dags + <root>/data/<label>/*.csv; see docs/ingest.md)')
    .argument('<path>', 'a Pegasus submit directory (a *.stampede.db, or jobstate.log + the .dag file), a folder of them at any depth, or one *.stampede.db; or a CSV trace dataset: its root (with adjacency_list_dags/), its data/ folder, a label folder or one .csv file')
    .option('--template <workflow=file.json>', 'the DAG template of a workflow, whatever the file is called (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--unlabelled', 'every run has unknown truth, whatever folder it is in (per-job truth columns are not stored)')
    .option('--json', 'machine-readable summary')
    .option('--batch-jobs <n>', 'jobs per write transaction (default 5000): larger = fewer, bigger transactions', batchJobsOption)
    .option('--no-score', 'do not score the newly stored runs with the active models that fit them')
    .option('--no-bulk', 'always store with write transactions, never with the bulk importer (used by default for a large input into the empty local store; see docs/ingest.md)')
    .action(async (target: string, o: { json?: boolean; batchJobs?: number; template?: string[]; unlabelled?: boolean; score?: boolean; bulk?: boolean }) => {
      await runIngest(target, o);
    });

  program
    .command('delete')
    .description('delete stored runs whole: each run with its jobs and their predictions (to store a changed run again: a CONFLICT names it); sub-workflow runs stay, unlinked')
    .argument('<run-ids...>', 'run ids as stored (wfad report and the API show them)')
    .option('--yes', 'required: deleting cannot be undone')
    .option('--json', 'machine-readable summary')
    .action(async (ids: string[], o: { yes?: boolean; json?: boolean }) => {
      if (!o.yes) throw new WfadError('BAD_INPUT', `refusing to delete ${ids.length} run(s) without --yes`);
      const r = await withGraph(async (g) => {
        await verify(g);
        return deleteRuns(g, ids);
      });
      const missing = [...new Set(ids)].filter((id) => !r.deleted.includes(id));
      if (r.deleted.length === 0) throw new WfadError('BAD_INPUT', `no stored run has the id ${missing.map((id) => JSON.stringify(id)).join(', ')}; nothing deleted`);
      if (o.json) printJson({ ...r, notStored: missing });
      else {
        console.log(`deleted ${r.deleted.length} run(s) with ${r.jobs} jobs and ${r.predictions} run prediction(s): ${r.deleted.join(', ')}`);
        if (missing.length) console.log(`not stored (nothing to delete): ${missing.join(', ')}`);
      }
    });

  program
    .command('label')
    .description('give unlabelled runs a truth you know (e.g. runs that went fine: --as normal), for training and for the normal baseline reports compare jobs with; runs that have a truth keep it')
    .argument('<run-ids...>', 'run ids as stored (wfad report and the API show them)')
    .requiredOption('--as <label>', 'normal, or <cpu|hdd|loss>_<level> (e.g. cpu_2, hdd_50, loss_0.1)')
    .option('--json', 'machine-readable summary')
    .action(async (ids: string[], o: { as: string; json?: boolean }) => {
      const truth = parseLabel(o.as);
      if (!truth) throw new WfadError('BAD_INPUT', `--as ${JSON.stringify(o.as)}: expected normal or <cpu|hdd|loss>_<level>, e.g. cpu_2, hdd_50, loss_0.1`);
      const r = await withGraph(async (g) => {
        await verify(g);
        return labelRuns(g, ids, truth);
      });
      const had = new Set(r.alreadyLabelled.map((x) => x.id));
      const missing = [...new Set(ids)].filter((id) => !r.labelled.includes(id) && !had.has(id));
      if (r.labelled.length === 0 && r.alreadyLabelled.length === 0) throw new WfadError('BAD_INPUT', `no stored run has the id ${missing.map((id) => JSON.stringify(id)).join(', ')}; nothing labelled`);
      if (o.json) printJson({ ...r, notStored: missing });
      else {
        console.log(`labelled ${r.labelled.length} run(s) ${truth.label} (${r.jobs} jobs without truth of their own took it)${r.labelled.length ? `: ${r.labelled.join(', ')}` : ''}`);
        for (const x of r.alreadyLabelled) console.log(`kept: ${x.id} is labelled ${x.label} by its source (wfad delete it and ingest it again to change that)`);
        if (missing.length) console.log(`not stored (nothing to label): ${missing.join(', ')}`);
      }
    });

  program
    .command('generate')
    .description('write synthetic workflow runs (DAG templates + per-run CSV traces, the flowgad layout) for `wfad ingest`')
    .requiredOption('--workflow <name>', `${WORKFLOWS.join(', ')}, a comma list, or all (these five); ${LARGE_WORKFLOWS.join(', ')} (2,073 jobs, for scale tests)`)
    .requiredOption('--runs <n>', 'runs per workflow and label', (v) => Number(v))
    .option('--anomaly <label>', 'normal, cpu_<threads>, hdd_<MB/s>, loss_<percent>, a comma list, or all (the 14 labels of flowgad)', 'all')
    .option('--normal-runs <n>', 'runs per workflow of the normal label (default: --runs)', (v) => Number(v))
    .option('--seed <n>', 'random seed (same seed, same files)', (v) => Number(v), 0)
    .requiredOption('--out <dir>', 'output folder (gets adjacency_list_dags/ and data/<label>/)')
    .option('--json', 'machine-readable summary')
    .action((o: { workflow: string; runs: number; normalRuns?: number; anomaly: string; seed: number; out: string; json?: boolean }) => {
      const bar = progress('generate', Boolean(o.json));
      const split = (v: string): string[] => v.split(',').map((x) => x.trim()).filter(Boolean);
      const s = generateDataset({ workflows: split(o.workflow), labels: split(o.anomaly), runsPerLabel: o.runs, normalRuns: o.normalRuns, seed: o.seed, out: o.out, onProgress: (d, t) => bar.update(d, t) });
      bar.stop();
      if (o.json) printJson(s);
      else {
        const per = s.normalRuns !== s.runsPerLabel && s.labels.includes('normal') ? `${s.runsPerLabel} runs (normal: ${s.normalRuns})` : `${s.runsPerLabel} runs`;
        console.log(`wrote ${s.runs} runs (${s.jobs} jobs): ${s.workflows.length} workflows × ${s.labels.length} labels × ${per}, seed ${s.seed}, to ${s.out} in ${s.seconds.toFixed(1)} s`);
        console.log(`  labels: ${s.labels.join(', ')}`);
        console.log(`  store them with: wfad ingest ${s.out}`);
      }
    });

  program
    .command('stats')
    .description('per workflow: DAG size, runs by label and category, runs by predicted class per model that scored them, and the integrity check')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const s = await withGraph(async (g) => {
        await verify(g);
        return withPredictionCounts(g, await stats(g));
      });
      if (o.json) printJson(s);
      else console.log(`${formatStats(s)}\n\n${formatPredictionCounts(s.workflows)}`);
    });

  program
    .command('train')
    .description('train a GCN detector on the runs in Neo4j and save it under models/')
    .requiredOption('--workflow <name>', 'a workflow name, or "all" for one model over every workflow')
    .option('--level <level>', 'graph (one verdict per run) or node (one per job)', 'graph')
    .option('--task <task>', 'binary (normal/anomalous) or multiclass (normal/cpu/hdd/loss)', 'binary')
    .option('--arch <arch>', `${ARCHS.join(' | ')} (paper = the paper's architecture)`, DEFAULT_CONFIG.arch)
    .option('--direction <dir>', `edge direction: ${EDGE_DIRECTIONS.join(' | ')}`, DEFAULT_CONFIG.direction)
    .option('--protocol <p>', 'job level: paper (jobs sampled across runs) or run (split by run)', DEFAULT_CONFIG.protocol)
    .option('--seed <n>', 'random seed', (v) => Number(v), 0)
    .option('--epochs <n>', 'maximum epochs (early stopping on validation)', (v) => Number(v), DEFAULT_CONFIG.maxEpochs)
    .option('--out <dir>', 'where to save (default models/<workflow>-<level>-<task>, or …-normal-only)')
    .option('--detector <d>', 'supervised (a GCN trained on labelled runs) or normal-only (learns from normal runs alone)', 'supervised')
    .option('--assume-normal', 'normal-only: also learn from runs of unknown truth, taken as mostly normal (failed or still running runs are left out)')
    .option('--false-alarm-rate <a>', 'normal-only: share of held-out normal runs (jobs) allowed above the threshold', (v) => Number(v), NORMAL_ONLY_DEFAULTS.falseAlarmRate)
    .option('--normal-runs <n>', 'normal-only: learn from at most n normal runs per workflow (a label budget)', (v) => Number(v))
    .option('--json', 'machine-readable summary')
    .addHelpText('after', `\nnormal-only: each workflow needs at least ${MIN_NORMAL_RUNS} normal runs (~25–50 for a useful detector); with fewer, training refuses (exit 2).`)
    .action(async (o: { workflow: string; level: string; task: string; arch: string; direction: string; protocol: string; seed: number; epochs: number; out?: string; json?: boolean; detector: string; assumeNormal?: boolean; falseAlarmRate: number; normalRuns?: number }) => {
      const cfg = parseTrainOptions(o);
      if (o.detector !== 'supervised' && o.detector !== 'normal-only') throw new WfadError('BAD_INPUT', `--detector ${JSON.stringify(o.detector)}: expected supervised or normal-only`);
      if (o.detector === 'supervised' && (o.assumeNormal || o.normalRuns !== undefined)) throw new WfadError('BAD_INPUT', '--assume-normal and --normal-runs belong to --detector normal-only');
      if (!(o.falseAlarmRate > 0 && o.falseAlarmRate < 1)) throw new WfadError('BAD_INPUT', `--false-alarm-rate ${o.falseAlarmRate}: expected a number in (0, 1), e.g. 0.05`);
      if (o.normalRuns !== undefined && !(Number.isInteger(o.normalRuns) && o.normalRuns >= 1)) throw new WfadError('BAD_INPUT', `--normal-runs ${o.normalRuns}: expected a positive integer`);
      const runs = await withGraph(async (g) => {
        await verify(g);
        const labelled = o.detector === 'normal-only' ? {} : { labelled: true };
        return readRuns(g, o.workflow === 'all' ? labelled : { workflows: [o.workflow], ...labelled });
      });
      if (runs.length === 0) throw new WfadError('BAD_INPUT', `no stored ${o.detector === 'normal-only' ? '' : 'labelled '}runs for workflow "${o.workflow}"; ingest some first (wfad ingest <path>)`);
      // Unlabelled runs reach only the normal-only detector (and it uses them only with --assume-normal).
      const samples = o.detector === 'normal-only' ? runs.map(anySample) : labelledSamples(runs);
      if (o.detector === 'normal-only') {
        const name = `${o.workflow === 'all' ? 'ALL' : o.workflow}-${cfg.level}-normal-only`;
        const dir = path.resolve(o.out ?? path.join(PROJECT_ROOT, 'models', name));
        const r = trainAndSaveNormalOnly(samples, o.workflow === 'all' ? 'ALL' : o.workflow, { level: cfg.level, seed: cfg.seed, falseAlarmRate: o.falseAlarmRate, assumeNormal: Boolean(o.assumeNormal), budget: o.normalRuns ?? null }, dir, commandLine(), gitCommit());
        const t = r.card.metrics.test;
        const leftOut = r.card.training.leftOut ?? [];
        if (o.json) printJson({ model: dir, onnx: r.onnx, version: r.card.version, detector: 'normal-only', runs: samples.length, trainRuns: r.card.training.trainRuns, validationRuns: r.card.training.validationRuns, leftOut, threshold: r.card.normalOnly.threshold, seconds: r.card.seconds, test: t });
        else {
          console.log(`trained ${name} (normal-only) on ${r.card.training.trainRuns} normal runs, threshold from ${r.card.training.validationRuns} held-out normal runs at ${(o.falseAlarmRate * 100).toFixed(1)} % false alarms, in ${r.card.seconds.toFixed(1)} s; saved to ${dir} (model.onnx, MODEL_CARD.md)`);
          if (leftOut.length) console.log(`  left out (not taken as normal): ${leftOut.map((l) => `${l.runId} (${l.state})`).join(', ')}`);
          console.log(`  test: ${metricsLine(t)}`);
          console.log(table(['true \\ predicted', ...r.card.classes], t.confusion.map((row, i) => [r.card.classes[i] ?? String(i), ...row])));
        }
        return;
      }
      const bar = progress(`train ${o.workflow} ${cfg.level} ${cfg.task}`, Boolean(o.json));
      const result = train(samples, cfg, (e) => bar.update(e.epoch, cfg.maxEpochs));
      bar.stop();
      const name = `${o.workflow === 'all' ? 'ALL' : o.workflow}-${cfg.level}-${cfg.task}`;
      const dir = path.resolve(o.out ?? path.join(PROJECT_ROOT, 'models', name));
      // The normal profile of the training split's normal runs: what explanations compare jobs with.
      const profile = fitProfile(samples.filter((s, g) => result.graphSplit[g] === 0 && s.category === 'normal'));
      // Jobs sampled across runs ('paper' protocol) leave no held-out runs to evaluate on later.
      const testRuns = result.nodeSplit ? undefined : samples.filter((_, g) => result.graphSplit[g] === 2).map((s) => s.runId);
      const card = saveModel(dir, name, o.workflow === 'all' ? 'ALL' : o.workflow, samples, result, { profile, testRuns });
      const onnxFile = exportModelDir(dir).file;
      writeModelCard(dir, card, commandLine(), { commit: gitCommit() });
      const summary = { model: dir, onnx: onnxFile, version: card.version, runs: samples.length, epochs: result.epochs, bestEpoch: result.bestEpoch, seconds: card.seconds, test: result.test, val: { accuracy: result.val.accuracy } };
      if (o.json) printJson(summary);
      else {
        const t = result.test;
        console.log(`trained ${name} on ${samples.length} runs in ${card.seconds.toFixed(1)} s (${result.epochs} epochs, best ${result.bestEpoch}); saved to ${dir} (model.onnx, MODEL_CARD.md)`);
        console.log(`  test: ${metricsLine(t)}; precision ${figure(t, t.precision)}, recall ${figure(t, t.recall)}`);
        console.log(table(['true \\ predicted', ...result.classes], t.confusion.map((row, i) => [result.classes[i] ?? String(i), ...row])));
      }
    });

  program
    .command('evaluate')
    .description("a saved model on runs it did not train on: its test split, or every run of a workflow it never saw (transfer)")
    .requiredOption('--model <dir|name|id>', 'a model folder, a models/ name, or a registered "<name>@<version>"')
    .option('--workflow <name>', 'only this workflow (all its runs when the model was not trained on it)')
    .option('--json', 'machine-readable output')
    .action(async (o: { model: string; workflow?: string; json?: boolean }) => {
      const bar = progress('evaluate', Boolean(o.json));
      const r = await withGraph(async (g) => {
        await verify(g);
        return evaluateModel(g, await resolveModel(g, o.model), o.workflow, (d, t) => bar.update(d, t));
      });
      bar.stop();
      if (o.json) printJson(r);
      else console.log(formatEvaluation(r));
    });

  program
    .command('export')
    .description('write model.onnx (opset 17) beside a saved model\'s weights')
    .requiredOption('--model <dir>', 'a saved model folder (model.json + weights.bin)')
    .option('--profile', "first give a supervised model saved without one a normal profile for explanations: the stored normal runs of its workflows (its verdicts do not change)")
    .option('--json', 'machine-readable summary')
    .action(async (o: { model: string; json?: boolean; profile?: boolean }) => {
      if (o.profile) {
        const dir = path.resolve(o.model);
        const card = readCard(dir);
        if (card.detector === 'normal-only') throw new WfadError('BAD_INPUT', `--profile: ${dir} is a normal-only detector; its profile is the model itself`);
        const runs = await withGraph(async (g) => {
          await verify(g);
          return readRuns(g, { labelled: true, ...(card.workflow === 'ALL' ? {} : { workflows: [card.workflow] }) });
        });
        const normal = labelledSamples(runs).filter((s) => s.category === 'normal');
        if (normal.length === 0) throw new WfadError('BAD_INPUT', `--profile: no stored normal runs${card.workflow === 'ALL' ? '' : ` of ${card.workflow}`} to build the profile from`);
        card.profile = fitProfile(normal);
        fs.writeFileSync(path.join(dir, 'model.json'), `${JSON.stringify(card, null, 1)}\n`);
        log(`normal profile from ${normal.length} stored normal runs added to ${dir}/model.json`);
      }
      const r = exportModelDir(path.resolve(o.model));
      if (o.json) printJson({ file: r.file, bytes: r.bytes, name: r.card.name, version: r.card.version });
      else console.log(`wrote ${r.file} (${r.bytes} bytes, ${r.card.name}@${r.card.version})`);
    });

  program
    .command('score')
    .description('score stored runs with an ONNX model and write the predictions into Neo4j (re-runnable: one prediction per run/job per model version)')
    .option('--model <dir|id>', 'a model folder, a models/ name, or a registered "<name>@<version>"', 'ALL-graph-binary')
    .option('--workflow <name>', 'score only this workflow\'s runs')
    .option('--all', 'score every stored run (the default)')
    .option('--activate', 'make this model the active one of its level and task')
    .option('--page-size <n>', 'runs read and scored per page (default: about 25,000 jobs, 10 to 1,000 runs)', (v) => Number(v))
    .option('--write-batch <n>', 'predictions per write transaction (default 1000 runs / 5000 jobs; rows wait across pages for a full batch)', (v) => Number(v))
    .option('--json', 'machine-readable summary')
    .action(async (o: { model: string; workflow?: string; all?: boolean; activate?: boolean; pageSize?: number; writeBatch?: number; json?: boolean }) => {
      if (o.workflow && o.all) throw new WfadError('BAD_INPUT', 'give either --workflow <name> or --all, not both');
      for (const [flag, v] of [['--page-size', o.pageSize], ['--write-batch', o.writeBatch]] as const) {
        if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new WfadError('BAD_INPUT', `${flag} ${v}: expected a positive integer`);
      }
      const summary = await withGraph(async (g) => {
        await verify(g);
        await migrate(g);
        const dir = await resolveModel(g, o.model);
        const predictor = await Predictor.load(dir);
        try {
          const asked = o.workflow ? [o.workflow] : undefined;
          const uncovered = o.workflow ? predictor.notCovering(o.workflow) : null;
          if (uncovered && (await countRuns(g, { workflows: [o.workflow as string] })) === 0) throw new WfadError('BAD_INPUT', `no stored runs for workflow "${o.workflow}"`);
          if (uncovered) throw new WfadError('BAD_INPUT', `--workflow ${o.workflow}: ${uncovered}; it does not score other workflows' runs (train one on it: wfad train --workflow ${o.workflow})`);
          // A model scores the workflows it was trained on (Predictor.coveredWorkflows) and no others:
          // scoreRuns reads those and lists the stored runs of the others as not scored.
          const covered = predictor.coveredWorkflows;
          if (!o.workflow && predictor.workflow !== 'ALL') log(`model ${predictor.modelId} was trained on ${predictor.workflow} only: scoring its runs`);
          const workflows = asked ?? (covered ? [...covered] : undefined);
          const total = await countRuns(g, workflows ? { workflows } : {});
          if (total === 0 && covered && !o.workflow) {
            const others = await runsOutside(g, null, covered);
            if (others.length) {
              throw new WfadError(
                'BAD_INPUT',
                `model ${predictor.modelId} scores runs of ${covered.join(', ')} only, and none is stored; the stored runs are of ${others.map((w) => `${w.workflow} (${w.runs})`).join(', ')}: train a model on them (wfad train --workflow <name>, or --detector normal-only for unlabelled runs)`,
              );
            }
          }
          if (total === 0) throw new WfadError('BAD_INPUT', workflows ? `no stored runs for workflow "${workflows.join(', ')}"` : 'no stored runs; ingest some first (wfad ingest <path>)');
          const bar = progress(`score ${predictor.name}`, Boolean(o.json));
          const s = await scoreRuns(g, predictor, { workflows: asked, activate: o.activate, pageSize: o.pageSize, writeBatch: o.writeBatch, onProgress: (n) => bar.update(n, total) });
          bar.stop();
          return s;
        } finally {
          await predictor.release();
        }
      });
      if (o.json) printJson(summary);
      else console.log(formatScore(summary));
    });

  program
    .command('reproduce')
    .description("the paper's evaluation: all 24 configurations over several seeds, a Markdown report with the paper's figures beside ours")
    .option('--seeds <n>', 'seeds per configuration', (v) => Number(v), 5)
    .option('--out <dir>', 'report folder', path.join(PROJECT_ROOT, 'bench', 'results', 'reproduce'))
    .option('--arch <arch>', `${ARCHS.join(' | ')}`, DEFAULT_CONFIG.arch)
    .option('--epochs <n>', 'maximum epochs per training', (v) => Number(v), DEFAULT_CONFIG.maxEpochs)
    .option('--fresh', 'ignore trainings cached by an earlier (interrupted) run')
    .option('--max-minutes <m>', 'time budget: start no new training after it; cells report the seeds they have', (v) => Number(v))
    .option('--flowbench', 'only the Flow-Bench section: job-level detection on the workflows with per-job truth (FLOWBENCH.md in --out)')
    .option('--normal-only', 'with --flowbench: the normal-only detector alone (skips the supervised GCN trainings)')
    .option('--json', 'print the results as JSON')
    .action(async (o: { seeds: number; out: string; arch: string; epochs: number; fresh?: boolean; maxMinutes?: number; json?: boolean; flowbench?: boolean; normalOnly?: boolean }) => {
      if (o.maxMinutes !== undefined && !(o.maxMinutes > 0)) throw new WfadError('BAD_INPUT', `--max-minutes ${o.maxMinutes}: expected a positive number`);
      if (!Number.isInteger(o.seeds) || o.seeds < 1) throw new WfadError('BAD_INPUT', `--seeds ${o.seeds}: expected a positive integer`);
      const { arch, maxEpochs } = parseTrainOptions({ level: 'graph', task: 'binary', arch: o.arch, direction: DEFAULT_CONFIG.direction, protocol: 'run', seed: 0, epochs: o.epochs });
      const runs = await withGraph(async (g) => {
        await verify(g);
        return readRuns(g, { labelled: true });
      });
      if (runs.length === 0) throw new WfadError('BAD_INPUT', 'no stored runs; ingest the dataset first (wfad ingest <path>)');
      const all = labelledSamples(runs);
      // One time budget for the whole command: no training starts after it.
      const deadline = o.maxMinutes ? performance.now() + o.maxMinutes * 60_000 : undefined;
      const fbWorkflows = new Set(flowBenchWorkflows(all));
      const flowBench = (): { file: string; rows: FlowBenchRow[] } => {
        const t0 = performance.now();
        const cmd = `wfad reproduce --flowbench --seeds ${o.seeds}${o.epochs !== DEFAULT_CONFIG.maxEpochs ? ` --epochs ${o.epochs}` : ''}${o.normalOnly ? ' --normal-only' : ''}`;
        const rows = flowBenchSection(all, { seeds: o.seeds, base: { arch, maxEpochs }, skipSupervised: o.normalOnly, deadline, onStep: (what) => !o.json && log(`  ${what}`) });
        const dir = path.resolve(o.out);
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, 'FLOWBENCH.md');
        fs.writeFileSync(file, renderFlowBench(rows, cmd, o.seeds, (performance.now() - t0) / 1000, os.loadavg().map((v) => v.toFixed(2)).join(', ')));
        fs.writeFileSync(path.join(dir, 'flowbench.json'), `${JSON.stringify(rows, null, 1)}\n`);
        return { file, rows };
      };
      if (o.flowbench) {
        const r = flowBench();
        if (o.json) printJson(r.rows);
        else console.log(`wrote ${r.file}`);
        return;
      }
      // The paper's tables are over the workflows without per-job truth (the flowgad layout).
      const samples = all.filter((s) => !fbWorkflows.has(s.workflow));
      const bar = progress('reproduce', Boolean(o.json));
      // Finished trainings are kept in a cache file: an interrupted run resumes where it stopped.
      const cacheFile = path.join(PROJECT_ROOT, '.wfad', 'reproduce-cache.json');
      if (o.fresh) fs.rmSync(cacheFile, { force: true });
      const cache = fileCache(cacheFile);
      const result = reproduce(samples, { seeds: o.seeds, base: { arch, maxEpochs }, cache, dataKey: fingerprint(samples).slice(0, 16), deadline, onStep: (d, t, what) => {
        bar.update(d, t);
        if (!process.stderr.isTTY && !o.json) log(`  ${what}`);
      } });
      bar.stop();
      const file = writeReport(path.resolve(o.out), result, `wfad reproduce --seeds ${o.seeds}${o.arch !== DEFAULT_CONFIG.arch ? ` --arch ${o.arch}` : ''}${o.epochs !== DEFAULT_CONFIG.maxEpochs ? ` --epochs ${o.epochs}` : ''}${o.maxMinutes ? ` --max-minutes ${o.maxMinutes}` : ''}`);
      const fb = fbWorkflows.size ? flowBench() : null;
      if (o.json) printJson({ ...result, flowBench: fb?.rows ?? [] });
      else console.log(`wrote ${file} (${result.seconds.toFixed(0)} s)${fb ? ` and ${fb.file}` : ''}`);
    });

  program
    .command('serve')
    .description('the GraphQL API for analysts, Grafana and notebooks (http://127.0.0.1:4000/graphql, /health, /ready)')
    .option('--port <port>', 'HTTP port (default 4000 or $WFAD_API_PORT)', portOption)
    .option('--host <host>', 'address to listen on (default 127.0.0.1 or $WFAD_API_HOST)')
    .action(async (o: { port?: number; host?: string }) => {
      const server = await startApiServer({ config: apiConfig(process.env, { ...(o.port ? { port: o.port } : {}), ...(o.host ? { host: o.host } : {}) }) });
      log(`wfad API on ${server.url} (Ctrl-C stops it)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await server.close();
    });

  program
    .command('start')
    .description('the main job: local Neo4j, a generated sample (or a dataset) when the database is empty, models, scores, the GraphQL API')
    .argument('[dataset]', 'a dataset to ingest instead of the generated sample (when the database is empty)')
    .option('--port <port>', 'API port (default 4000 or $WFAD_API_PORT)', portOption)
    .option('--runs <n>', 'generated runs per workflow and label', (v) => Number(v), 4)
    .action(async (dataset: string | undefined, o: { port?: number; runs: number }) => {
      if (dataset && !fs.existsSync(dataset)) throw new WfadError('BAD_INPUT', `no dataset at ${dataset}`);
      if (!Number.isInteger(o.runs) || o.runs < 1) throw new WfadError('BAD_INPUT', `--runs ${o.runs}: expected a positive integer`);
      await start({ dataset, port: o.port, runs: o.runs, log });
    });

  // One run in the terminal, pegasus-analyzer style (src/cli/report.ts).
  registerReportCommand(program);
  return program;
}

export function formatScore(s: ScoreSummary): string {
  const what = s.level === 'graph' ? 'runs' : 'jobs';
  return [
    `scored ${s.runs} runs with ${s.model} on ${s.provider} in ${s.seconds.toFixed(2)} s: ${Math.round(s.runsPerSecond)} runs/s (${s.sessionRuns} session.run calls)`,
    `  wrote ${s.predictions} predictions (${s.level} level)${s.missing ? `; ${s.missing} ${what} vanished while scoring` : ''}; ${s.active ? 'active model' : 'not the active model (--activate to switch)'}`,
    `  predicted ${what}: ${Object.entries(s.predicted).map(([c, n]) => `${c} ${n}`).join(', ')}`,
    ...s.notCovered.map((o) => `  not scored: ${o.runs} runs of ${o.workflow} (${o.reason})`),
  ].join('\n');
}

/** --model: a folder (or .onnx file), a name under models/, or a registered model id. */
export async function resolveModel(g: ReturnType<typeof openGraph>, spec: string): Promise<string> {
  if (fs.existsSync(spec)) return path.resolve(spec);
  const named = path.join(PROJECT_ROOT, 'models', spec);
  if (!spec.includes('@') && fs.existsSync(named)) return named;
  if (spec.includes('@')) {
    const stored = await modelPath(g, spec);
    if (stored) return stored;
  }
  const shipped = fs.existsSync(path.join(PROJECT_ROOT, 'models')) ? fs.readdirSync(path.join(PROJECT_ROOT, 'models')).filter((d) => fs.existsSync(path.join(PROJECT_ROOT, 'models', d, 'model.onnx'))) : [];
  throw new WfadError('BAD_INPUT', `--model ${spec}: no such folder, models/ name or registered model id; models/ has ${shipped.join(', ') || 'none'}`);
}

/** How this process was invoked, as a user would type it (for model cards). */
function commandLine(): string {
  const q = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['wfad', ...process.argv.slice(2)].map(q).join(' ');
}

function gitCommit(): string | undefined {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function parseTrainOptions(o: { level: string; task: string; arch: string; direction: string; protocol: string; seed: number; epochs: number }): TrainConfig {
  const oneOf = <T extends string>(flag: string, v: string, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(v)) throw new WfadError('BAD_INPUT', `--${flag} ${JSON.stringify(v)}: expected one of ${allowed.join(', ')}`);
    return v as T;
  };
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new WfadError('BAD_INPUT', `--seed ${o.seed}: expected a non-negative integer`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new WfadError('BAD_INPUT', `--epochs ${o.epochs}: expected a positive integer`);
  return {
    ...DEFAULT_CONFIG,
    level: oneOf('level', o.level, ['graph', 'node'] as const),
    task: oneOf('task', o.task, ['binary', 'multiclass'] as const),
    arch: oneOf('arch', o.arch, ARCHS),
    direction: oneOf('direction', o.direction, EDGE_DIRECTIONS),
    protocol: oneOf('protocol', o.protocol, ['paper', 'run'] as const),
    seed: o.seed,
    maxEpochs: o.epochs,
  };
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof WfadError) {
      log(`wfad: ${err.code}: ${err.message}`);
      return EXIT[err.code] ?? 1;
    }
    log(`wfad: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
