/**
 * `npm run bench:validate -- [--workflow W|ALL] [--seeds 0,1] [--json] [variants JSON]`: how the
 * training defaults were chosen. Trains the graph-level binary detector under each variant of the
 * configuration (edge direction, architecture, regularisation, …) and prints validation accuracy
 * (the selection criterion; test accuracy alongside for information) averaged over seeds, with
 * per-label test accuracy. Reads the runs from Neo4j (NEO4J_URI or the local server).
 */
import { neo4jConnection } from '../src/config';
import { toSample, type GraphSample } from '../src/features/dataset';
import { openGraph, verify } from '../src/graph/driver';
import { readRuns } from '../src/graph/read-runs';
import { DEFAULT_CONFIG, train, type TrainConfig } from '../src/train/trainer';

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
  const samples: GraphSample[] = runs.map(toSample);
  const rows = [];
  for (const v of variants) {
    const val: number[] = [];
    const test: number[] = [];
    const perLabel: Record<string, [number, number]> = {};
    for (const seed of seeds) {
      const r = train(samples, { ...DEFAULT_CONFIG, ...v, seed });
      val.push(r.val.accuracy);
      test.push(r.test.accuracy);
      for (const p of r.testPredictions) {
        const e = (perLabel[(samples[p.sample] as GraphSample).label] ??= [0, 0]);
        e[0] += p.predicted === p.target ? 1 : 0;
        e[1]++;
      }
    }
    const mean = (a: number[]): number => Number((a.reduce((x, y) => x + y, 0) / a.length).toFixed(4));
    const row = { variant: v, valAccuracy: mean(val), testAccuracy: mean(test), testByLabel: Object.fromEntries(Object.entries(perLabel).sort().map(([k, [a, n]]) => [k, Number((a / n).toFixed(3))])) };
    rows.push(row);
    if (!json) console.log(`${JSON.stringify(v)}  val ${row.valAccuracy.toFixed(4)}  test ${row.testAccuracy.toFixed(4)}\n   ${Object.entries(row.testByLabel).map(([k, a]) => `${k}:${a}`).join(' ')}`);
  }
  if (json) console.log(JSON.stringify({ workflow: wf, seeds, level: 'graph', task: 'binary', rows }));
}
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
