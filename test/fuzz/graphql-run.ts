/**
 * One GraphQL fuzz round, shared by the test and bench/fuzz: every case sent in turn to a running
 * server, then a normal query that must still work.
 */
import { apiSchema } from '../../src/api/schema';
import { generateHttpCases, rootFields, sendCase, type HttpOutcome } from './graphql-cases';

export interface GraphqlFuzzResult {
  outcomes: HttpOutcome[];
  violations: string[];
  statuses: Record<string, number>;
  codes: Record<string, number>;
  kinds: Record<string, number>;
  /** Arguments of root fields in the schema, and how many got at least one bad value. */
  args: number;
  argsMutated: number;
  /** A normal query after all cases: the server is still up and answers. */
  aliveAfter: boolean;
  seconds: number;
}

export async function graphqlFuzzRound(url: string, opts: { cases: number; seed: number; auth: Record<string, string>; log?: (s: string) => void }): Promise<GraphqlFuzzResult> {
  const t0 = performance.now();
  const cases = generateHttpCases(apiSchema(), opts.cases, opts.seed, opts.auth);
  const outcomes: HttpOutcome[] = [];
  for (const c of cases) {
    outcomes.push(await sendCase(url, c));
    if (outcomes.length % 250 === 0) opts.log?.(`graphql fuzz: ${outcomes.length}/${cases.length}`);
  }
  const statuses: Record<string, number> = {};
  const codes: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  const argsHit = new Set<string>();
  for (const o of outcomes) {
    statuses[o.status] = (statuses[o.status] ?? 0) + 1;
    for (const c of new Set(o.codes)) codes[c] = (codes[c] ?? 0) + 1;
    // Schema cases are `<op>.<field>:<arg>:<why>[:literal]`: tallied by what was wrong and how it was sent.
    const parts = o.kind.replace(/:literal$/, '').split(':');
    const family = /^(query|mutation)\./.test(o.kind) ? `${o.kind.endsWith(':literal') ? 'literal' : 'variable'}:${parts.length > 2 ? parts[2] : parts[1]}` : o.kind;
    kinds[family] = (kinds[family] ?? 0) + 1;
    if (/^(query|mutation)\./.test(o.kind) && parts.length > 2) argsHit.add(`${parts[0]}.${parts[1]}`);
  }
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ workflows { name runCount } }' }) }).catch(() => null);
  const body = res ? ((await res.json().catch(() => null)) as { data?: { workflows?: unknown[] } } | null) : null;
  const aliveAfter = res?.status === 200 && Array.isArray(body?.data?.workflows);
  const violations = outcomes.flatMap((o) => o.violations.map((v) => `#${o.id} ${o.kind}: ${v}`));
  const args = rootFields(apiSchema()).flatMap((f) => f.field.args.map((a) => `${f.op}.${f.field.name}.${a.name}`));
  const argsMutated = args.filter((a) => argsHit.has(a));
  return { outcomes, violations, statuses, codes, kinds, args: args.length, argsMutated: argsMutated.length, aliveAfter, seconds: (performance.now() - t0) / 1000 };
}
