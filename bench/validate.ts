/**
 * `npm run bench:validate -- [--workflow W|ALL] [--seeds 0,1] [--json] [variants JSON]`: how the
 * training defaults were chosen. Trains the graph-level binary detector under each variant of the
 * configuration (edge direction, architecture, regularisation, …) and prints validation accuracy
 * (the selection criterion; test accuracy alongside for information) averaged over seeds, with
 * per-label test accuracy. Reads the runs from Neo4j (NEO4J_URI or the local server).
 *
 * `--tune-threshold` also reports a decision threshold on P(anomalous) chosen on validation
 * (instead of argmax, i.e. 0.5) and the accuracies it gives: whether calibrating the cut helps.
 */
import { neo4jConnection } from '../src/config';
import { labelledSamples, targetOf, type GraphSample } from '../src/features/dataset';
import { openGraph, verify } from '../src/graph/driver';
import { readRuns } from '../src/graph/read-runs';
import { evaluate } from '../src/train/evaluate';
import { DEFAULT_CONFIG, train, type TrainConfig, type TrainResult } from '../src/train/trainer';

const DEFAULT_VARIANTS: Array<Partial<TrainConfig>> = [
  { arch: 'paper', direction: 'forward', dropout: 0, weightDecay: 0 },
  { arch: 'paper', direction: 'reverse', dropout: 0, weightDecay: 0 },
  { arch: 'paper', direction: 'both', dropout: 0, weightDecay: 0 },
  { arch: 'skip', direction: 'forward', dropout: 0, weightDecay: 0 },
  { arch: 'skip', direction: 'reverse', dropout: 0, weightDecay: 0 },
  { arch: 'skip', direction: 'both', dropout: 0, weightDecay: 0 },
  { arch: 'skip', direction: 'forward', dropout: 0, weightDecay: 0, classWeights: true },
  { arch: 'skip', direction: 'forward', dropout: 0.2, weightDecay: 1e-4 },
];

/** Graph level: P(anomalous) of every sample, in sample order (the split is in res.graphSplit). */
function positiveProbabilities(res: TrainResult, samples: readonly GraphSample[]): Float64Array {
  const { probabilities } = evaluate(res.model, res.scaler, samples, 'binary');
  return Float64Array.from({ length: samples.length }, (_, i) => 1 - (probabilities[2 * i] as number));
}

/** Accuracy of "anomalous iff p ≥ t" over the samples in split `split`. */
function accuracyAt(p: Float64Array, y: Int32Array, split: Uint8Array, which: number, t: number): number {
  let ok = 0;
  let n = 0;
  for (let i = 0; i < p.length; i++) {
    if (split[i] !== which) continue;
    n++;
    if (+((p[i] as number) >= t) === +((y[i] as number) > 0)) ok++;
  }
  return ok / n;
}

/** The threshold with the best validation accuracy (ties: the one nearest 0.5). */
function tuneThreshold(p: Float64Array, y: Int32Array, split: Uint8Array): number {
  let best = { t: 0.5, acc: accuracyAt(p, y, split, 1, 0.5) };
  for (let k = 5; k <= 95; k++) {
    const t = k / 100;
    const acc = accuracyAt(p, y, split, 1, t);
    if (acc > best.acc + 1e-12 || (Math.abs(acc - best.acc) < 1e-12 && Math.abs(t - 0.5) < Math.abs(best.t - 0.5))) best = { t, acc };
  }
  return best.t;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const wf = arg('--workflow') ?? 'ALL';
  const seeds = (arg('--seeds') ?? '0,1').split(',').map(Number);
  const custom = process.argv.find((a) => a.startsWith('['));
  const variants = custom ? (JSON.parse(custom) as Array<Partial<TrainConfig>>) : DEFAULT_VARIANTS;
  const g = openGraph(neo4jConnection());
  await verify(g);
  const runs = await readRuns(g, wf === 'ALL' ? {} : { workflows: [wf] });
  await g.close();
  if (runs.length === 0) throw new Error(`no stored runs for ${wf}: ingest the dataset first (wfad ingest <path>)`);
  const samples: GraphSample[] = labelledSamples(runs);
  const tune = process.argv.includes('--tune-threshold');
  const y = Int32Array.from(samples, (s) => targetOf(s, 'binary'));
  const rows = [];
  for (const v of variants) {
    const val: number[] = [];
    const test: number[] = [];
    const tuned = { threshold: [] as number[], val: [] as number[], test: [] as number[] };
    const perLabel: Record<string, [number, number]> = {};
    for (const seed of seeds) {
      const r = train(samples, { ...DEFAULT_CONFIG, ...v, seed });
      val.push(r.val.accuracy);
      test.push(r.test.accuracy);
      if (tune) {
        const p = positiveProbabilities(r, samples);
        const t = tuneThreshold(p, y, r.graphSplit);
        tuned.threshold.push(t);
        tuned.val.push(accuracyAt(p, y, r.graphSplit, 1, t));
        tuned.test.push(accuracyAt(p, y, r.graphSplit, 2, t));
      }
      for (const p of r.testPredictions) {
        const e = (perLabel[(samples[p.sample] as GraphSample).label] ??= [0, 0]);
        e[0] += p.predicted === p.target ? 1 : 0;
        e[1]++;
      }
    }
    const mean = (a: number[]): number => Number((a.reduce((x, y) => x + y, 0) / a.length).toFixed(4));
    const threshold = tune ? { thresholds: tuned.threshold, valAccuracy: mean(tuned.val), testAccuracy: mean(tuned.test) } : undefined;
    const row = { variant: v, valAccuracy: mean(val), testAccuracy: mean(test), tunedThreshold: threshold, testByLabel: Object.fromEntries(Object.entries(perLabel).sort().map(([k, [a, n]]) => [k, Number((a / n).toFixed(3))])) };
    rows.push(row);
    const tunedText = threshold ? `  | tuned threshold ${threshold.thresholds.join(',')}: val ${threshold.valAccuracy.toFixed(4)}  test ${threshold.testAccuracy.toFixed(4)}` : '';
    if (!json) console.log(`${JSON.stringify(v)}  val ${row.valAccuracy.toFixed(4)}  test ${row.testAccuracy.toFixed(4)}${tunedText}\n   ${Object.entries(row.testByLabel).map(([k, a]) => `${k}:${a}`).join(' ')}`);
  }
  if (json) console.log(JSON.stringify({ workflow: wf, seeds, level: 'graph', task: 'binary', rows }));
}
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
