/**
 * API keys over HTTP against the real server and Neo4j. Every mutation of the built schema is
 * refused without a valid key (none, wrong, one character off, shorter, longer, other case, other
 * schemes and header shapes) with UNAUTHENTICATED and nothing written, and accepted with each
 * configured key; with WFAD_API_READ_KEYED=1 every query likewise. A read-only server answers
 * mutations FORBIDDEN; production without keys refuses to start; keys never reach logs or
 * error messages.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getNamedType, type GraphQLField } from 'graphql';
import pino from 'pino';
import { apiConfig, type ApiConfig } from '../../src/api/config';
import { apiSchema } from '../../src/api/schema';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { PROJECT_ROOT } from '../../src/config';
import { auth, errorOf, gql, KEY, KEY2, runId, T0, startHarness, type Harness } from '../api/harness';
import { count } from '../helpers/neo4j';
import { fillValue, minimalSelection, type Json } from './schema-walk';

let h: Harness;
before(async () => {
  h = await startHarness(12);
});
after(async () => {
  await h?.close();
});

async function variant(overrides: Partial<ApiConfig>): Promise<ApiServer> {
  return startApiServer({ config: apiConfig({}, { port: 0, apiKeys: [KEY, KEY2], logLevel: 'silent', ...overrides }), graph: h.graph, log: pino({ level: 'silent' }) });
}

/** What a write could change: node and relationship counts and every model's active flag. */
async function fingerprint(): Promise<string> {
  const nodes = await count(h.graph, 'MATCH (n) RETURN count(n)');
  const rels = await count(h.graph, 'MATCH ()-[r]->() RETURN count(r)');
  const active = await h.graph.read((tx) => tx.run('MATCH (m:Model) RETURN m.id AS id, coalesce(m.active, false) AS a ORDER BY id'));
  return JSON.stringify({ nodes, rels, active: active.records.map((r) => [r.get('id'), r.get('a')]), jobs: h.server.services.training.list().length });
}

let instanceSeq = 0;
let deleteSeq = 0;
/** A mutation that writes when its key is accepted: one example per mutation of the schema. */
function validMutation(name: string): { query: string; variables: Record<string, Json> } | null {
  switch (name) {
    case 'ingestRun': {
      const inst = `AUTH${instanceSeq++}`;
      const t = T0 + 200_000 + instanceSeq * 1000;
      const job = (n: string, type: string, s: number): Json => ({ name: n, type, submit: s + 1, executeStart: s + 2, executeEnd: s + 12, runtime: 10 });
      return {
        query: 'mutation($i: RunInput!) { ingestRun(input: $i) { stored run { id } } }',
        variables: { i: { workflow: 'mini', label: 'normal', instance: inst, runNumber: 1, jobs: [job(`create_dir_${inst}_0_condorpool`, 'auxiliary', t), job('work_ID01', 'compute', t + 20), job(`cleanup_${inst}_0_condorpool`, 'auxiliary', t + 40)] } },
      };
    }
    case 'deleteRun':
      // A stored run each time (the harness's last ones, one per call): accepted, it deletes.
      return { query: 'mutation($id: ID!) { deleteRun(id: $id) { id deleted } }', variables: { id: runId(11 - (deleteSeq++ % 6)) } };
    case 'scoreRuns':
      return { query: 'mutation { scoreRuns(limit: 3) { runsScored } }', variables: {} };
    case 'activateModel':
      return { query: 'mutation($id: ID!) { activateModel(id: $id) { id active } }', variables: { id: h.binaryModel.id } };
    case 'trainModel':
      return { query: 'mutation { trainModel(config: {workflow: "mini", epochs: 1, hidden: 4, patience: 1}) { id status } }', variables: {} };
    default:
      return null;
  }
}

/** An operation for any root field, required arguments filled with plain values. */
function plainOperation(op: 'query' | 'mutation', f: GraphQLField<unknown, unknown>): string {
  const args = f.args
    .map((a) => [a.name, a.defaultValue !== undefined ? undefined : fillValue(a.type, [f.name, a.name], () => undefined)] as const)
    .filter(([, v]) => v !== undefined)
    .map(([n, v]) => `${n}: ${JSON.stringify(v).replace(/"([A-Za-z_]\w*)":/g, '$1:')}`);
  return `${op} { ${f.name}${args.length ? `(${args.join(', ')})` : ''} ${minimalSelection(getNamedType(f.type))} }`;
}

/** Authorization headers that must not pass: [description, header value]. */
function refusedHeaders(): Array<[string, Record<string, string>]> {
  const flip = (s: string, i: number): string => s.slice(0, i) + (s[i] === 'x' ? 'y' : 'x') + s.slice(i + 1);
  return [
    ['no header', {}],
    ['wrong key', auth('not-a-key')],
    ['first character differs', auth(flip(KEY, 0))],
    ['last character differs', auth(flip(KEY, KEY.length - 1))],
    ['one character shorter', auth(KEY.slice(0, -1))],
    ['one character longer', auth(`${KEY}x`)],
    ['key as a prefix of the sent value', auth(`${KEY}${KEY2}`)],
    ['upper-case key', auth(KEY.toUpperCase())],
    ['empty Bearer', { authorization: 'Bearer ' }],
    ['Bearer only', { authorization: 'Bearer' }],
    ['no scheme', { authorization: KEY }],
    ['no space after Bearer', { authorization: `Bearer${KEY}` }],
    ['Basic scheme', { authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` }],
    ['Basic with the raw key', { authorization: `Basic ${KEY}` }],
    ['Token scheme', { authorization: `Token ${KEY}` }],
    ['two keys in one header', { authorization: `Bearer ${KEY} ${KEY2}` }],
    ['comma-separated keys', { authorization: `Bearer ${KEY},${KEY2}` }],
    ['quoted key', { authorization: `Bearer "${KEY}"` }],
    ['key in another header', { 'x-api-key': KEY }],
    ['key with a NUL-free control suffix', { authorization: `Bearer ${KEY}\t` + 'x' }],
  ];
}

/** Accepted: each configured key, the scheme in any case (RFC 7235), extra spaces around the key. */
function acceptedHeaders(): Array<[string, Record<string, string>]> {
  return [
    ['key 1', auth(KEY)],
    ['key 2', auth(KEY2)],
    ['lower-case scheme', { authorization: `bearer ${KEY}` }],
    ['upper-case scheme', { authorization: `BEARER ${KEY2}` }],
    ['spaces around the key', { authorization: `Bearer   ${KEY}  ` }],
  ];
}

describe('mutations need a valid key', () => {
  const schema = apiSchema();
  const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});

  it('has a writing example for every mutation of the schema (add one for a new mutation)', () => {
    assert.ok(mutations.length >= 4);
    for (const m of mutations) assert.ok(validMutation(m.name), `no example for mutation ${m.name}: add one to validMutation()`);
  });

  it('refuses every mutation without a valid key, with UNAUTHENTICATED and nothing written', async () => {
    for (const m of mutations) {
      for (const [what, headers] of refusedHeaders()) {
        const before = await fingerprint();
        // The writing example, and the plain form (required arguments only) for good measure.
        for (const op of [validMutation(m.name) as { query: string; variables: Record<string, Json> }, { query: plainOperation('mutation', m), variables: {} }]) {
          const r = await gql(h.url, op.query, op.variables, headers);
          assert.equal(errorOf(r).code, 'UNAUTHENTICATED', `${m.name}, ${what}: ${r.raw.slice(0, 300)}`);
          assert.equal(r.data, null, `${m.name}, ${what}: no data`);
          assert.doesNotMatch(r.raw, new RegExp(KEY), 'the key is not echoed');
        }
        assert.equal(await fingerprint(), before, `${m.name}, ${what}: nothing written`);
      }
    }
  });

  it('accepts every mutation with each configured key and the scheme in any case', async () => {
    for (const m of mutations) {
      for (const [what, headers] of acceptedHeaders()) {
        const op = validMutation(m.name) as { query: string; variables: Record<string, Json> };
        const r = await gql(h.url, op.query, op.variables, headers);
        assert.equal(r.errors, undefined, `${m.name}, ${what}: ${r.raw.slice(0, 300)}`);
      }
    }
    // The training jobs started above finish (or fail) in the background; wait so the harness closes cleanly.
    for (let i = 0; i < 600 && h.server.services.training.list().some((j) => j.status === 'QUEUED' || j.status === 'RUNNING'); i++) await new Promise((r) => setTimeout(r, 100));
  });

  it('treats the header name case-insensitively, as HTTP does', async () => {
    const body = JSON.stringify({ query: 'mutation($id: ID!) { activateModel(id: $id) { id } }', variables: { id: h.graphModel.id } });
    const send = (name: string, value: string): Promise<{ status: number; text: string }> =>
      new Promise((resolve, reject) => {
        const req = http.request(h.url, { method: 'POST' }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.setHeader('Content-Type', 'application/json');
        req.setHeader(name, value);
        req.on('error', reject);
        req.end(body);
      });
    for (const name of ['AUTHORIZATION', 'Authorization', 'authorization', 'aUtHoRiZaTiOn']) {
      const ok = await send(name, `Bearer ${KEY}`);
      assert.doesNotMatch(ok.text, /UNAUTHENTICATED/, name);
      const bad = await send(name, `Bearer ${KEY.slice(1)}`);
      assert.match(bad.text, /UNAUTHENTICATED/, name);
    }
  });

  it('answers a server without keys UNAUTHENTICATED for every mutation, even with a key', async () => {
    const s = await variant({ apiKeys: [] });
    try {
      for (const m of mutations) {
        const op = validMutation(m.name) as { query: string; variables: Record<string, Json> };
        const before = await fingerprint();
        const r = await gql(s.url, op.query, op.variables, auth());
        assert.equal(errorOf(r).code, 'UNAUTHENTICATED', m.name);
        assert.match(errorOf(r).message, /WFAD_API_KEYS/);
        assert.equal(await fingerprint(), before);
      }
    } finally {
      await s.close();
    }
  });

  it('answers FORBIDDEN for every mutation on a read-only server (WFAD_API_MUTATIONS=0), key or not', async () => {
    assert.equal(apiConfig({ WFAD_API_MUTATIONS: '0' }).mutations, false);
    assert.equal(apiConfig({}).mutations, true);
    const s = await variant({ mutations: false });
    try {
      for (const m of mutations) {
        for (const headers of [{}, auth()]) {
          const op = validMutation(m.name) as { query: string; variables: Record<string, Json> };
          const before = await fingerprint();
          const r = await gql(s.url, op.query, op.variables, headers);
          assert.equal(errorOf(r).code, 'FORBIDDEN', `${m.name}: ${r.raw.slice(0, 200)}`);
          assert.equal(await fingerprint(), before);
        }
      }
      const read = await gql(s.url, '{ workflows { name } }');
      assert.equal(read.errors, undefined);
    } finally {
      await s.close();
    }
  });
});

describe('keyed reads (WFAD_API_READ_KEYED=1)', () => {
  it('refuses every query of the schema without a valid key and answers it with one', async () => {
    const s = await variant({ readKeyed: true });
    try {
      const queries = Object.values(apiSchema().getQueryType()?.getFields() ?? {});
      assert.ok(queries.length >= 8);
      for (const q of queries) {
        const text = plainOperation('query', q);
        for (const [what, headers] of refusedHeaders()) {
          const r = await gql(s.url, text, {}, headers);
          assert.equal(r.status, 401, `${q.name}, ${what}`);
          assert.equal(errorOf(r).code, 'UNAUTHENTICATED', `${q.name}, ${what}`);
          assert.equal(r.data, null);
        }
        const ok = await gql(s.url, text, {}, auth(KEY2));
        assert.ok(!(ok.errors ?? []).some((e) => e.extensions?.code === 'UNAUTHENTICATED'), `${q.name}: ${ok.raw.slice(0, 200)}`);
      }
      // Liveness and readiness stay open for probes; they reveal nothing but up/down.
      const base = s.url.replace(/\/graphql$/, '');
      assert.equal((await fetch(`${base}/health`)).status, 200);
    } finally {
      await s.close();
    }
  });

  it('keys /metrics too (it reveals traffic and session counts), and leaves it open otherwise', async () => {
    const s = await variant({ readKeyed: true });
    try {
      const metrics = `${s.url.replace(/\/graphql$/, '')}/metrics`;
      for (const [what, headers] of refusedHeaders()) {
        const r = await fetch(metrics, { headers });
        assert.equal(r.status, 401, what);
        const body = (await r.json()) as { errors: Array<{ extensions: { code: string } }> };
        assert.equal(body.errors[0]?.extensions.code, 'UNAUTHENTICATED', what);
      }
      const ok = await fetch(metrics, { headers: auth(KEY2) });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /^# HELP /m);
    } finally {
      await s.close();
    }
    const open = await variant({});
    try {
      const r = await fetch(`${open.url.replace(/\/graphql$/, '')}/metrics`);
      assert.equal(r.status, 200);
    } finally {
      await open.close();
    }
  });
});

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });

interface Served {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `wfad serve` as a child process; `use` runs while it answers (if it starts). */
async function serve(env: NodeJS.ProcessEnv, use?: (base: string) => Promise<void>): Promise<Served> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'wfad.js'), 'serve', '--port', String(port)], { env: { ...process.env, ...env }, cwd: PROJECT_ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A server that should have refused to start must not hang the test.
  const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => (clearTimeout(guard), resolve(code))));
  if (use) {
    const base = `http://127.0.0.1:${port}`;
    try {
      for (let t = 0; !(await fetch(`${base}/health`).then((r) => r.ok, () => false)); t++) {
        assert.ok(t < 300 && child.exitCode === null, `serve did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      await use(base);
    } finally {
      child.kill('SIGTERM');
    }
  }
  return { code: await exited, stdout, stderr };
}

describe('secrets from the environment only', () => {
  it('refuses to start in production with mutations on and no WFAD_API_KEYS', async () => {
    await assert.rejects(variant({ apiKeys: [], production: true }), /WFAD_API_KEYS/);
    await assert.rejects(variant({ apiKeys: [], readKeyed: true }), /WFAD_API_KEYS/);
    const s = await variant({ apiKeys: [], production: true, mutations: false });
    await s.close();
    const r = await serve({ NODE_ENV: 'production', WFAD_API_KEYS: '' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /WFAD_API_KEYS/);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'a configuration error, not a stack trace');
  });

  it('never writes a key or the Neo4j password to the logs, nor into error messages', async () => {
    const secret = `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const other = `o-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const bodies: string[] = [];
    const r = await serve({ WFAD_API_KEYS: `${secret},${other}`, WFAD_LOG_LEVEL: 'trace', NEO4J_PASSWORD: password }, async (base) => {
      const url = `${base}/graphql`;
      const calls: Array<[string, Record<string, Json>, Record<string, string>]> = [
        ['mutation { activateModel(id: "nope") { id } }', {}, auth(secret)],
        ['mutation { activateModel(id: "nope") { id } }', {}, auth(`${secret}x`)],
        ['mutation { activateModel(id: "nope") { id } }', {}, auth(secret.slice(0, -1))],
        ['mutation { scoreRuns(limit: 0) { runsScored } }', {}, auth(other)],
        ['{ runs(first: 1) { nodes { id } } }', {}, auth(secret)],
        ['{ runz }', {}, auth(secret)],
      ];
      for (const [q, v, hd] of calls) bodies.push((await gql(url, q, v, hd)).raw);
      bodies.push(await (await fetch(`${base}/nope`, { headers: auth(secret) })).text());
    });
    assert.equal(r.code, 0, r.stderr);
    const logs = `${r.stdout}\n${r.stderr}`;
    assert.ok(r.stdout.split('\n').filter((l) => l.includes('"msg":"request"')).length >= 7, 'requests were logged');
    for (const s of [secret, other, secret.slice(0, -1), password]) {
      assert.ok(!logs.includes(s), `a secret appears in the logs: ${s}`);
      for (const b of bodies) assert.ok(!b.includes(s), `a secret appears in a response: ${b.slice(0, 200)}`);
    }
    assert.match(r.stdout, /"keys":2/, 'the log says how many keys, not which');
  });
});
