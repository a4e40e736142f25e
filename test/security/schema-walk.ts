/**
 * Walks the built GraphQL schema so that security tests cover every operation without a list to
 * keep up to date: root fields, every String/ID slot in their arguments (nested input fields and
 * list elements included), and String/ID arguments of nested object fields reachable from Query.
 */
import {
  getNamedType,
  getNullableType,
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
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/** Where a value sits inside an argument: input field names and list indices. */
export type Slot = Array<string | number>;

const isStringLike = (t: GraphQLInputType): boolean => {
  const n = getNamedType(t);
  return isScalarType(n) && (n.name === 'String' || n.name === 'ID');
};

/** Every String/ID position inside an argument type (lists: their first element). */
export function stringSlots(type: GraphQLInputType, prefix: Slot = [], seen = new Set<string>()): Slot[] {
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) return stringSlots(t.ofType as GraphQLInputType, [...prefix, 0], seen);
  if (isStringLike(t)) return [prefix];
  if (isInputObjectType(t)) {
    if (seen.has(t.name)) return [];
    const inner = new Set(seen).add(t.name);
    return Object.values(t.getFields()).flatMap((f) => stringSlots(f.type, [...prefix, f.name], inner));
  }
  return [];
}

/** Fills required positions with plain values (`fill` may override any position by its path). */
export function fillValue(type: GraphQLInputType, path: Slot, fill: (path: Slot, name: string) => Json | undefined): Json | undefined {
  const name = typeof path[path.length - 1] === 'string' ? (path[path.length - 1] as string) : '';
  const given = fill(path, name);
  if (given !== undefined) return given;
  const required = isNonNullType(type);
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) {
    const v = fillValue(t.ofType as GraphQLInputType, [...path, 0], fill);
    return v === undefined ? (required ? [] : undefined) : [v];
  }
  if (isInputObjectType(t)) {
    const out: Record<string, Json> = {};
    for (const f of Object.values(t.getFields())) {
      if (!isNonNullType(f.type) || f.defaultValue !== undefined) continue;
      const v = fillValue(f.type, [...path, f.name], fill);
      if (v !== undefined) out[f.name] = v;
    }
    return required ? out : undefined;
  }
  if (!required) return undefined;
  if (isEnumType(t)) return t.getValues()[0]?.value as string;
  if (isScalarType(t)) {
    switch (t.name) {
      case 'Int':
        return 1;
      case 'Float':
        return 0.5;
      case 'Boolean':
        return false;
      case 'Time':
        // Two days around the test data (test/api/harness.ts T0): a small series.
        return name === 'to' ? '2020-09-15T00:00:00Z' : '2020-09-13T00:00:00Z';
      default:
        return 'x';
    }
  }
  return undefined;
}

/** Sets `value` at `slot` inside `root`, creating objects and one-element lists on the way. */
export function setAt(root: Json | undefined, slot: Slot, value: Json): Json {
  if (slot.length === 0) return value;
  const [head, ...rest] = slot;
  if (typeof head === 'number') {
    const arr = Array.isArray(root) ? [...root] : [];
    arr[head] = setAt(arr[head], rest, value);
    return arr;
  }
  const obj = root && typeof root === 'object' && !Array.isArray(root) ? { ...root } : {};
  obj[head as string] = setAt(obj[head as string], rest, value);
  return obj;
}

/** A selection that asks for the least: __typename of objects, nothing for leaves. */
export function minimalSelection(type: GraphQLNamedType): string {
  return isLeafType(type) ? '' : '{ __typename }';
}

export interface Target {
  /** e.g. Query.runs(filter.workflow) or Run.prediction(model) via Query.runs.nodes */
  label: string;
  operation: 'query' | 'mutation';
  /** The root field and its arguments. */
  root: GraphQLField<unknown, unknown>;
  /** Nested fields from the root's type to the field whose argument holds the slot ([] = root). */
  via: string[];
  field: GraphQLField<unknown, unknown>;
  arg: GraphQLArgument;
  slot: Slot;
}

/** Object fields reachable from Query through fields without required arguments: the path to each type. */
function reachable(schema: GraphQLSchema): Map<string, { root: GraphQLField<unknown, unknown>; via: string[] }> {
  const out = new Map<string, { root: GraphQLField<unknown, unknown>; via: string[] }>();
  const q = schema.getQueryType() as GraphQLObjectType;
  const queue: Array<{ type: GraphQLObjectType; root: GraphQLField<unknown, unknown>; via: string[] }> = [];
  const noRequired = (f: GraphQLField<unknown, unknown>): boolean => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined);
  for (const f of Object.values(q.getFields())) {
    const t = getNamedType(f.type);
    if (isObjectType(t) && noRequired(f) && !out.has(t.name)) {
      out.set(t.name, { root: f, via: [] });
      queue.push({ type: t, root: f, via: [] });
    }
  }
  while (queue.length) {
    const { type, root, via } = queue.shift() as (typeof queue)[number];
    for (const f of Object.values(type.getFields())) {
      const t = getNamedType(f.type);
      if (!isObjectType(t) || out.has(t.name) || !noRequired(f)) continue;
      const next = { root, via: [...via, f.name] };
      out.set(t.name, next);
      queue.push({ type: t, ...next });
    }
  }
  return out;
}

/** Every String/ID slot of every root field's arguments, and of nested fields' arguments. */
export function injectionTargets(schema: GraphQLSchema): Target[] {
  const out: Target[] = [];
  for (const [operation, type] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    if (!type) continue;
    for (const f of Object.values(type.getFields())) {
      for (const a of f.args) for (const slot of stringSlots(a.type)) out.push({ label: `${type.name}.${f.name}(${[a.name, ...slot].join('.')})`, operation, root: f, via: [], field: f, arg: a, slot });
    }
  }
  const paths = reachable(schema);
  for (const [typeName, p] of paths) {
    const t = schema.getType(typeName) as GraphQLObjectType;
    for (const f of Object.values(t.getFields())) {
      for (const a of f.args) {
        for (const slot of stringSlots(a.type)) {
          out.push({ label: `${typeName}.${f.name}(${[a.name, ...slot].join('.')}) via Query.${[p.root.name, ...p.via].join('.')}`, operation: 'query', root: p.root, via: p.via, field: f, arg: a, slot });
        }
      }
    }
  }
  return out;
}

/**
 * The operation text and variables for a target with `value` in its slot. Root arguments go in
 * variables (as clients send them); a nested field's argument too.
 */
export function buildOperation(t: Target, value: Json, fill: (path: Slot, name: string) => Json | undefined): { query: string; variables: Record<string, Json> } {
  const variables: Record<string, Json> = {};
  const decl: string[] = [];
  const argsOf = (f: GraphQLField<unknown, unknown>, prefix: string, target: boolean): string => {
    const parts: string[] = [];
    for (const a of f.args) {
      // Arguments with a default keep it (unless the caller's fill says otherwise).
      const base = a.defaultValue !== undefined ? fill([f.name, a.name], a.name) : fillValue(a.type, [f.name, a.name], fill);
      const v = target && a === t.arg ? setAt(base, t.slot, value) : base;
      if (v === undefined) continue;
      const name = `${prefix}_${a.name}`;
      variables[name] = v;
      decl.push(`$${name}: ${String(a.type)}`);
      parts.push(`${a.name}: $${name}`);
    }
    return parts.length ? `(${parts.join(', ')})` : '';
  };
  const leafSel = minimalSelection(getNamedType(t.field.type));
  let inner: string;
  if (t.via.length === 0) inner = `${t.root.name}${argsOf(t.root, 'r', true)} ${leafSel}`;
  else {
    let sel = `${t.field.name}${argsOf(t.field, 'n', true)} ${leafSel}`;
    for (let i = t.via.length - 1; i >= 0; i--) sel = `${t.via[i] as string} { ${sel} }`;
    inner = `${t.root.name}${argsOf(t.root, 'r', false)} { ${sel} }`;
  }
  const query = `${t.operation}${decl.length ? `(${decl.join(', ')})` : ''} { ${inner} }`;
  return { query, variables };
}
