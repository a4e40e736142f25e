/** Shared by resolvers: cursors, page sizes, filters → store selections, record → GraphQL views. */
import { CATEGORIES, UNLABELLED } from '../../ingest/labels';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import type { ModelRecord } from '../store/models';
import type { Cursor, RunSelection } from '../store/runs';
import type { Model, ModelMetrics, SplitMetrics } from '../types/model';
import type { RunFilter } from '../types/inputs';

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.k, c.id])).toString('base64url');
}

export function decodeCursor(text: string | null | undefined, field = 'after'): Cursor | null {
  if (text === null || text === undefined || text === '') return null;
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string') return { k: v[0], id: v[1] };
  } catch {
    // fall through
  }
  throw new BadInputError(field, `${JSON.stringify(text.slice(0, 40))} is not a cursor of this connection (use pageInfo.endCursor)`);
}

export function pageSize(ctx: ApiContext, first: number, field = 'first'): number {
  const max = ctx.services.config.maxPageSize;
  if (!Number.isInteger(first) || first < 0 || first > max) throw new BadInputError(field, `${first} is out of range: a page holds 0 to ${max} items`, { max });
  return first;
}

/** Validates a filter and resolves its model; the model is null when no prediction filter needs one. */
export async function toSelection(ctx: ApiContext, filter: RunFilter | null | undefined, needModel: boolean, field = 'filter'): Promise<{ sel: RunSelection; model: ModelRecord | null }> {
  const f = filter ?? {};
  if (f.category != null && f.category !== UNLABELLED && !(CATEGORIES as readonly string[]).includes(f.category)) {
    throw new BadInputError(`${field}.category`, `"${f.category}" is not a category (${[...CATEGORIES, UNLABELLED].join(', ')})`);
  }
  for (const k of ['minScore', 'maxScore'] as const) {
    const v = f[k];
    if (v != null && !(v >= 0 && v <= 1)) throw new BadInputError(`${field}.${k}`, `${v} is not an anomaly score (0 to 1)`);
  }
  if (f.minScore != null && f.maxScore != null && f.minScore > f.maxScore) {
    throw new BadInputError(`${field}.minScore`, `minScore ${f.minScore} is above maxScore ${f.maxScore}`);
  }
  if (f.from != null && f.to != null && f.from >= f.to) throw new BadInputError(`${field}.from`, 'from must be before to');
  const usesPrediction = needModel || f.predictedCategory != null || f.minScore != null || f.maxScore != null;
  const model = usesPrediction || f.model != null ? await ctx.services.registry.require(f.model, 'graph', `${field}.model`) : null;
  if (f.predictedCategory != null && model && !model.classes.includes(f.predictedCategory)) {
    throw new BadInputError(`${field}.predictedCategory`, `"${f.predictedCategory}" is not a class of model ${model.id} (${model.classes.join(', ')})`);
  }
  return {
    sel: {
      workflow: f.workflow ?? null,
      label: f.label ?? null,
      category: f.category ?? null,
      level: f.level ?? null,
      labelled: f.labelled ?? null,
      from: f.from ?? null,
      to: f.to ?? null,
      modelId: model?.id ?? null,
      predicted: f.predictedCategory ?? null,
      minScore: f.minScore ?? null,
      maxScore: f.maxScore ?? null,
    },
    model,
  };
}

function splitMetrics(v: unknown): SplitMetrics | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const num = (k: string): number => (typeof o[k] === 'number' ? (o[k] as number) : NaN);
  if (!Number.isFinite(num('accuracy'))) return null;
  return {
    n: Number.isFinite(num('n')) ? num('n') : 0,
    accuracy: num('accuracy'),
    precision: num('precision'),
    recall: num('recall'),
    f1: num('f1'),
    confusion: Array.isArray(o.confusion) ? (o.confusion as number[][]) : [],
  };
}

/** Views of registry records (immutable; the registry makes new ones when it refreshes). */
const modelViews = new WeakMap<ModelRecord, Model>();

/** The GraphQL view of a model record, built once per record (every prediction of a page shares it). */
export function toModelView(m: ModelRecord): Model {
  let v = modelViews.get(m);
  if (!v) modelViews.set(m, (v = modelView(m)));
  return v;
}

function modelView(m: ModelRecord): Model {
  const metrics = m.metrics && typeof m.metrics === 'object' ? (m.metrics as Record<string, unknown>) : null;
  const mm: ModelMetrics | null = metrics ? { test: splitMetrics(metrics.test), val: splitMetrics(metrics.val) } : null;
  const at = m.registeredAt ? Date.parse(m.registeredAt) : NaN;
  return {
    id: m.id,
    name: m.name,
    version: m.version,
    workflow: m.workflow,
    level: m.level,
    task: m.task,
    classes: m.classes,
    active: m.active,
    registeredAt: Number.isFinite(at) ? at / 1000 : null,
    metrics: mm,
  };
}
