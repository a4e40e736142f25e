/**
 * `npm run bench:detection -- [--seeds 3] [--budgets 10,25,50,100] [--supervised-epochs 30]
 * [--workflows W,…] [--transfer W,…] [--supervised-transfer W,…] [--out bench/results/detection] [--json]`: how the detectors do where operators
 * need them, on the runs in Neo4j (NEO4J_URI or the local server):
 *
 *   1. normal-only, run level, per workflow and over all of them (ROC-AUC, AP, accuracy);
 *   2. label budget: normal-only on workflow W given 10, 25, 50, 100 of its normal runs;
 *   3. transfer: a model trained without W, scored on every run of W (normal-only, and the
 *      supervised GCN with a bounded number of epochs);
 *   4. normal-only, job level, per workflow (each job against its own truth where the data has it).
 *
 * Writes REPORT.md and results.json to --out, with the command, seeds and load average.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { neo4jConnection } from '../src/config';
import { toSample, type GraphSample } from '../src/features/dataset';
import { openGraph, verify } from '../src/graph/driver';
import { readRuns } from '../src/graph/read-runs';
import { fitNormalOnly } from '../src/models/normal-only';
import type { ProfileInput } from '../src/models/normal-profile';
import { summarize } from '../src/train/detection-report';
import { evaluate } from '../src/train/evaluate';
import { scoreItems, trainNormalOnly } from '../src/train/normal-only-train';
import { stat, type Stat } from '../src/train/reproduce';
import { DEFAULT_CONFIG, train } from '../src/train/trainer';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const pm = (s: Stat | undefined): string => (!s || Number.isNaN(s.mean) ? '—' : `${s.mean.toFixed(3)}${s.n > 1 ? ` ± ${s.std.toFixed(3)}` : ''}`);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const seeds = Number(arg('--seeds') ?? 3);
  const budgets = (arg('--budgets') ?? '10,25,50,100').split(',').map(Number);
  const supEpochs = Number(arg('--supervised-epochs') ?? 30);
  const out = path.resolve(arg('--out') ?? path.join('bench', 'results', 'detection'));
  const json = process.argv.includes('--json');
  const t0 = performance.now();
  const graph = openGraph(neo4jConnection());
  let all: GraphSample[];
  try {
    await verify(graph);
    const only = arg('--workflows')?.split(',').filter(Boolean);
    all = (await readRuns(graph, { labelled: true, ...(only ? { workflows: only } : {}) })).map(toSample);
  } finally {
    await graph.close();
  }
  const workflows = [...new Set(all.map((s) => s.workflow))].sort();
  const transferTo = (arg('--transfer') ?? workflows.join(',')).split(',').filter(Boolean);
  // The supervised GCN costs minutes per target: only these (default: all transfer targets).
  const supervisedTo = new Set((arg('--supervised-transfer') ?? transferTo.join(',')).split(',').filter(Boolean));
  const cfg = { seed: 0, falseAlarmRate: 0.05, assumeNormal: false, budget: null };
  const result: Record<string, unknown> = { seeds, budgets, supervisedEpochs: supEpochs };

  // 1. Run level, per workflow and all together.
  log('run level, normal-only');
  const runLevel: Record<string, { rocAuc: Stat; averagePrecision: Stat; accuracy: Stat }> = {};
  const perSeed = Array.from({ length: seeds }, (_, seed) => trainNormalOnly(all, { ...cfg, level: 'graph', seed }).test);
  for (const w of [...workflows, 'ALL']) {
    const pick = (m: (typeof perSeed)[number]): { rocAuc: number; averagePrecision: number; accuracy: number } =>
      w === 'ALL' ? { rocAuc: m.rocAuc as number, averagePrecision: m.averagePrecision as number, accuracy: m.accuracy } : (m.perWorkflow[w] as { rocAuc: number; averagePrecision: number; accuracy: number });
    runLevel[w] = { rocAuc: stat(perSeed.map((m) => pick(m).rocAuc)), averagePrecision: stat(perSeed.map((m) => pick(m).averagePrecision)), accuracy: stat(perSeed.map((m) => pick(m).accuracy)) };
  }
  result.runLevel = runLevel;

  // 2. Label budget: W alone, b normal runs (fit + threshold), tested on W's test split.
  const budget: Record<string, Record<string, Stat>> = {};
  for (const w of workflows) {
    const ws = all.filter((s) => s.workflow === w);
    budget[w] = {};
    for (const b of [...budgets, 0]) {
      log(`budget ${w} ${b || 'all'}`);
      const aucs = Array.from({ length: seeds }, (_, seed) => trainNormalOnly(ws, { ...cfg, level: 'graph', seed, budget: b || null }).test.rocAuc as number);
      (budget[w] as Record<string, Stat>)[b ? String(b) : 'all'] = stat(aucs);
    }
  }
  result.budget = budget;

  // 3. Transfer: trained without W, scored on every run of W.
  const transfer: Record<string, { normalOnly: Stat; normalOnlyWith50: Stat; supervised: Stat | null; supervisedAccuracy: Stat | null }> = {};
  for (const w of transferTo) {
    const others = all.filter((s) => s.workflow !== w);
    const target = all.filter((s) => s.workflow === w);
    if (!others.length || !target.length) continue;
    log(`transfer → ${w}`);
    const no: number[] = [];
    const no50: number[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const r = trainNormalOnly(others, { ...cfg, level: 'graph', seed });
      no.push(summarize(scoreItems(r.state, target), ['normal', 'anomalous']).rocAuc as number);
      // The same detector given ≤ 50 normal runs of W besides the others' (the operator's first weeks).
      const mine = trainNormalOnly(target, { ...cfg, level: 'graph', seed, budget: 50 });
      const strip = (s: GraphSample): ProfileInput => ({ workflow: s.workflow, jobNames: s.jobNames, x: s.x, hosts: s.hosts });
      const pickIdx = (idx: number[]): GraphSample[] => idx.map((i) => target[i] as GraphSample);
      const st = fitNormalOnly([...others.filter((_, i) => r.split.train.includes(i)), ...pickIdx(mine.split.train)].map(strip), pickIdx(mine.split.validation).map(strip), { level: 'graph', falseAlarmRate: 0.05 });
      no50.push(summarize(scoreItems(st, pickIdx(mine.split.test)), ['normal', 'anomalous']).rocAuc as number);
    }
    let sup: number[] | null = null;
    let supAcc: number[] | null = null;
    if (supEpochs > 0 && supervisedTo.has(w)) {
      sup = [];
      supAcc = [];
      for (let seed = 0; seed < Math.min(seeds, 1); seed++) {
        log(`transfer → ${w}: supervised GCN, seed ${seed}, ≤ ${supEpochs} epochs`);
        const t = train(others, { ...DEFAULT_CONFIG, level: 'graph', task: 'binary', protocol: 'run', seed, maxEpochs: supEpochs });
        const e = evaluate(t.model, t.scaler, target, 'binary');
        sup.push(e.metrics.rocAuc as number);
        supAcc.push(e.metrics.accuracy);
      }
    }
    transfer[w] = { normalOnly: stat(no), normalOnlyWith50: stat(no50), supervised: sup ? stat(sup) : null, supervisedAccuracy: supAcc ? stat(supAcc) : null };
  }
  result.transfer = transfer;

  // 4. Job level, normal-only, per workflow.
  const jobLevel: Record<string, { rocAuc: Stat; averagePrecision: Stat; accuracy: Stat }> = {};
  for (const w of workflows) {
    log(`job level ${w}`);
    const ws = all.filter((s) => s.workflow === w);
    const rs = Array.from({ length: seeds }, (_, seed) => trainNormalOnly(ws, { ...cfg, level: 'node', seed }).test);
    jobLevel[w] = { rocAuc: stat(rs.map((m) => m.rocAuc as number)), averagePrecision: stat(rs.map((m) => m.averagePrecision as number)), accuracy: stat(rs.map((m) => m.accuracy)) };
  }
  result.jobLevel = jobLevel;
  const seconds = (performance.now() - t0) / 1000;
  const load = os.loadavg().map((v) => v.toFixed(2)).join(', ');
  result.seconds = Number(seconds.toFixed(1));
  result.loadAverage = load;

  const cmd = `npm run bench:detection -- ${process.argv.slice(2).filter((a) => a !== '--json').join(' ')}`.trim();
  const L: string[] = ['# Detection where operators need it: normal-only, label budget, transfer', ''];
  L.push(`Produced by \`${cmd}\` in ${seconds.toFixed(0)} s (load average at the end ${load}; 2 shared cores). Seeds 0–${seeds - 1} (mean ± sample std); normal-only threshold at 5 % false alarms on held-out normal runs; split as \`wfad train --detector normal-only\` does (docs/detection.md).`, '');
  L.push('## Run level, normal-only (trained on normal runs of every workflow)', '', '| workflow | ROC-AUC | AP | accuracy |', '|---|---|---|---|');
  for (const [w, c] of Object.entries(runLevel)) L.push(`| ${w} | ${pm(c.rocAuc)} | ${pm(c.averagePrecision)} | ${pm(c.accuracy)} |`);
  L.push('', '## Label budget: normal-only on W alone, given b normal runs of W (run-level ROC-AUC on W\'s test runs)', '', `| workflow | ${budgets.join(' | ')} | all |`, `|---|${budgets.map(() => '---').join('|')}|---|`);
  for (const [w, c] of Object.entries(budget)) L.push(`| ${w} | ${budgets.map((b) => pm(c[String(b)])).join(' | ')} | ${pm(c.all)} |`);
  L.push('', '## Transfer: trained without W, scored on every run of W (run-level ROC-AUC)', '', `| W | normal-only, no run of W | normal-only + ≤ 50 normal runs of W | supervised GCN (≤ ${supEpochs} epochs, seed 0) ROC-AUC | its accuracy |`, '|---|---|---|---|---|');
  for (const [w, c] of Object.entries(transfer)) L.push(`| ${w} | ${pm(c.normalOnly)} | ${pm(c.normalOnlyWith50)} | ${pm(c.supervised ?? undefined)} | ${pm(c.supervisedAccuracy ?? undefined)} |`);
  L.push('', '## Job level, normal-only (each job against its own truth where the data has one, else its run\'s)', '', '| workflow | ROC-AUC | AP | accuracy |', '|---|---|---|---|');
  for (const [w, c] of Object.entries(jobLevel)) L.push(`| ${w} | ${pm(c.rocAuc)} | ${pm(c.averagePrecision)} | ${pm(c.accuracy)} |`);
  L.push('');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'REPORT.md'), L.join('\n'));
  fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(result, null, 1)}\n`);
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else console.log(`wrote ${path.join(out, 'REPORT.md')} (${seconds.toFixed(0)} s)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
