/**
 * One ingest fuzz round, shared by the test and bench/fuzz: generate cases from real files, write
 * the tree to a temp folder, run the real `wfad ingest <dir> --json` twice (the second must change
 * nothing) and check every file's outcome.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IngestSummary } from '../../src/ingest/pipeline';
import type { Graph } from '../../src/graph/driver';
import { cli, type CliResult } from '../helpers/neo4j';
import { checkOutcome, generateCases, loadBases, writeTree, type CheckResult, type FuzzCase } from './mutators';

/** Exit codes `wfad` documents (0 ok, 2 bad input path, 3 Neo4j down, 4 nothing stored); 1 = unexpected. */
export const DOCUMENTED_EXIT = new Set([0, 2, 3, 4]);
/** What a crash leaves on stderr: a stack frame or the CLI's "unexpected error". */
export const CRASH_RE = /unexpected error|\n\s+at .+(?:\.js|\.ts):\d+|node:internal/;

export interface IngestFuzzResult extends CheckResult {
  cases: FuzzCase[];
  files: number;
  first: { code: number | null; summary: IngestSummary | null; stderrTail: string; seconds: number };
  again: { code: number | null; summary: IngestSummary | null; stderrTail: string; seconds: number };
  stored: number;
  /** Nodes and relationships before and after the re-ingest. */
  counts: { before: number[]; after: number[] };
  crashes: string[];
}

/** Stored runs: source file → content hash. */
async function storedSources(graph: Graph): Promise<Map<string, string>> {
  const res = await graph.read((tx) => tx.run('MATCH (r:Run) RETURN r.source AS s, r.contentHash AS h'));
  return new Map(res.records.map((r) => [r.get('s') as string, r.get('h') as string]));
}

async function graphCounts(graph: Graph): Promise<number[]> {
  const res = await graph.read((tx) => tx.run('MATCH (n) WITH count(n) AS n OPTIONAL MATCH ()-[r]->() RETURN n, count(r) AS r'));
  const rec = res.records[0];
  return [Number(rec?.get('n') ?? 0), Number(rec?.get('r') ?? 0)];
}

function summaryOf(r: CliResult): IngestSummary | null {
  try {
    return JSON.parse(r.stdout) as IngestSummary;
  } catch {
    return null;
  }
}

function crashesOf(what: string, r: CliResult, summary: IngestSummary | null): string[] {
  const out: string[] = [];
  if (r.code === null || !DOCUMENTED_EXIT.has(r.code)) out.push(`${what}: exit code ${r.code}`);
  if (CRASH_RE.test(r.stderr)) out.push(`${what}: stack trace on stderr: ${r.stderr.slice(-400)}`);
  if (!summary) out.push(`${what}: no JSON summary on stdout: ${r.stdout.slice(0, 200)}`);
  return out;
}

/** Runs one round on an already wiped database; `log` gets progress lines. */
export async function ingestFuzzRound(graph: Graph, opts: { dataset: string; cases: number; seed: number; log?: (s: string) => void; keepTree?: boolean }): Promise<IngestFuzzResult> {
  const log = opts.log ?? ((): void => undefined);
  const bases = loadBases(opts.dataset, opts.seed);
  const cases = generateCases(bases, opts.cases, opts.seed);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-fuzz-'));
  try {
    writeTree(root, bases, cases);
    const files = cases.reduce((a, c) => a + c.files.length, 0);
    log(`ingest fuzz: ${cases.length} cases (${files} files, ${bases.length} real base files) in ${root}`);
    const t0 = performance.now();
    const r1 = await cli(['ingest', root, '--json']);
    const s1 = summaryOf(r1);
    const t1 = performance.now();
    log(`ingest fuzz: first ingest exit ${r1.code} in ${((t1 - t0) / 1000).toFixed(1)} s: ${s1?.runsStored ?? '?'} stored, ${s1?.rejected.length ?? '?'} rejected`);
    const sources = await storedSources(graph);
    const check = checkOutcome(cases, s1 ?? { rejected: [] }, sources);
    const before = await graphCounts(graph);
    const r2 = await cli(['ingest', root, '--json']);
    const s2 = summaryOf(r2);
    const t2 = performance.now();
    const after = await graphCounts(graph);
    log(`ingest fuzz: re-ingest exit ${r2.code} in ${((t2 - t1) / 1000).toFixed(1)} s: ${s2?.runsStored ?? '?'} stored, ${s2?.runsUnchanged ?? '?'} unchanged`);
    const violations = [...check.violations];
    if (s2) {
      if (s2.runsStored !== 0) violations.push(`re-ingest stored ${s2.runsStored} runs`);
      if (s2.runsUnchanged !== sources.size) violations.push(`re-ingest: ${s2.runsUnchanged} unchanged, ${sources.size} stored`);
      const a = s1?.rejected.map((x) => `${x.file}|${x.code}`).sort() ?? [];
      const b = s2.rejected.map((x) => `${x.file}|${x.code}`).sort();
      if (JSON.stringify(a) !== JSON.stringify(b)) violations.push('re-ingest rejected other files than the first ingest');
    }
    if (JSON.stringify(before) !== JSON.stringify(after)) violations.push(`re-ingest changed the graph: ${before.join('/')} → ${after.join('/')} nodes/relationships`);
    return {
      ...check,
      violations,
      cases,
      files,
      first: { code: r1.code, summary: s1, stderrTail: r1.stderr.slice(-400), seconds: (t1 - t0) / 1000 },
      again: { code: r2.code, summary: s2, stderrTail: r2.stderr.slice(-400), seconds: (t2 - t1) / 1000 },
      stored: sources.size,
      counts: { before, after },
      crashes: [...crashesOf('ingest', r1, s1), ...crashesOf('re-ingest', r2, s2)],
    };
  } finally {
    if (!opts.keepTree) fs.rmSync(root, { recursive: true, force: true });
  }
}
