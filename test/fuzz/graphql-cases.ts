/**
 * GraphQL fuzzer: seeded requests generated from the API schema (every query and mutation
 * argument, so new fields are covered without touching this file) plus hand-made hostile HTTP
 * requests, and the check of each answer: never a 5xx, never a stack trace or internals, every
 * error with an `extensions.code` from the typed set.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { PUBLIC_CODES } from '../../src/api/errors';
import { Rng } from './mutators';

export interface HttpCase {
  id: number;
  /** Generator family, for the figures. */
  kind: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
  /** Query string (GET), without '?'. */
  search?: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Codes a client may see: those the API shows as they are, plus MODEL_UNAVAILABLE (src/api/errors.ts). */
export const KNOWN_CODES: ReadonlySet<string> = new Set([...PUBLIC_CODES, 'MODEL_UNAVAILABLE']);

/** What must never reach a client: stack frames, file paths, driver and Cypher text. */
export const LEAK_RE = /\bat [\w.<>]+ \(|\.(?:js|ts):\d+|node_modules|\/work\/|\/home\/|dist\/src|Neo4jError|Neo\.(?:Client|Transient|Database)Error|\bCypher\b|stacktrace|TypeError|ReferenceError|RangeError|SyntaxError: Unexpected token/;

// ---------------------------------------------------------------------------------------------
// Values

const HUGE_INTS = [2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER];
const STRINGS = ['', ' ', 'x', 'normal', 'cpu_2', 'mini', '1000genome', '\u0000', '🚀', 'é\u0301', "' OR 1=1 --", '"}) MATCH (n) DETACH DELETE n //', '../../etc/passwd', '${jndi:ldap://x}', '<script>alert(1)</script>', 'NaN', '1e309', '-1', '\\', '%00', 'null'];
/** Strings that would start real work if they reached trainModel (training ALL) are never sent there. */
const TRAIN_SAFE = (s: unknown): boolean => typeof s !== 'string' || !['all', 'mini'].includes(s.trim().toLowerCase());

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A plausible valid value for an input type (what a well-behaved client would send). */
function validValue(type: GraphQLInputType, rng: Rng, name: string, depth = 0): Json {
  if (isNonNullType(type)) return validValue(type.ofType, rng, name, depth);
  if (isListType(type)) return depth > 3 ? [] : Array.from({ length: 1 + rng.int(2) }, () => validValue(type.ofType, rng, name, depth + 1));
  if (isEnumType(type)) return rng.pick(type.getValues()).name;
  if (isInputObjectType(type)) {
    const out: Record<string, Json> = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) && f.defaultValue === undefined) out[f.name] = validValue(f.type, rng, f.name, depth + 1);
      else if (rng.chance(0.3)) out[f.name] = validValue(f.type, rng, f.name, depth + 1);
    }
    return out;
  }
  const t = getNamedType(type);
  switch (t.name) {
    case 'Int':
      return /first|limit/i.test(name) ? 1 + rng.int(5) : rng.int(10);
    case 'Float':
      return /lr/i.test(name) ? 0.01 : rng.pick([0, 0.5, 1, 60]);
    case 'Boolean':
      return rng.chance(0.5);
    case 'Time':
      return rng.pick(['2020-09-13T12:00:00Z', 1600000000000, '1600000000000', '2020-09-13']);
    case 'ID':
    case 'String':
      if (/workflow/i.test(name)) return rng.pick(['mini', 'nope']);
      if (/label/i.test(name)) return rng.pick(['normal', 'cpu_2']);
      if (/category/i.test(name)) return rng.pick(['normal', 'cpu']);
      if (/interval/i.test(name)) return rng.pick(['1h', '5m', '1d']);
      if (/^id$/i.test(name)) return rng.pick(['normal/mini-I0000-run0001', 'nope', 'mini-graph-multiclass@1']);
      return rng.pick(STRINGS);
    default:
      return 'x';
  }
}

/** A value of the wrong shape, type or size for an input type, with what makes it wrong. */
function badValue(type: GraphQLInputType, rng: Rng): { value: Json; why: string } {
  const named = getNamedType(type);
  const options: Array<() => { value: Json; why: string }> = [
    () => ({ value: null, why: 'null' }),
    () => ({ value: [validValue(type, rng, '')], why: 'array-for-scalar' }),
    () => ({ value: { unknownField: 1 }, why: 'object' }),
    () => ({ value: rng.pick(['NaN', 'Infinity', '-Infinity', '1e999']), why: 'nan-infinity-string' }),
    () => ({ value: 'x'.repeat(rng.pick([100_000, 1_000_000, 1_500_000])), why: 'oversized-string' }),
    () => ({ value: rng.pick(HUGE_INTS), why: 'huge-number' }),
    () => ({ value: rng.pick([true, false]), why: 'boolean' }),
  ];
  if (isScalarType(named) && ['Int'].includes(named.name)) options.push(() => ({ value: rng.pick([1.5, -0.5, 1e-9]), why: 'float-for-int' }), () => ({ value: rng.pick([-1, 0, -(2 ** 31)]), why: 'negative-or-zero' }));
  if (isScalarType(named) && ['Int', 'Float'].includes(named.name)) options.push(() => ({ value: rng.pick(['10', 'ten', '']), why: 'string-for-number' }));
  if (isScalarType(named) && ['String', 'ID', 'Time'].includes(named.name)) options.push(() => ({ value: rng.pick([42, 1.5, -1]), why: 'number-for-string' }), () => ({ value: rng.pick(STRINGS), why: 'hostile-string' }));
  if (isEnumType(named)) options.push(() => ({ value: rng.pick(['UNKNOWN', 'time', '', 'TIME ', '__proto__']), why: 'unknown-enum' }));
  if (isInputObjectType(named)) {
    options.push(
      () => ({ value: { ...(validValue(named, rng, '') as Record<string, Json>), [rng.pick(['bogus', '__proto__', 'constructor', 'x y'])]: 1 }, why: 'unknown-input-field' }),
      () => {
        let v: Json = { deep: 1 };
        for (let k = 0; k < 500; k++) v = { nested: v };
        return { value: v, why: 'deep-input-object' };
      },
    );
  }
  return rng.pick(options)();
}

/** Replaces one leaf (an argument, or a field inside an input object or list) by a bad value. */
function mutateOne(args: readonly GraphQLArgument[], values: Record<string, Json>, rng: Rng): string {
  const arg = rng.pick(args);
  let type: GraphQLInputType = arg.type;
  let holder: Record<string, Json> | Json[] = values;
  let key: string | number = arg.name;
  // Walk into input objects (and lists) now and then, to reach nested fields.
  for (let d = 0; d < 4 && rng.chance(0.6); d++) {
    const inner: GraphQLInputType = isNonNullType(type) ? type.ofType : type;
    const cur: Json | undefined = (holder as Record<string | number, Json>)[key];
    if (isInputObjectType(inner) && cur && typeof cur === 'object' && !Array.isArray(cur)) {
      const f = rng.pick(Object.values(inner.getFields()));
      holder = cur;
      key = f.name;
      type = f.type;
    } else if (isListType(inner) && Array.isArray(cur) && cur.length) {
      holder = cur;
      key = rng.int(cur.length);
      type = inner.ofType;
    } else break;
  }
  const bad = rng.chance(0.1) && isNonNullType(type) ? { value: null, why: 'null-for-non-null' } : badValue(type, rng);
  if (rng.chance(0.08) && !Array.isArray(holder)) {
    delete (holder as Record<string, Json>)[key as string];
    return `${arg.name}:missing`;
  }
  (holder as Record<string | number, Json>)[key] = bad.value;
  return `${arg.name}:${bad.why}`;
}

// ---------------------------------------------------------------------------------------------
// Queries from the schema

/** A cheap selection set: the scalar fields without required arguments, one level of objects. */
function selection(type: GraphQLOutputType, depth = 0): string {
  const t = getNamedType(type);
  if (isLeafType(t)) return '';
  if (!isObjectType(t)) return '{ __typename }';
  const fields = Object.values((t as GraphQLObjectType).getFields()).filter((f) => !f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined));
  const leaves = fields.filter((f) => isLeafType(getNamedType(f.type))).map((f) => f.name);
  const objects = depth < 1 ? fields.filter((f) => !isLeafType(getNamedType(f.type))).slice(0, 2).map((f) => `${f.name} ${selection(f.type, depth + 1)}`) : [];
  return `{ ${[...leaves, ...objects].join(' ') || '__typename'} }`;
}

const typeRef = (t: GraphQLInputType): string => String(t);

function printLiteral(v: Json, type?: GraphQLInputType): string {
  const named = type ? getNamedType(type) : undefined;
  if (v === null) return 'null';
  if (typeof v === 'string') return named && isEnumType(named) && /^[_A-Za-z][_0-9A-Za-z]*$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    const inner = type && isNonNullType(type) ? type.ofType : type;
    const item = inner && isListType(inner) ? (inner.ofType as GraphQLInputType) : undefined;
    return `[${v.map((x) => printLiteral(x, item)).join(', ')}]`;
  }
  const fields = named && isInputObjectType(named) ? named.getFields() : {};
  return `{${Object.entries(v).map(([k, x]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : 'bad_name'}: ${printLiteral(x, fields[k]?.type)}`).join(', ')}}`;
}

interface RootField {
  op: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
}

export function rootFields(schema: GraphQLSchema): RootField[] {
  const out: RootField[] = [];
  for (const [op, t] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    if (t) for (const f of Object.values(t.getFields())) out.push({ op, field: f });
  }
  return out;
}

const json = (o: unknown): string => JSON.stringify(o);
const post = (body: string | Buffer, headers: Record<string, string> = {}): Pick<HttpCase, 'method' | 'headers' | 'body'> => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** An operation on one root field with every argument as a variable (some mutated). */
function fieldCase(rf: RootField, rng: Rng, auth: Record<string, string>): { kind: string; req: Pick<HttpCase, 'method' | 'headers' | 'body'> } {
  const { field, op } = rf;
  const values: Record<string, Json> = {};
  for (const a of field.args) if (isNonNullType(a.type) || rng.chance(0.6)) values[a.name] = validValue(a.type, rng, a.name);
  let why = 'valid';
  const asLiteral = rng.chance(0.3);
  if (field.args.length && rng.chance(0.9)) why = mutateOne(field.args, values, rng);
  else if (!field.args.length && rng.chance(0.5)) {
    values.bogus = 1;
    why = 'unknown-argument';
  }
  // trainModel with a usable config would start a real training: point it at no stored workflow.
  if (field.name === 'trainModel') {
    const cfg = values.config;
    if (cfg && typeof cfg === 'object' && !Array.isArray(cfg) && TRAIN_SAFE(cfg.workflow)) cfg.workflow = cfg.workflow ?? 'nope';
    else if (cfg && typeof cfg === 'object' && !Array.isArray(cfg)) cfg.workflow = 'nope';
  }
  const sel = selection(field.type);
  const known = field.args.filter((a) => a.name in values);
  const extra = Object.keys(values).filter((k) => !field.args.some((a) => a.name === k));
  let query: string;
  let variables: Record<string, Json> | undefined;
  if (asLiteral) {
    const argText = [...known.map((a) => `${a.name}: ${printLiteral(values[a.name] as Json, a.type)}`), ...extra.map((k) => `${k}: 1`)].join(', ');
    query = `${op} { ${field.name}${argText ? `(${argText})` : ''} ${sel} }`;
  } else {
    const decl = known.map((a) => `$${a.name}: ${typeRef(a.type)}`).join(', ');
    const use = [...known.map((a) => `${a.name}: $${a.name}`), ...extra.map((k) => `${k}: 1`)].join(', ');
    query = `${op} Fz${decl ? `(${decl})` : ''} { ${field.name}${use ? `(${use})` : ''} ${sel} }`;
    variables = Object.fromEntries(known.map((a) => [a.name, values[a.name] as Json]));
  }
  const withAuth = op === 'mutation' ? rng.chance(0.7) : rng.chance(0.2);
  return { kind: `${op}.${field.name}:${why}${asLiteral ? ':literal' : ''}`, req: post(json({ query, variables }), withAuth ? auth : {}) };
}

/** A random path through object fields, `depth` levels deep (for depth-limit cases). */
function deepQuery(schema: GraphQLSchema, rng: Rng, depth: number): string {
  const q = schema.getQueryType() as GraphQLObjectType;
  let t: GraphQLObjectType = q;
  const open: string[] = [];
  for (let d = 0; d < depth; d++) {
    const objs = Object.values(t.getFields()).filter((f) => isObjectType(getNamedType(f.type)) && !f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined));
    if (!objs.length) break;
    const f = rng.pick(objs);
    open.push(f.name);
    t = getNamedType(f.type) as GraphQLObjectType;
  }
  return `{ ${open.join(' { ')} { __typename } ${' }'.repeat(open.length)} }`;
}

/** Structural and transport-level attacks, not tied to one field. */
function hostileCase(schema: GraphQLSchema, rng: Rng, auth: Record<string, string>): { kind: string; req: Omit<HttpCase, 'id' | 'kind'> } {
  const fields = rootFields(schema).filter((r) => r.op === 'query');
  const options: Array<() => { kind: string; req: Omit<HttpCase, 'id' | 'kind'> }> = [
    () => ({ kind: 'deep-query', req: post(json({ query: deepQuery(schema, rng, 8 + rng.int(40)) })) }),
    () => {
      const n = 50 + rng.int(500);
      return { kind: 'nested-braces', req: post(json({ query: `{ ${'workflows { '.repeat(n)}name${' }'.repeat(n)} }` })) };
    },
    () => {
      const n = 50 + rng.int(2000);
      return { kind: 'aliases', req: post(json({ query: `{ ${Array.from({ length: n }, (_, k) => `a${k}: runs(first: ${1 + rng.int(500)}) { nodes { id jobs { id features { name value } } } }`).join(' ')} }` })) };
    },
    () => ({ kind: 'expensive', req: post(json({ query: '{ runs(first: 500) { totalCount nodes { id jobs { id features { name value } prediction { score } } prediction { probabilities { class probability } } } } labelledSubgraphs(first: 500) { nodes { x edgeIndex } } }' })) }),
    () => ({ kind: 'fragment-cycle', req: post(json({ query: '{ runs { nodes { ...A } } } fragment A on Run { id jobs { id } ...B } fragment B on Run { label ...A }' })) }),
    () => ({ kind: 'fragment-self', req: post(json({ query: 'query { workflows { ...W } } fragment W on Workflow { name ...W }' })) }),
    () => ({ kind: 'unknown-directive', req: post(json({ query: '{ workflows @bogus { name @skip(if: "yes") } }' })) }),
    () => ({ kind: 'batched', req: post(json(Array.from({ length: 1 + rng.int(100) }, () => ({ query: '{ workflows { name } }' })))) }),
    () => ({ kind: 'malformed-json', req: post(rng.pick(['{"query": ', '{query: "{ workflows { name } }"}', '{"query": "{ workflows { name } }"', '\u0000', "{'query': 1}", '{"query": "\\u12"}'])) }),
    () => ({ kind: 'empty-body', req: post('') }),
    () => ({ kind: 'json-not-object', req: post(rng.pick(['null', '42', '"{ workflows { name } }"', '[]', 'true'])) }),
    () => ({ kind: 'query-wrong-type', req: post(json({ query: rng.pick([42, null, ['{ workflows { name } }'], { a: 1 }, true]) })) }),
    () => ({ kind: 'variables-wrong-type', req: post(json({ query: 'query($n: String) { workflows(name: $n) { name } }', variables: rng.pick(['{"n": "mini"}', [1], 42, true]) })) }),
    () => ({ kind: 'operation-name', req: post(json({ query: 'query A { workflows { name } } query B { models { id } }', operationName: rng.pick([undefined, 'C', 42, '']) })) }),
    () => ({ kind: 'extensions-garbage', req: post(json({ query: '{ workflows { name } }', extensions: rng.pick([{ persistedQuery: { version: 1, sha256Hash: 'abc' } }, 'x', { persistedQuery: 42 }]) })) }),
    () => ({ kind: 'wrong-content-type', req: { method: 'POST', headers: { 'content-type': rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/graphql', 'application/json; charset=latin1', '']) }, body: json({ query: '{ workflows { name } }' }) } }),
    () => ({ kind: 'get-query', req: { method: 'GET', search: `query=${encodeURIComponent(rng.pick(['{ workflows { name } }', 'mutation { activateModel(id: "x") { id } }', '{ runs(first: "x") { nodes { id } } }', '{']))}${rng.chance(0.5) ? `&variables=${encodeURIComponent(rng.pick(['{', '{"a":1}', '[]']))}` : ''}`, headers: rng.chance(0.6) ? { 'apollo-require-preflight': 'true' } : ({} as Record<string, string>) } }),
    () => ({ kind: 'get-garbage', req: { method: 'GET', search: rng.pick(['query=%E0%A4%A', 'query', '=&&=', `query=${'%7B'.repeat(5000)}`, 'extensions=%7B', 'variables=1&query=']), headers: { 'apollo-require-preflight': 'true' } } }),
    () => ({ kind: 'other-method', req: { method: rng.pick(['PUT', 'DELETE', 'OPTIONS'] as const), headers: { 'content-type': 'application/json' }, body: json({ query: '{ workflows { name } }' }) } }),
    () => ({ kind: 'huge-body', req: post(json({ query: `{ workflows { name } } # ${'x'.repeat(2 * 1024 * 1024 + rng.int(1024 * 1024))}` })) }),
    () => ({ kind: 'huge-query-many-fields', req: post(json({ query: `{ workflows { ${'name '.repeat(50_000 + rng.int(100_000))} } }` })) }),
    () => ({ kind: 'random-bytes', req: post(Buffer.from(Array.from({ length: 1 + rng.int(2000) }, () => rng.int(256))), rng.chance(0.5) ? auth : {}) }),
    () => {
      const base = `{ runs(first: 3, filter: {workflow: "mini"}) { nodes { id label jobs { name runtime } } } }`;
      const b = base.split('');
      for (let k = 1 + rng.int(5); k > 0; k--) b[rng.int(b.length)] = String.fromCharCode(rng.int(128));
      return { kind: 'mutated-query-text', req: post(json({ query: b.join('') })) };
    },
    () => ({ kind: 'bad-auth-header', req: post(json({ query: 'mutation { activateModel(id: "x") { id } }' }), { authorization: rng.pick(['Bearer', 'Bearer ', 'Basic abc', 'Bearer wrong', `Bearer ${'k'.repeat(100_000)}`, 'bearer test-key-alpha', 'Bearer test-key-alpha, Bearer x']) }) }),
    () => ({ kind: 'introspection', req: post(json({ query: '{ __schema { types { name fields { name args { name type { name } } } } } }' })) }),
    () => {
      const f = rng.pick(fields);
      return { kind: 'unknown-field', req: post(json({ query: `{ ${f.field.name}Zz { id } }` })) };
    },
    () => ({ kind: 'variables-undeclared', req: post(json({ query: '{ runs(first: $n) { nodes { id } } }', variables: { n: 1 } })) }),
    () => ({ kind: 'subscription', req: post(json({ query: 'subscription { runs { id } }' })) }),
  ];
  return rng.pick(options)();
}

/**
 * `n` cases: about 60 % from the schema's root fields (each field in turn, so every argument of
 * every query and mutation is covered), the rest hostile requests.
 */
export function generateHttpCases(schema: GraphQLSchema, n: number, seed: number, auth: Record<string, string>): HttpCase[] {
  const rng = new Rng(seed);
  const roots = rootFields(schema);
  const out: HttpCase[] = [];
  let ri = 0;
  for (let id = 0; id < n; id++) {
    const c = rng.next() < 0.6 ? fieldCase(roots[ri++ % roots.length] as RootField, rng, auth) : hostileCase(schema, rng, auth);
    out.push({ id, kind: c.kind, ...c.req });
  }
  return out;
}

export interface HttpOutcome {
  id: number;
  kind: string;
  status: number;
  codes: string[];
  violations: string[];
}

/** Sends one case and checks the answer. */
export async function sendCase(url: string, c: HttpCase): Promise<HttpOutcome> {
  const target = c.search !== undefined ? `${url}?${c.search}` : url;
  const violations: string[] = [];
  let status = 0;
  let raw = '';
  try {
    const res = await fetch(target, { method: c.method, headers: c.headers, ...(c.body !== undefined && c.method !== 'GET' ? { body: c.body } : {}) });
    status = res.status;
    raw = await res.text();
  } catch (err) {
    return { id: c.id, kind: c.kind, status: 0, codes: [], violations: [`request failed: ${(err as Error).message}`] };
  }
  if (status >= 500) violations.push(`HTTP ${status}`);
  const leak = LEAK_RE.exec(raw);
  if (leak) violations.push(`internals in the body: …${raw.slice(Math.max(0, leak.index - 80), leak.index + 80)}…`);
  const codes: string[] = [];
  let body: unknown = null;
  if (raw !== '' && c.method !== 'OPTIONS') {
    try {
      body = JSON.parse(raw);
    } catch {
      violations.push(`not JSON (HTTP ${status}): ${raw.slice(0, 120)}`);
    }
  }
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (errors !== undefined) {
    if (!Array.isArray(errors) || errors.length === 0) violations.push('errors is not a non-empty list');
    else {
      for (const e of errors as Array<{ message?: unknown; extensions?: { code?: unknown } }>) {
        const code = e?.extensions?.code;
        codes.push(typeof code === 'string' ? code : 'NONE');
        if (typeof code !== 'string' || !KNOWN_CODES.has(code)) violations.push(`error without a known code (${String(code)}): ${String(e?.message).slice(0, 160)}`);
        if (typeof e?.message !== 'string' || e.message === '') violations.push('error without a message');
      }
    }
  } else if (status >= 400 && c.method !== 'OPTIONS' && status !== 404) violations.push(`HTTP ${status} without errors: ${raw.slice(0, 120)}`);
  if (status === 200 && body && typeof body === 'object' && !('data' in body) && !('errors' in body)) violations.push(`HTTP 200 without data or errors: ${raw.slice(0, 120)}`);
  return { id: c.id, kind: c.kind, status, codes, violations };
}
