/**
 * What a query asks below a field, known before that field resolves, so that one Cypher query can
 * read what the fields below would each read on their own: here, which models' predictions of a
 * run are asked (`prediction` / `prediction(model: …)` under Run).
 */
import { Kind, isObjectType, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import type { ApiContext } from '../context';
import type { ModelRecord } from '../store/models';

/** Fields named `name` in a selection set, fragments (inline and named) followed. */
function fieldsNamed(set: SelectionSetNode | undefined, name: string, info: GraphQLResolveInfo, out: FieldNode[] = []): FieldNode[] {
  for (const sel of set?.selections ?? []) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value === name) out.push(sel);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) fieldsNamed(sel.selectionSet, name, info, out);
    else fieldsNamed(info.fragments[sel.name.value]?.selectionSet, name, info, out);
  }
  return out;
}

/** Field nodes reached from the resolving field along `path` (field names), then named `leaf`. */
function fieldsAt(info: GraphQLResolveInfo, path: readonly string[], leaf: string): FieldNode[] {
  let level: FieldNode[] = [...info.fieldNodes];
  for (const step of path) level = level.flatMap((f) => fieldsNamed(f.selectionSet, step, info));
  return level.flatMap((f) => fieldsNamed(f.selectionSet, leaf, info));
}

/** Prediction fields a page can answer from a stored prediction's verdict alone (see PagePredictionFields). */
const VERDICT_FIELDS = new Set(['predicted', 'score', 'stored', 'model', '__typename']);

/** Names of the fields a selection set asks, fragments followed. */
function fieldNames(set: SelectionSetNode | undefined, info: GraphQLResolveInfo, out: Set<string>): Set<string> {
  for (const sel of set?.selections ?? []) {
    if (sel.kind === Kind.FIELD) out.add(sel.name.value);
    else if (sel.kind === Kind.INLINE_FRAGMENT) fieldNames(sel.selectionSet, info, out);
    else fieldNames(info.fragments[sel.name.value]?.selectionSet, info, out);
  }
  return out;
}

/**
 * Whether the run predictions asked at each of `paths` below the resolving field ask only their
 * verdict (predicted, score; also stored, model): then a page reads no more of them.
 */
export function runPredictionVerdictOnly(info: GraphQLResolveInfo, paths: ReadonlyArray<readonly string[]>): boolean {
  const asked = new Set<string>();
  for (const path of paths) for (const node of fieldsAt(info, path, 'prediction')) fieldNames(node.selectionSet, info, asked);
  for (const name of asked) if (!VERDICT_FIELDS.has(name)) return false;
  return true;
}

/**
 * The graph-level models whose run predictions the query asks at `path` below the resolving field
 * (e.g. [] under run(id), ['nodes'] under runs). A model that does not resolve (unknown id, wrong
 * level) is left out: the prediction field itself then answers with the error.
 */
export async function runPredictionModelsAsked(ctx: ApiContext, info: GraphQLResolveInfo, path: readonly string[]): Promise<ModelRecord[]> {
  const nodes = fieldsAt(info, path, 'prediction');
  if (nodes.length === 0) return [];
  const runType = info.schema.getType('Run');
  const def = isObjectType(runType) ? runType.getFields().prediction : undefined;
  if (!def) return [];
  const out = new Map<string, ModelRecord>();
  for (const node of nodes) {
    try {
      const args = getArgumentValues(def, node, info.variableValues) as { model?: string | null };
      const m = await ctx.services.registry.resolve(args.model ?? null, 'graph', 'model');
      ctx.predictionModels.set(args.model ?? '', m);
      if (m) out.set(m.id, m);
    } catch {
      // Reported by the field's own resolver.
    }
  }
  return [...out.values()];
}
