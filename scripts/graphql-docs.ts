/**
 * `npm run docs:graphql` (also run by `npm run schema`): writes docs/graphql.md, the GraphQL
 * reference, from the committed SDL (schema/schema.graphql). Generated, never edited by hand: a test
 * fails when the page and the schema drift apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  astFromValue,
  buildSchema,
  print,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
} from 'graphql';
import { PROJECT_ROOT } from '../src/config';

export const GRAPHQL_DOCS_FILE = path.join(PROJECT_ROOT, 'docs', 'graphql.md');
export const SCHEMA_SDL_FILE = path.join(PROJECT_ROOT, 'schema', 'schema.graphql');

/** One line of Markdown table text: pipes escaped, newlines folded. */
const cell = (s: string | null | undefined): string => (s ?? '').replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();
const anchor = (name: string): string => name.toLowerCase();
/** `[Run!]!` in code, linked to the named type's section when the schema defines it. */
function typeRef(t: { toString(): string }, known: Set<string>): string {
  const text = String(t);
  const base = text.replace(/[[\]!]/g, '');
  return known.has(base) ? `[\`${text}\`](#${anchor(base)})` : `\`${text}\``;
}
/** A default value as GraphQL writes it (enum values unquoted). */
function defaultText(a: GraphQLArgument): string {
  const ast = astFromValue(a.defaultValue, a.type);
  return ast ? print(ast) : JSON.stringify(a.defaultValue);
}
function args(list: readonly GraphQLArgument[], known: Set<string>): string {
  if (!list.length) return '';
  return list.map((a) => `\`${a.name}\`: ${typeRef(a.type, known)}${a.defaultValue !== undefined ? ` = \`${defaultText(a)}\`` : ''}${a.description ? ` (${cell(a.description)})` : ''}`).join('<br>');
}
function fieldTable(fields: ReadonlyArray<GraphQLField<unknown, unknown> | GraphQLInputField>, known: Set<string>, withArgs: boolean): string[] {
  const head = withArgs ? ['| field | type | arguments | description |', '| --- | --- | --- | --- |'] : ['| field | type | description |', '| --- | --- | --- |'];
  const rows = fields.map((f) => {
    const deprecated = 'deprecationReason' in f && f.deprecationReason ? ` **Deprecated:** ${cell(f.deprecationReason)}` : '';
    const a = withArgs && 'args' in f ? ` ${args(f.args, known)} |` : '';
    return `| \`${f.name}\` | ${typeRef(f.type, known)} |${a} ${cell(f.description)}${deprecated} |`;
  });
  return [...head, ...rows];
}

function section(t: GraphQLNamedType, known: Set<string>): string[] {
  const out = [`### ${t.name}`, ''];
  if (t.description) out.push(cell(t.description), '');
  if (isObjectType(t) || isInterfaceType(t)) out.push(...fieldTable(Object.values(t.getFields()), known, true));
  else if (isInputObjectType(t)) out.push(...fieldTable(Object.values(t.getFields()), known, false));
  else if (isEnumType(t)) out.push('| value | description |', '| --- | --- |', ...t.getValues().map((v) => `| \`${v.name}\` | ${cell(v.description)} |`));
  else if (isUnionType(t)) out.push(`One of: ${t.getTypes().map((m) => typeRef(m, known)).join(', ')}`);
  else if (isScalarType(t)) out.push('Scalar.');
  out.push('');
  return out;
}

/** The Markdown reference for an SDL text. Deterministic: types sorted by name. */
export function renderGraphqlDocs(sdl: string): string {
  const schema = buildSchema(sdl);
  const types = Object.values(schema.getTypeMap()).filter((t) => !t.name.startsWith('__') && !isSpecifiedScalarType(t));
  const known = new Set(types.map((t) => t.name));
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t): t is NonNullable<typeof t> => Boolean(t));
  const rootNames = new Set(roots.map((r) => r.name));
  const groups: Array<[string, (t: GraphQLNamedType) => boolean]> = [
    ['Object types', (t) => isObjectType(t) || isInterfaceType(t) || isUnionType(t)],
    ['Input types', isInputObjectType],
    ['Enums', isEnumType],
    ['Scalars', isScalarType],
  ];
  const out = [
    '# GraphQL reference',
    '',
    'For anyone writing queries against `wfad serve`: every query, mutation and type of the API.',
    '',
    'Generated from [`schema/schema.graphql`](../schema/schema.graphql) by `npm run docs:graphql` (also run by',
    '`npm run schema`); do not edit by hand. How to use the API, with examples: [analyst.md](analyst.md).',
    '',
  ];
  for (const r of roots) {
    out.push(`## ${r.name === 'Query' ? 'Queries' : r.name === 'Mutation' ? 'Mutations' : r.name}`, '');
    out.push(...fieldTable(Object.values(r.getFields()), known, true), '');
  }
  for (const [title, test] of groups) {
    const members = types.filter((t) => test(t) && !rootNames.has(t.name)).sort((a, b) => a.name.localeCompare(b.name));
    if (!members.length) continue;
    out.push(`## ${title}`, '');
    for (const t of members) out.push(...section(t, known));
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

if (require.main === module) {
  fs.mkdirSync(path.dirname(GRAPHQL_DOCS_FILE), { recursive: true });
  fs.writeFileSync(GRAPHQL_DOCS_FILE, renderGraphqlDocs(fs.readFileSync(SCHEMA_SDL_FILE, 'utf8')));
  console.log(`wrote ${path.relative(process.cwd(), GRAPHQL_DOCS_FILE)}`);
}
