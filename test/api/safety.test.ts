/**
 * Safety over HTTP: depth, complexity and page-size limits, CSRF prevention, body size, keyed
 * reads, introspection and landing page by configuration, no stack traces, UNAVAILABLE when
 * Neo4j is down, /health and /ready.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { apiConfig } from '../../src/api/config';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { openGraph } from '../../src/graph/driver';
import { auth, errorOf, gql, KEY, startHarness, type Harness } from './harness';

let h: Harness;
before(async () => {
  h = await startHarness(24, { maxDepth: 8, maxComplexity: 5000, maxPageSize: 100, maxBodyBytes: 64 * 1024 });
});
after(async () => {
  await h?.close();
});

/** Another server on the same database with other settings. */
async function variant(overrides: Parameters<typeof apiConfig>[1]): Promise<ApiServer> {
  return startApiServer({ config: apiConfig({}, { port: 0, apiKeys: [KEY], logLevel: 'silent', ...overrides }), graph: h.graph, log: pino({ level: 'silent' }) });
}

function noStackTraces(raw: string): void {
  assert.doesNotMatch(raw, /stacktrace|\.js:\d+|at [A-Za-z.]+ \(/, 'no stack trace reaches the client');
}

describe('limits', () => {
  it('refuses a query deeper than the depth limit', async () => {
    const deep = '{ runs { edges { node { jobs { prediction { model { metrics { test { confusion } } } } } } } } }';
    const r = await gql(h.url, deep);
    assert.equal(r.status, 400);
    assert.equal(errorOf(r).code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(errorOf(r).message, /depth limit of 8 exceeded/);
    noStackTraces(r.raw);
    const ok = await gql(h.url, '{ runs(first: 2) { edges { node { jobs { prediction { score } } } } } }');
    assert.equal(ok.errors, undefined, ok.raw);
  });

  it('refuses a query over the complexity limit before running it', async () => {
    const before = h.queries.count;
    const r = await gql(h.url, '{ runs(first: 100) { nodes { id jobs { id features { name value } } } } }');
    assert.equal(r.status, 400);
    assert.equal(errorOf(r).code, 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(r.errors?.[0]?.extensions?.limit, 'complexity');
    assert.match(errorOf(r).message, /complexity \d+ is over the limit of 5000/);
    assert.equal(h.queries.count, before, 'no Cypher query ran');
    // Aliases multiply the cost too.
    const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: runs(first: 100) { nodes { id label } }`).join(' ');
    const r2 = await gql(h.url, `{ ${aliases} }`);
    assert.equal(r2.errors?.[0]?.extensions?.limit, 'complexity');
    const small = await gql(h.url, '{ runs(first: 5) { nodes { id jobs { id features { name value } } } } }');
    assert.equal(small.errors, undefined, small.raw);
  });

  it('caps the page size', async () => {
    const r = await gql(h.url, '{ runs(first: 101) { nodes { id } } }');
    assert.equal(errorOf(r).code, 'BAD_USER_INPUT');
    assert.equal(errorOf(r).field, 'first');
    assert.equal(r.errors?.[0]?.extensions?.max, 100);
    const s = await gql(h.url, '{ labelledSubgraphs(first: 101) { nodes { runId } } }');
    assert.equal(errorOf(s).field, 'first');
  });

  it('refuses a body over the size limit with 413', async () => {
    const big = `{ workflows { name } } # ${'x'.repeat(70 * 1024)}`;
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: big }) });
    assert.equal(res.status, 413);
  });
});

describe('CSRF prevention', () => {
  it('refuses simple (non-preflighted) requests and accepts JSON POSTs and flagged GETs', async () => {
    const plain = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ workflows { name } }' }) });
    assert.equal(plain.status, 400);
    assert.match(await plain.text(), /CSRF/);
    const form = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7Bworkflows%7Bname%7D%7D' });
    assert.equal(form.status, 400);
    const get = await fetch(`${h.url}?query=${encodeURIComponent('{ workflows { name } }')}`);
    assert.equal(get.status, 400);
    const flagged = await fetch(`${h.url}?query=${encodeURIComponent('{ workflows { name } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    assert.equal(flagged.status, 200);
    assert.deepEqual(((await flagged.json()) as any).data, { workflows: [{ name: 'mini' }] });
  });
});

describe('typed errors', () => {
  it('answers syntax errors, unknown fields and bad JSON with codes and no stack traces', async () => {
    const syntax = await gql(h.url, '{ runs(first: ) }');
    assert.equal(errorOf(syntax).code, 'GRAPHQL_PARSE_FAILED');
    noStackTraces(syntax.raw);
    const unknown = await gql(h.url, '{ runz { id } }');
    assert.equal(errorOf(unknown).code, 'GRAPHQL_VALIDATION_FAILED');
    noStackTraces(unknown.raw);
    const badJson = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    assert.equal(badJson.status, 400);
    const badVar = await gql(h.url, 'query($f: Int!) { runs(first: $f) { nodes { id } } }', { f: 'ten' });
    assert.equal(errorOf(badVar).code, 'BAD_USER_INPUT');
    noStackTraces(badVar.raw);
  });

  it('answers UNAVAILABLE (and /ready 503) when Neo4j is down, with /health still 200', async () => {
    // A port where nothing listens.
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const dead = openGraph({ uri: `bolt://127.0.0.1:${port}`, user: 'neo4j', password: '', database: 'neo4j' }, { maxRetryMs: 1000 });
    const server = await startApiServer({ config: apiConfig({}, { port: 0, logLevel: 'silent' }), graph: dead, log: pino({ level: 'silent' }) });
    try {
      const r = await gql(server.url, '{ runs(first: 3) { nodes { id } } }');
      assert.equal(errorOf(r).code, 'UNAVAILABLE', r.raw);
      assert.match(errorOf(r).message, /database is unavailable/);
      assert.doesNotMatch(r.raw, /bolt:|ECONNREFUSED/, 'no connection details leak');
      noStackTraces(r.raw);
      const base = server.url.replace(/\/graphql$/, '');
      assert.equal((await fetch(`${base}/health`)).status, 200);
      const ready = await fetch(`${base}/ready`);
      assert.equal(ready.status, 503);
      assert.deepEqual(await ready.json(), { status: 'unavailable', neo4j: 'down' });
    } finally {
      await server.close();
      await dead.close();
    }
    const ready = await fetch(`${h.base}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', neo4j: 'up' });
  });
});

describe('configuration', () => {
  it('keyed reads: WFAD_API_READ_KEYED=1 refuses reads without a key', async () => {
    const s = await variant({ readKeyed: true });
    try {
      const r = await gql(s.url, '{ workflows { name } }');
      assert.equal(r.status, 401);
      assert.equal(errorOf(r).code, 'UNAUTHENTICATED');
      const ok = await gql(s.url, '{ workflows { name } }', {}, auth());
      assert.deepEqual(ok.data, { workflows: [{ name: 'mini' }] });
    } finally {
      await s.close();
    }
    assert.equal(apiConfig({ WFAD_API_READ_KEYED: '1' }).readKeyed, true);
    assert.equal(apiConfig({}).readKeyed, false);
  });

  it('introspection and the landing page: on in development, off in production unless enabled', async () => {
    assert.equal(apiConfig({}).introspection, true);
    assert.equal(apiConfig({ NODE_ENV: 'production' }).introspection, false);
    assert.equal(apiConfig({ NODE_ENV: 'production', WFAD_API_INTROSPECTION: '1' }).introspection, true);
    assert.throws(() => apiConfig({ WFAD_API_INTROSPECTION: 'maybe' }), /WFAD_API_INTROSPECTION/);
    const INTRO = '{ __schema { queryType { name } } }';
    const dev = await gql(h.url, INTRO);
    assert.deepEqual(dev.data, { __schema: { queryType: { name: 'Query' } } });
    const page = await fetch(h.url, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const prod = await variant({ introspection: false });
    try {
      const r = await gql(prod.url, INTRO);
      assert.equal(errorOf(r).code, 'GRAPHQL_VALIDATION_FAILED');
      assert.match(errorOf(r).message, /introspection/i);
      const p = await fetch(prod.url, { headers: { accept: 'text/html' } });
      assert.doesNotMatch(await p.text(), /<html/i);
    } finally {
      await prod.close();
    }
  });
});

describe('limits at their boundaries (the limit passes, one more is refused with a typed error)', () => {
  it('depth: 8 levels pass, 9 are refused (WFAD_API_MAX_DEPTH=8)', async () => {
    const at = await gql(h.url, '{ runs(first: 1) { nodes { jobs { prediction { model { metrics { test { accuracy } } } } } } } }');
    assert.equal(at.errors, undefined, at.raw);
    const over = await gql(h.url, '{ runs(first: 1) { edges { node { jobs { prediction { model { metrics { test { accuracy } } } } } } } } }');
    assert.equal(over.status, 400);
    assert.equal(errorOf(over).code, 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(over.errors?.[0]?.extensions?.limit, 'depth');
    // Fragments do not hide depth.
    const frag = await gql(h.url, 'query { runs(first: 1) { edges { node { ...J } } } } fragment J on Run { jobs { prediction { model { metrics { test { accuracy } } } } } }');
    assert.equal(frag.errors?.[0]?.extensions?.limit, 'depth', frag.raw);
  });

  it('complexity: a query of exactly the limit passes, the limit minus one refuses it', async () => {
    const q = '{ runs(first: 7) { nodes { id jobs { id features { name value } } } } }';
    const probe = await variant({ maxComplexity: 10 });
    let cost: number;
    try {
      const r = await gql(probe.url, q);
      cost = r.errors?.[0]?.extensions?.complexity as number;
      assert.ok(Number.isInteger(cost) && cost > 10, r.raw);
    } finally {
      await probe.close();
    }
    const exact = await variant({ maxComplexity: cost });
    try {
      const r = await gql(exact.url, q);
      assert.equal(r.errors, undefined, r.raw);
    } finally {
      await exact.close();
    }
    const below = await variant({ maxComplexity: cost - 1 });
    try {
      const before = h.queries.count;
      const r = await gql(below.url, q);
      assert.equal(r.status, 400);
      assert.equal(errorOf(r).code, 'GRAPHQL_VALIDATION_FAILED');
      assert.deepEqual([r.errors?.[0]?.extensions?.limit, r.errors?.[0]?.extensions?.complexity, r.errors?.[0]?.extensions?.max], ['complexity', cost, cost - 1]);
      assert.equal(h.queries.count, before, 'refused before any Cypher ran');
    } finally {
      await below.close();
    }
  });

  it('page size: first = max passes, max + 1 is refused, for every paged field', async () => {
    for (const field of ['runs', 'labelledSubgraphs']) {
      const ok = await gql(h.url, `{ ${field}(first: 100) { pageInfo { hasNextPage } } }`);
      assert.equal(ok.errors, undefined, `${field}: ${ok.raw}`);
      const over = await gql(h.url, `{ ${field}(first: 101) { pageInfo { hasNextPage } } }`);
      assert.deepEqual([errorOf(over).code, errorOf(over).field, over.errors?.[0]?.extensions?.max], ['BAD_USER_INPUT', 'first', 100], field);
      const negative = await gql(h.url, `{ ${field}(first: -1) { pageInfo { hasNextPage } } }`);
      assert.equal(errorOf(negative).code, 'BAD_USER_INPUT');
    }
  });

  it('body size: exactly the limit is read, one byte more is answered 413 BAD_REQUEST', async () => {
    const limit = 64 * 1024;
    const body = (size: number): string => {
      const head = '{"query":"{ workflows { name } } #';
      const tail = '"}';
      return head + 'x'.repeat(size - head.length - tail.length) + tail;
    };
    const exact = body(limit);
    assert.equal(Buffer.byteLength(exact), limit);
    const ok = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exact });
    assert.equal(ok.status, 200, await ok.text());
    const over = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(limit + 1) });
    assert.equal(over.status, 413);
    assert.equal(((await over.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code, 'BAD_REQUEST');
    // The server keeps answering afterwards.
    const after = await gql(h.url, '{ workflows { name } }');
    assert.deepEqual(after.data, { workflows: [{ name: 'mini' }] });
  });
});
