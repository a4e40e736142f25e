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
    assert.equal(r.argsMutated, r.args, 'every argument of every root field got bad values');
  });

  it('never answers 5xx or leaks internals; every error has a typed code', () => {
    assert.deepEqual(r.violations.slice(0, 20), [], `${r.violations.length} violations`);
    assert.ok(!Object.keys(r.statuses).some((s) => Number(s) >= 500 || s === '0'), JSON.stringify(r.statuses));
  });

  it('still answers a normal query after all cases', () => {
    assert.ok(r.aliveAfter);
  });
});

describe('GraphQL fuzz findings, pinned', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(4);
  });
  after(async () => h?.close());

  const post = async (body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> => {
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };

  it('refuses a query over the complexity estimator\'s node budget (2,000 aliases used to run unchecked)', async () => {
    const t0 = performance.now();
    const query = `{ ${Array.from({ length: 2000 }, (_, k) => `a${k}: runs(first: 1) { nodes { id jobs { id features { name value } } } }`).join(' ')} }`;
    const r = await post({ query });
    assert.equal(r.status, 400);
    assert.equal(r.body.errors[0].extensions.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(r.body.errors[0].extensions.limit, 'complexity');
    assert.ok(performance.now() - t0 < 15_000, 'refused before running');
  });

  it('answers subscriptions and persisted-query errors with typed codes, not INTERNAL_SERVER_ERROR', async () => {
    const sub = await post({ query: 'subscription { runs { id } }' });
    assert.equal(sub.status, 400);
    assert.equal(sub.body.errors[0].extensions.code, 'GRAPHQL_VALIDATION_FAILED');
    for (const persistedQuery of [{ version: 1, sha256Hash: 'abc' }, { version: 2, sha256Hash: 'abc' }]) {
      const r = await post({ query: '{ workflows { name } }', extensions: { persistedQuery } });
      assert.equal(r.status, 400);
      assert.equal(r.body.errors[0].extensions.code, 'BAD_REQUEST', JSON.stringify(r.body));
    }
  });

  it('answers oversized headers with a JSON 431', async () => {
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${'k'.repeat(100_000)}` }, body: '{}' });
    assert.equal(res.status, 431);
    assert.equal(((await res.json()) as any).errors[0].extensions.code, 'BAD_REQUEST');
  });

  it('refuses documents over 100,000 tokens at parse time', async () => {
    const r = await post({ query: `{ workflows { ${'name '.repeat(120_000)} } }` });
    assert.equal(r.status, 400);
    assert.equal(r.body.errors[0].extensions.code, 'GRAPHQL_PARSE_FAILED');
  });
});
