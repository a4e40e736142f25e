/**
 * Ingest fuzz (issue 7, bad input): 1,100 seeded mutations of real flowgad run files and DAG
 * templates, with untouched controls, ingested by the real CLI into the test Neo4j. No crash;
 * every file stored xor rejected with its path, a code and a reason, as its mutator declares;
 * rejected templates named in their runs' reasons and blocking no other workflow; a re-ingest
 * changes nothing. `WFAD_FUZZ_SEED` / `WFAD_FUZZ_CASES` replay another round.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Graph } from '../../src/graph/driver';
import { DATASET, skipWithoutDataset, testGraph, wipe } from '../helpers/neo4j';
import { ingestFuzzRound, type IngestFuzzResult } from './ingest-run';
import { RUN_MUTATORS, TEMPLATE_MUTATORS, tally } from './mutators';

const SEED = Number(process.env.WFAD_FUZZ_SEED ?? 20261129);
const CASES = Number(process.env.WFAD_FUZZ_CASES ?? 1100);

describe('ingest fuzz: mutated real trace files and DAG templates', { skip: skipWithoutDataset }, () => {
  let graph: Graph;
  let r: IngestFuzzResult;
  before(async () => {
    graph = testGraph();
    await wipe(graph);
    r = await ingestFuzzRound(graph, { dataset: DATASET, cases: CASES, seed: SEED });
  });
  after(async () => graph?.close());

  it(`runs at least 1,000 cases covering every mutator (seed ${SEED})`, () => {
    assert.ok(r.cases.length >= 1000, `${r.cases.length} cases`);
    const seen = new Set(r.cases.map((c) => c.mutator));
    const missing = [...RUN_MUTATORS, ...TEMPLATE_MUTATORS].map((m) => m.name).filter((n) => !seen.has(n));
    assert.deepEqual(missing, []);
  });

  it('never crashes: documented exit code 0, a JSON summary, no stack trace', () => {
    assert.deepEqual(r.crashes, []);
    assert.equal(r.first.code, 0, r.first.stderrTail);
  });

  it('stores or rejects every file exactly as its mutator declares, rejections naming file, code and reason', () => {
    assert.deepEqual(r.violations.slice(0, 20), [], `${r.violations.length} violations`);
    const t = tally(r.outcomes);
    assert.equal(t.byExpect.stored.stored, t.byExpect.stored.files, 'every control and valid variation stored');
    assert.equal(t.byExpect.rejected.rejected, t.byExpect.rejected.files);
    assert.ok(t.byExpect.stored.files > 100 && t.byExpect.rejected.files > 500, JSON.stringify(t.byExpect));
  });

  it('stores content-preserving variations (permuted columns, quoting, whitespace, padded headers, reformatted numbers…) with the unmutated file\'s content hash', () => {
    assert.deepEqual(r.contentMismatches.slice(0, 20), [], `${r.contentMismatches.length} of ${r.contentChecked} differ`);
    const preserving = RUN_MUTATORS.filter((m) => m.preservesContent).map((m) => m.name);
    assert.ok(preserving.length >= 10);
    const compared = new Set(r.outcomes.filter((o) => preserving.includes(o.mutator) && o.outcome === 'stored').map((o) => o.mutator));
    assert.deepEqual(preserving.filter((m) => !compared.has(m)), [], 'every content-preserving mutator compared at least once');
    assert.ok(r.contentChecked > 100, `${r.contentChecked} files compared`);
  });

  it('a rejected template blocks only its own workflow', () => {
    const controls = r.outcomes.filter((o) => o.mutator === 'control');
    assert.ok(controls.length > 50);
    assert.ok(controls.every((o) => o.outcome === 'stored'));
    const badTemplates = r.outcomes.filter((o) => o.rel.startsWith('adjacency_list_dags/') && o.outcome === 'rejected');
    assert.ok(badTemplates.length > 50, `${badTemplates.length} rejected templates`);
  });

  it('re-ingesting the fuzzed tree changes nothing', () => {
    assert.equal(r.again.code, 0, r.again.stderrTail);
    assert.equal(r.again.summary?.runsStored, 0);
    assert.equal(r.again.summary?.runsUnchanged, r.stored);
    assert.deepEqual(r.counts.after, r.counts.before);
  });
});
