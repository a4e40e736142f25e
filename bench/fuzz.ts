/**
 * bench/fuzz: the bad-input figures of issue 7. Both fuzzers of test/fuzz at a larger case count:
 * mutated real trace files and DAG templates through the real `wfad ingest` (twice), and
 * schema-generated plus hostile requests against the real GraphQL server.
 *
 *   npm run bench:fuzz [-- --json] [-- --cases 5000] [-- --gql-cases 2000] [-- --seed S]
 *
 * Neo4j: NEO4J_URI when set (its database is WIPED), else a local server on its own port
 * (WFAD_BENCH_NEO4J_PORT, default 7689) and data folder (.wfad/neo4j-fuzz), stopped afterwards.
 * Progress on stderr; figures on stdout (human, or one JSON document with --json).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultDatasetPath } from '../src/config';
import { openGraph } from '../src/graph/driver';
import { freshBenchNeo4j } from './bench-neo4j';
import { auth, startHarness } from '../test/api/harness';
import { wipe } from '../test/helpers/neo4j';
import { graphqlFuzzRound } from '../test/fuzz/graphql-run';
import { ingestFuzzRound } from '../test/fuzz/ingest-run';
import { RUN_MUTATORS, TEMPLATE_MUTATORS, tally } from '../test/fuzz/mutators';

const args = process.argv.slice(2);
const opt = (flag: string, fallback: number): number => {
  const i = args.indexOf(flag);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) {
    console.error(`bench/fuzz: ${flag} ${args[i + 1]}: expected a non-negative integer`);
    process.exit(2);
  }
  return v;
};
const json = args.includes('--json');
const cases = opt('--cases', 5000);
const gqlCases = opt('--gql-cases', 2000);
const seed = opt('--seed', 20261129);
const log = (s: string): void => void process.stderr.write(`${s}\n`);

const pad = (s: string | number, n: number, right = false): string => (right ? String(s).padStart(n) : String(s).padEnd(n));
const hist = (h: Record<string, number>): string =>
  Object.entries(h)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
    .join(', ');

async function main(): Promise<void> {
  const dataset = defaultDatasetPath();
  if (!fs.existsSync(path.join(dataset, 'adjacency_list_dags'))) {
    console.error(`bench/fuzz: flowgad dataset not found at ${dataset} (set WFAD_DATASET): the ingest fuzzer mutates its files`);
    process.exit(2);
  }
  const stop = await freshBenchNeo4j('neo4j-fuzz', log);
  const graph = openGraph();
  try {
    log(`bench/fuzz: seed ${seed}, ${cases} ingest cases, ${gqlCases} GraphQL cases, Neo4j ${process.env.NEO4J_URI} (wiped)`);
    await wipe(graph);
    const ing = await ingestFuzzRound(graph, { dataset, cases, seed, log });
    const t = tally(ing.outcomes);
    await graph.close();

    const h = await startHarness(12);
    let gql;
    try {
      gql = await graphqlFuzzRound(h.url, { cases: gqlCases, seed, auth: auth(), log });
    } finally {
      await h.close();
    }

    const result = {
      seed,
      command: `npm run bench:fuzz -- --cases ${cases} --gql-cases ${gqlCases} --seed ${seed}`,
      ingest: {
        cases: ing.cases.length,
        files: ing.files,
        runFiles: ing.outcomes.filter((o) => o.rel.startsWith('data/')).length,
        templateFiles: ing.outcomes.filter((o) => o.rel.startsWith('adjacency_list_dags/')).length,
        runMutators: RUN_MUTATORS.length,
        templateMutators: TEMPLATE_MUTATORS.length,
        byExpect: t.byExpect,
        byMutator: t.byMutator,
        rejectionCodes: t.codes,
        runsStored: ing.stored,
        exitCode: ing.first.code,
        reingest: { exitCode: ing.again.code, runsStored: ing.again.summary?.runsStored ?? null, runsUnchanged: ing.again.summary?.runsUnchanged ?? null, graphUnchanged: JSON.stringify(ing.counts.before) === JSON.stringify(ing.counts.after) },
        crashes: ing.crashes.length,
        violations: ing.violations.length,
        violationSamples: ing.violations.slice(0, 10),
        seconds: { ingest: Number(ing.first.seconds.toFixed(1)), reingest: Number(ing.again.seconds.toFixed(1)) },
      },
      graphql: {
        cases: gql.outcomes.length,
        statuses: gql.statuses,
        errorCodes: gql.codes,
        kinds: gql.kinds,
        argsMutated: `${gql.argsMutated}/${gql.args}`,
        http5xx: gql.outcomes.filter((o) => o.status >= 500).length,
        violations: gql.violations.length,
        violationSamples: gql.violations.slice(0, 10),
        aliveAfter: gql.aliveAfter,
        seconds: Number(gql.seconds.toFixed(1)),
      },
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    };
    if (json) {
      console.log(JSON.stringify(result));
    } else {
      const i = result.ingest;
      const g = result.graphql;
      const out: string[] = [];
      out.push(`bad-input fuzzing, seed ${seed} (${result.command})`);
      out.push('');
      out.push(`ingest: ${i.cases.toLocaleString('en-US')} cases, ${i.files.toLocaleString('en-US')} files (${i.runFiles.toLocaleString('en-US')} run files, ${i.templateFiles.toLocaleString('en-US')} templates); ${i.runMutators} run-file and ${i.templateMutators} template mutators`);
      out.push(`  expected stored:   ${pad(i.byExpect.stored.files, 6, true)} files → ${i.byExpect.stored.stored} stored, ${i.byExpect.stored.rejected} rejected`);
      out.push(`  expected rejected: ${pad(i.byExpect.rejected.files, 6, true)} files → ${i.byExpect.rejected.stored} stored, ${i.byExpect.rejected.rejected} rejected`);
      out.push(`  either:            ${pad(i.byExpect.either.files, 6, true)} files → ${i.byExpect.either.stored} stored, ${i.byExpect.either.rejected} rejected`);
      out.push(`  rejection codes: ${hist(i.rejectionCodes)}`);
      out.push(`  crashes ${i.crashes}, violations ${i.violations}; exit code ${i.exitCode}; ingest ${i.seconds.ingest} s`);
      out.push(`  re-ingest: exit ${i.reingest.exitCode}, ${i.reingest.runsStored} stored, ${i.reingest.runsUnchanged} unchanged, graph unchanged: ${i.reingest.graphUnchanged} (${i.seconds.reingest} s)`);
      for (const v of i.violationSamples) out.push(`  ! ${v}`);
      out.push('');
      out.push(`  ${pad('mutator', 34)} ${pad('expect', 8)} ${pad('files', 6, true)} ${pad('stored', 7, true)} ${pad('rejected', 9, true)}`);
      for (const [name, m] of Object.entries(i.byMutator).sort((a, b) => a[0].localeCompare(b[0]))) {
        out.push(`  ${pad(name, 34)} ${pad(m.expect, 8)} ${pad(m.files, 6, true)} ${pad(m.stored, 7, true)} ${pad(m.rejected, 9, true)}`);
      }
      out.push('');
      out.push(`graphql: ${g.cases.toLocaleString('en-US')} requests in ${g.seconds} s; HTTP 5xx ${g.http5xx}, violations ${g.violations}; a normal query afterwards: ${g.aliveAfter ? 'answered' : 'FAILED'}`);
      out.push(`  HTTP status: ${hist(g.statuses)}`);
      out.push(`  error codes (requests): ${hist(g.errorCodes)}`);
      out.push(`  root-field arguments given bad values: ${g.argsMutated} (every query and mutation also sent valid)`);
      out.push(`  cases by kind: ${hist(g.kinds)}`);
      for (const v of g.violationSamples) out.push(`  ! ${v}`);
      out.push('');
      out.push(`machine: ${result.machine}`);
      console.log(out.join('\n'));
    }
    if (result.ingest.crashes || result.ingest.violations || result.graphql.violations || !result.graphql.aliveAfter) process.exitCode = 1;
  } finally {
    await graph.close().catch(() => undefined);
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
