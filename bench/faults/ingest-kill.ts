/**
 * Ingest killed with SIGKILL at seeded random points. Trials run in rounds: each round starts from
 * an empty database, kills the CLI ingest several times in a row (no wipe in between, so later
 * kills land while earlier runs are stored), then runs it to completion. After every kill: no
 * partial run, no orphan job, no edge outside a run's DAG, the run count never goes down; after
 * every completion: exactly the counts a clean ingest gives, computed by parsing the files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Graph } from '../../src/graph/driver';
import { stats } from '../../src/graph/stats';
import { discover } from '../../src/ingest/dataset';
import type { IngestSummary } from '../../src/ingest/pipeline';
import { loadTemplates } from '../../src/ingest/template';
import { parseRunFile } from '../../src/ingest/trace';
import { Rng } from '../../src/nn/random';
import { quiesce, runAndKill } from './process';

export interface CleanCounts {
  files: number;
  runs: number;
  jobs: number;
  edges: number;
  /** "<workflow>|<label>" → runs. */
  byWorkflowLabel: Record<string, number>;
}

/** What a clean ingest of `target` stores, computed from the files alone (no database). */
export function cleanCounts(target: string): CleanCounts {
  const ds = discover(target);
  const { templates } = loadTemplates(ds.templatesDir as string);
  const out: CleanCounts = { files: ds.files.length, runs: 0, jobs: 0, edges: 0, byWorkflowLabel: {} };
  for (const f of ds.files) {
    const r = parseRunFile({ source: f, labelFolder: path.basename(path.dirname(f)), fileName: path.basename(f), bytes: fs.readFileSync(f) }, templates);
    if ('reason' in r) continue;
    out.runs++;
    out.jobs += r.jobs.length;
    out.edges += r.edges.length;
    const k = `${r.workflow}|${r.truth?.label ?? 'unlabelled'}`;
    out.byWorkflowLabel[k] = (out.byWorkflowLabel[k] ?? 0) + 1;
  }
  return out;
}

export interface StoreState {
  runs: number;
  jobs: number;
  edges: number;
  incompleteRuns: number;
  orphanJobs: number;
  /** FEEDS relationships joining jobs of two different runs. */
  crossRunEdges: number;
  /** Jobs/edges the stored runs' templates call for (equal to jobs/edges when nothing is partial). */
  templateJobs: number;
  templateEdges: number;
  byWorkflowLabel: Record<string, number>;
}

async function one(graph: Graph, cypher: string): Promise<number> {
  const res = await graph.read((tx) => tx.run(cypher));
  return (res.records[0]?.get(0) as number | null) ?? 0;
}

/** The integrity figures of the store (`wfad stats`' incompleteRuns plus raw counts). */
export async function storeState(graph: Graph): Promise<StoreState> {
  const s = await stats(graph);
  const byWorkflowLabel: Record<string, number> = {};
  for (const w of s.workflows) for (const [label, n] of Object.entries(w.runs)) if (n > 0) byWorkflowLabel[`${w.name}|${label}`] = n;
  const tmpl = await graph.read((tx) => tx.run('MATCH (r:Run)-[:USES_TEMPLATE]->(t:Template) RETURN count(r) AS runs, sum(t.jobCount) AS jobs, sum(t.edgeCount) AS edges'));
  const t = tmpl.records[0];
  return {
    runs: await one(graph, 'MATCH (r:Run) RETURN count(r)'),
    jobs: await one(graph, 'MATCH (j:Job) RETURN count(j)'),
    edges: await one(graph, 'MATCH (:Job)-[f:FEEDS]->(:Job) RETURN count(f)'),
    incompleteRuns: s.incompleteRuns,
    orphanJobs: await one(graph, 'MATCH (j:Job) WHERE NOT (j)<-[:HAS_JOB]-(:Run) RETURN count(j)'),
    crossRunEdges: await one(graph, 'MATCH (a:Job)-[:FEEDS]->(b:Job) WHERE a.runId <> b.runId RETURN count(*)'),
    templateJobs: (t?.get('jobs') as number | null) ?? 0,
    templateEdges: (t?.get('edges') as number | null) ?? 0,
    byWorkflowLabel,
  };
}

/** Violations of "no partial run" in a state (empty when the store is whole). */
export function partialProblems(s: StoreState): string[] {
  const p: string[] = [];
  if (s.incompleteRuns !== 0) p.push(`${s.incompleteRuns} incomplete runs`);
  if (s.orphanJobs !== 0) p.push(`${s.orphanJobs} orphan jobs`);
  if (s.crossRunEdges !== 0) p.push(`${s.crossRunEdges} edges across runs`);
  if (s.jobs !== s.templateJobs) p.push(`${s.jobs} jobs stored, the stored runs' DAGs have ${s.templateJobs}`);
  if (s.edges !== s.templateEdges) p.push(`${s.edges} edges stored, the stored runs' DAGs have ${s.templateEdges}`);
  return p;
}

/** Differences between a store and the clean counts (empty when equal). */
export function countProblems(s: StoreState, clean: CleanCounts): string[] {
  const p: string[] = [];
  if (s.runs !== clean.runs) p.push(`runs ${s.runs} ≠ ${clean.runs}`);
  if (s.jobs !== clean.jobs) p.push(`jobs ${s.jobs} ≠ ${clean.jobs}`);
  if (s.edges !== clean.edges) p.push(`edges ${s.edges} ≠ ${clean.edges}`);
  for (const k of new Set([...Object.keys(s.byWorkflowLabel), ...Object.keys(clean.byWorkflowLabel)])) {
    if ((s.byWorkflowLabel[k] ?? 0) !== (clean.byWorkflowLabel[k] ?? 0)) p.push(`${k}: ${s.byWorkflowLabel[k] ?? 0} ≠ ${clean.byWorkflowLabel[k] ?? 0}`);
  }
  return p;
}

/** Where a kill landed, from what the server and the store showed. */
export type KillPhase = 'write transaction open' | 'start-up or parse' | 'between commits';

export interface IngestKillTrial {
  round: number;
  /** Planned delay after spawn (ms). */
  delayMs: number;
  killed: boolean;
  atMs: number;
  phase: KillPhase | 'finished first';
  runsBefore: number;
  runsAfter: number;
  problems: string[];
}

export interface IngestRound {
  round: number;
  kills: number;
  /** The completing re-run: runs it stored, runs it found already stored (null: the round's last trial ran to completion). */
  rerun: { runsStored: number; runsUnchanged: number; seconds: number } | null;
  problems: string[];
}

export interface IngestKillResult {
  target: string;
  seed: number;
  batchJobs: number | null;
  clean: CleanCounts;
  /** Wall time of one uninterrupted CLI ingest into an empty database. */
  cleanMs: number;
  /** Kill points were drawn in [0, this): the fastest uninterrupted ingest from empty seen. */
  fastestMs: number;
  trials: IngestKillTrial[];
  rounds: IngestRound[];
  kills: number;
  phases: Record<string, number>;
  /** Trials or rounds with a violated guarantee (0 is the pass). */
  failures: number;
}

export interface IngestKillOptions {
  graph: Graph;
  /** Dataset root, data/ or a label folder. */
  target: string;
  /** Kills wanted (≥ 20 in the issue). */
  kills: number;
  killsPerRound?: number;
  seed?: number;
  /** --batch-jobs for the CLI (smaller: more commits per ingest, so more kill points between them). */
  batchJobs?: number;
  wipe: (graph: Graph) => Promise<void>;
  log?: (line: string) => void;
}

async function completeIngest(args: string[]): Promise<IngestSummary> {
  const r = await runAndKill([...args, '--json'], 3_600_000);
  if (r.exitCode !== 0) throw new Error(`wfad ${args.join(' ')} failed (exit ${r.exitCode}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as IngestSummary;
}

export async function ingestKillTrials(o: IngestKillOptions): Promise<IngestKillResult> {
  const log = o.log ?? (() => undefined);
  const seed = o.seed ?? 7;
  const rng = new Rng(seed);
  const perRound = o.killsPerRound ?? 5;
  const args = ['ingest', o.target, ...(o.batchJobs ? ['--batch-jobs', String(o.batchJobs)] : [])];
  const clean = cleanCounts(o.target);
  log(`ingest-kill: ${clean.files} files → ${clean.runs} runs, ${clean.jobs} jobs, ${clean.edges} edges when clean`);

  // Calibration: one uninterrupted ingest into an empty database, also checked against the clean counts.
  await o.wipe(o.graph);
  const c0 = performance.now();
  await completeIngest(args);
  const cleanMs = performance.now() - c0;
  const calib = await storeState(o.graph);
  const calibProblems = [...partialProblems(calib), ...countProblems(calib, clean)];
  if (calibProblems.length) throw new Error(`an uninterrupted ingest does not give the clean counts: ${calibProblems.join('; ')}`);
  log(`ingest-kill: an uninterrupted ingest took ${(cleanMs / 1000).toFixed(1)} s`);
  // Kill points are drawn below the fastest uninterrupted ingest seen so far (a shared machine's
  // load varies; a bound from one slow run would let most trials finish before their kill).
  let fastestMs = cleanMs;

  const trials: IngestKillTrial[] = [];
  const rounds: IngestRound[] = [];
  let kills = 0;
  let attempts = 0;
  for (let round = 1; kills < o.kills && attempts < o.kills * 3; round++) {
    await o.wipe(o.graph);
    let roundKills = 0;
    let previous = 0;
    while (roundKills < perRound && kills < o.kills && attempts < o.kills * 3) {
      attempts++;
      const delayMs = Math.round(rng.uniform(0, fastestMs));
      const r = await runAndKill(args, delayMs, { probe: o.graph });
      // The server finishes (commits or rolls back) the dead client's transaction first.
      await quiesce(o.graph);
      const s = await storeState(o.graph);
      const problems = r.killed ? partialProblems(s) : [...partialProblems(s), ...countProblems(s, clean)];
      if (s.runs < previous) problems.push(`run count went down: ${previous} → ${s.runs}`);
      if (!r.killed && r.exitCode !== 0) problems.push(`the ingest exited ${r.exitCode}: ${r.stderr.slice(-500)}`);
      const phase: IngestKillTrial['phase'] = !r.killed ? 'finished first' : r.openTransactions > 0 ? 'write transaction open' : s.runs > previous ? 'between commits' : 'start-up or parse';
      trials.push({ round, delayMs, killed: r.killed, atMs: Math.round(r.atMs), phase, runsBefore: previous, runsAfter: s.runs, problems });
      log(`ingest-kill: round ${round} ${r.killed ? `kill ${kills + 1}/${o.kills} at ${Math.round(r.atMs)} ms (${phase})` : `finished before ${delayMs} ms`}: ${s.runs}/${clean.runs} runs stored${problems.length ? `; PROBLEMS: ${problems.join('; ')}` : ''}`);
      previous = s.runs;
      if (!r.killed) {
        if (r.exitCode === 0 && trials.filter((t) => t.round === round).length === 1) fastestMs = Math.min(fastestMs, r.atMs);
        break;
      }
      kills++;
      roundKills++;
    }
    // A round that ended with an uninterrupted ingest was checked against the clean counts above.
    if (trials[trials.length - 1]?.killed === false) {
      rounds.push({ round, kills: roundKills, rerun: null, problems: [] });
      continue;
    }
    const again = await completeIngest(args);
    const s = await storeState(o.graph);
    const problems = [...partialProblems(s), ...countProblems(s, clean)];
    if (again.runsUnchanged !== previous) problems.push(`re-run found ${again.runsUnchanged} runs already stored, ${previous} were`);
    rounds.push({ round, kills: roundKills, rerun: { runsStored: again.runsStored, runsUnchanged: again.runsUnchanged, seconds: again.seconds }, problems });
    log(`ingest-kill: round ${round} re-run: ${again.runsStored} stored + ${again.runsUnchanged} unchanged = ${s.runs} runs, ${s.jobs} jobs, ${s.edges} edges${problems.length ? `; PROBLEMS: ${problems.join('; ')}` : ' (clean counts)'}`);
  }
  const phases: Record<string, number> = {};
  for (const t of trials) phases[t.phase] = (phases[t.phase] ?? 0) + 1;
  const failures = trials.filter((t) => t.problems.length).length + rounds.filter((r) => r.problems.length).length;
  return { target: o.target, seed, batchJobs: o.batchJobs ?? null, clean, cleanMs: Math.round(cleanMs), fastestMs: Math.round(fastestMs), trials, rounds, kills, phases, failures };
}
