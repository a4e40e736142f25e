/** Query.anomalySeries: runs per time bucket and category, for Grafana time-series panels. */
import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import { readSeries } from '../store/runs';
import { TimeScalar } from '../types/scalars';
import { AnomalySeries, SeriesSource } from '../types/series';
import { toModelView } from './common';

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
export const MAX_BUCKETS = 10_000;

/** "30s", "5m", "1h", "1d", "1w" (Grafana's $__interval), or plain seconds. */
export function parseInterval(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (!m) throw new BadInputError('interval', `"${text}" is not an interval (e.g. 30s, 5m, 1h, 1d, 1w)`);
  const seconds = Number(m[1]) * (UNIT_SECONDS[m[2] ?? 's'] as number);
  if (!(seconds >= 1)) throw new BadInputError('interval', `"${text}" is shorter than one second`);
  return Math.round(seconds);
}

@Resolver(() => AnomalySeries)
export class SeriesResolver {
  @Query(() => AnomalySeries, {
    description: 'Runs per time bucket and category (predicted by a model, or true), every bucket present: a Grafana time series.',
    complexity: 20,
  })
  async anomalySeries(
    @Ctx() ctx: ApiContext,
    @Arg('from', () => TimeScalar) from: number,
    @Arg('to', () => TimeScalar) to: number,
    @Arg('interval', () => String, { defaultValue: '1h', description: 'bucket width: 30s, 5m, 1h, 1d, 1w (Grafana: $__interval)' }) interval: string,
    @Arg('workflow', () => String, { nullable: true }) workflow: string | null,
    @Arg('model', () => String, { nullable: true, description: 'default: the active graph-level model' }) model: string | null,
    @Arg('by', () => SeriesSource, { defaultValue: SeriesSource.PREDICTED }) by: SeriesSource,
  ): Promise<AnomalySeries> {
    workflow = workflow ?? null;
    if (!(from < to)) throw new BadInputError('from', 'from must be before to');
    const step = parseInterval(interval);
    const fromS = Math.floor(from);
    const n = Math.ceil((to - fromS) / step);
    if (n > MAX_BUCKETS) throw new BadInputError('interval', `${interval} over this range gives ${n} buckets; at most ${MAX_BUCKETS} (widen the interval)`, { max: MAX_BUCKETS });
    const m = by === SeriesSource.PREDICTED ? await ctx.services.registry.require(model, 'graph', 'model') : null;
    const cells = await readSeries(ctx.services.graph, { workflow, from: fromS, to, step, modelId: m?.id ?? null });
    const categories = m ? [...m.classes, 'unscored'] : ['normal', 'cpu', 'hdd', 'loss'];
    for (const c of cells) if (!categories.includes(c.category)) categories.push(c.category);
    const counts = new Map(cells.map((c) => [`${c.bucket}|${c.category}`, c.count]));
    const points = [];
    const buckets = [];
    for (let b = 0; b < n; b++) {
      const t = fromS + b * step;
      const row = categories.map((category) => ({ category, count: counts.get(`${t}|${category}`) ?? 0 }));
      for (const r of row) points.push({ time: t, timestamp: t * 1000, category: r.category, count: r.count });
      const total = row.reduce((a, r) => a + r.count, 0);
      // Runs of unknown truth (true-category series) are neither normal nor anomalous.
      const anomalous = row.filter((r) => r.category !== 'normal' && r.category !== 'unscored' && r.category !== 'unlabelled').reduce((a, r) => a + r.count, 0);
      buckets.push({ time: t, timestamp: t * 1000, total, anomalous, counts: row });
    }
    return { workflow, by, model: m ? toModelView(m) : null, from: fromS, to, interval, intervalSeconds: step, categories, points, buckets };
  }
}
