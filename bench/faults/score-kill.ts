/**
 * `wfad score` killed with SIGKILL at seeded random points, then run to completion, for each model
 * given (graph- and job-level). After every kill: no duplicate prediction, every prediction hangs
 * off exactly one run/job and links to exactly its model, the count never goes down; after every
 * completion: exactly one prediction per run (graph level) or per job (job level) per model version.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Graph } from '../../src/graph/driver';
import { Rng } from '../../src/nn/random';
import { quiesce, runAndKill } from './process';

export interface PredictionState {
  targets: number;
  predictions: number;
  /** Targets without a prediction of the model. */
  missing: number;
  /** Targets with more than one prediction of the model. */
  duplicated: number;
  /** Predictions not on exactly one target, or not linked to exactly their model. */
  malformed: number;
}

export async function predictionState(graph: Graph, modelId: string, level: 'graph' | 'node'): Promise<PredictionState> {
  const target = level === 'graph' ? 'Run' : 'Job';
  const per = await graph.read((tx) =>
    tx.run(
      `MATCH (t:${target}) OPTIONAL MATCH (t)-[:HAS_PREDICTION]->(p:Prediction {modelId: $m})
       WITH t, count(p) AS n
       RETURN count(t) AS targets, sum(n) AS predictions, sum(CASE WHEN n = 0 THEN 1 ELSE 0 END) AS missing, sum(CASE WHEN n > 1 THEN 1 ELSE 0 END) AS duplicated`,
      { m: modelId },
    ),
  );
  const bad = await graph.read((tx) =>
    tx.run(
      `MATCH (p:Prediction {modelId: $m})
       WHERE COUNT { (:${target})-[:HAS_PREDICTION]->(p) } <> 1 OR COUNT { ()-[:HAS_PREDICTION]->(p) } <> 1
          OR COUNT { (p)-[:BY_MODEL]->(:Model {id: $m}) } <> 1 OR COUNT { (p)-[:BY_MODEL]->() } <> 1
       RETURN count(p) AS n`,
      { m: modelId },
    ),
  );
  const r = per.records[0];
  const n = (k: string): number => (r?.get(k) as number | null) ?? 0;
  return { targets: n('targets'), predictions: n('predictions'), missing: n('missing'), duplicated: n('duplicated'), malformed: (bad.records[0]?.get('n') as number) ?? 0 };
}

export type ScoreKillPhase = 'write transaction open' | 'between writes' | 'start-up, read or inference';

export interface ScoreKillTrial {
  model: string;
  delayMs: number;
  killed: boolean;
  atMs: number;
  phase: ScoreKillPhase | 'finished first';
  predictionsBefore: number;
  predictionsAfter: number;
  problems: string[];
}

export interface ScoreModelResult {
  model: string;
  level: 'graph' | 'node';
  targets: number;
  cleanMs: number;
  /** Kill points were drawn in [0.3, 1) × this: the fastest uninterrupted run from no predictions. */
  fastestMs: number;
  kills: number;
  /** The state after the final, uninterrupted run. */
  final: PredictionState;
  problems: string[];
}

export interface ScoreKillResult {
  seed: number;
  trials: ScoreKillTrial[];
  models: ScoreModelResult[];
  kills: number;
  phases: Record<string, number>;
  failures: number;
}

export interface ScoreKillOptions {
  graph: Graph;
  /** Model folders (model.json + model.onnx). */
  models: string[];
  killsPerModel: number;
  seed?: number;
  /** --page-size / --write-batch for the CLI (small: more writes per run, more kill points between them). */
  pageSize?: number;
  writeBatch?: number;
  log?: (line: string) => void;
}

function duringProblems(s: PredictionState): string[] {
  const p: string[] = [];
  if (s.duplicated) p.push(`${s.duplicated} targets with duplicate predictions`);
  if (s.malformed) p.push(`${s.malformed} predictions not linked to exactly one target and their model`);
  return p;
}

function finalProblems(s: PredictionState): string[] {
  const p = duringProblems(s);
  if (s.missing) p.push(`${s.missing} of ${s.targets} targets without a prediction`);
  if (s.predictions !== s.targets) p.push(`${s.predictions} predictions for ${s.targets} targets`);
  return p;
}

async function deletePredictions(graph: Graph, modelId: string): Promise<void> {
  await graph.write((tx) => tx.run('MATCH (p:Prediction {modelId: $m}) DETACH DELETE p', { m: modelId }));
}

export async function scoreKillTrials(o: ScoreKillOptions): Promise<ScoreKillResult> {
  const log = o.log ?? (() => undefined);
  const seed = o.seed ?? 11;
  const rng = new Rng(seed);
  const trials: ScoreKillTrial[] = [];
  const models: ScoreModelResult[] = [];
  for (const dir of o.models) {
    const card = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as { name: string; version: string; level: 'graph' | 'node' };
    const modelId = `${card.name}@${card.version}`;
    const args = ['score', '--model', dir, ...(o.pageSize ? ['--page-size', String(o.pageSize)] : []), ...(o.writeBatch ? ['--write-batch', String(o.writeBatch)] : [])];
    const complete = async (): Promise<number> => {
      const t0 = performance.now();
      const r = await runAndKill([...args, '--json'], 3_600_000);
      if (r.exitCode !== 0) throw new Error(`wfad ${args.join(' ')} failed (exit ${r.exitCode}): ${r.stderr.slice(-2000)}`);
      return performance.now() - t0;
    };
    // Calibration: an uninterrupted run from no predictions; kill points are drawn below its time.
    await deletePredictions(o.graph, modelId);
    const cleanMs = await complete();
    const calib = await predictionState(o.graph, modelId, card.level);
    const calibProblems = finalProblems(calib);
    if (calibProblems.length) throw new Error(`an uninterrupted wfad score is wrong: ${calibProblems.join('; ')}`);
    log(`score-kill: ${modelId}: ${calib.targets} ${card.level === 'graph' ? 'runs' : 'jobs'}, an uninterrupted run takes ${(cleanMs / 1000).toFixed(1)} s`);
    await deletePredictions(o.graph, modelId);

    let kills = 0;
    let previous = 0;
    // Kill points: uniform in [30 %, 100 %) of the fastest uninterrupted run seen (a loaded
    // machine's first run is slow); below 30 % the CLI is still loading onnxruntime and the model.
    let fastestMs = cleanMs;
    for (let attempt = 0; kills < o.killsPerModel && attempt < o.killsPerModel * 3; attempt++) {
      const delayMs = Math.round(rng.uniform(0.3 * fastestMs, fastestMs));
      const r = await runAndKill(args, delayMs, { probe: o.graph });
      // The server finishes (commits or rolls back) the dead client's transaction first.
      await quiesce(o.graph);
      const s = await predictionState(o.graph, modelId, card.level);
      const problems = r.killed ? duringProblems(s) : finalProblems(s);
      if (s.predictions < previous) problems.push(`predictions went down: ${previous} → ${s.predictions}`);
      if (!r.killed && r.exitCode !== 0) problems.push(`wfad score exited ${r.exitCode}: ${r.stderr.slice(-500)}`);
      const phase: ScoreKillTrial['phase'] = !r.killed ? 'finished first' : r.openTransactions > 0 ? 'write transaction open' : s.predictions > previous ? 'between writes' : 'start-up, read or inference';
      trials.push({ model: modelId, delayMs, killed: r.killed, atMs: Math.round(r.atMs), phase, predictionsBefore: previous, predictionsAfter: s.predictions, problems });
      log(`score-kill: ${modelId} ${r.killed ? `kill ${kills + 1}/${o.killsPerModel} at ${Math.round(r.atMs)} ms (${phase})` : `finished before ${delayMs} ms`}: ${s.predictions}/${s.targets} predictions${problems.length ? `; PROBLEMS: ${problems.join('; ')}` : ''}`);
      previous = s.predictions;
      if (r.killed) kills++;
      // A run that finished scored everything: start over so later kills interrupt real work.
      else {
        if (trials[trials.length - 1]?.predictionsBefore === 0 && r.exitCode === 0) fastestMs = Math.min(fastestMs, r.atMs);
        await deletePredictions(o.graph, modelId);
        previous = 0;
      }
    }
    await complete();
    const final = await predictionState(o.graph, modelId, card.level);
    const problems = finalProblems(final);
    models.push({ model: modelId, level: card.level, targets: final.targets, cleanMs: Math.round(cleanMs), fastestMs: Math.round(fastestMs), kills, final, problems });
    log(`score-kill: ${modelId} resumed to completion: ${final.predictions} predictions for ${final.targets} targets, ${final.missing} missing, ${final.duplicated} duplicated${problems.length ? `; PROBLEMS: ${problems.join('; ')}` : ''}`);
  }
  const phases: Record<string, number> = {};
  for (const t of trials) phases[t.phase] = (phases[t.phase] ?? 0) + 1;
  const failures = trials.filter((t) => t.problems.length).length + models.filter((m) => m.problems.length).length;
  return { seed, trials, models, kills: trials.filter((t) => t.killed).length, phases, failures };
}
