/**
 * GraphQL fuzz (issue 7, bad input): 600 seeded requests against the real HTTP server on the
 * test Neo4j: every query and mutation argument of the schema mutated (wrong types, null for
 * non-null, huge and fractional ints, NaN/Infinity strings, arrays for scalars, unknown enum values
 * and input fields, MB-sized strings, deep input objects) as variables and as literals, and
 * hostile requests (deep and expensive queries, thousands of aliases, fragment cycles, batches,
 * malformed JSON, wrong content types, GETs, empty, huge and random bodies). Never a 5xx, never
 * internals in the body, every error with a typed code; the server answers normally afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auth, startHarness, type Harness } from '../api/harness';
import { rootFields } from './graphql-cases';
import { graphqlFuzzRound, type GraphqlFuzzResult } from './graphql-run';
import { apiSchema } from '../../src/api/schema';

const SEED = Number(process.env.WFAD_FUZZ_SEED ?? 20261129);
const CASES = Number(process.env.WFAD_FUZZ_GQL_CASES ?? 600);

describe('GraphQL fuzz over HTTP', () => {
  let h: Harness;
  let r: GraphqlFuzzResult;
  before(async () => {
    h = await startHarness(12);
    r = await graphqlFuzzRound(h.url, { cases: CASES, seed: SEED, auth: auth() });
  });
  after(async () => h?.close());

  it(`sends ${CASES} cases covering every query and mutation (seed ${SEED})`, () => {
    assert.equal(r.outcomes.length, CASES);
    const fields = rootFields(apiSchema()).map((f) => `${f.op}.${f.field.name}:`);
    const missing = fields.filter((f) => !r.outcomes.some((o) => o.kind.startsWith(f)));
    assert.deepEqual(missing, []);
  });

  it('never answers 5xx or leaks internals; every error has a typed code', () => {
    assert.deepEqual(r.violations.slice(0, 20), [], `${r.violations.length} violations`);
    assert.ok(!Object.keys(r.statuses).some((s) => Number(s) >= 500 || s === '0'), JSON.stringify(r.statuses));
  });

  it('still answers a normal query after all cases', () => {
    assert.ok(r.aliveAfter);
  });
});
