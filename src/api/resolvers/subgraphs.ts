/** Query.labelledSubgraphs: runs as PyG-ready labelled graphs, for notebooks. */
import { Arg, Ctx, FieldResolver, Float, Int, Query, Resolver, Root } from 'type-graphql';
import { MULTICLASS } from '../../features/dataset';
import { FEATURE_NAMES, NUM_FEATURES, rawJobFeatures } from '../../features/job-features';
import type { RunRecord } from '../../graph/read-runs';
import { categoryOf } from '../../ingest/labels';
import type { ApiContext } from '../context';
import { RunFilter, RunSortField, SortDirection } from '../types/inputs';
import { LabelledSubgraph, LabelledSubgraphConnection } from '../types/subgraph';
import { runConnection } from './runs';

type SubgraphView = LabelledSubgraph & { record: RunRecord };

function toSubgraph(rec: RunRecord): SubgraphView {
  const E = rec.edges.length / 2;
  const src: number[] = [];
  const dst: number[] = [];
  for (let e = 0; e < E; e++) {
    src.push(rec.edges[2 * e] as number);
    dst.push(rec.edges[2 * e + 1] as number);
  }
  const classOf = (label: string | null): number => {
    const c = categoryOf(label);
    return c === null ? -1 : (MULTICLASS as readonly string[]).indexOf(c);
  };
  const y = classOf(rec.label);
  return {
    runId: rec.id,
    workflow: rec.workflow,
    label: rec.label,
    category: rec.category,
    y,
    yBinary: y < 0 ? -1 : y > 0 ? 1 : 0,
    numNodes: rec.jobs.length,
    jobIds: rec.jobNames.map((n) => `${rec.id}/${n}`),
    jobTypes: rec.jobs.map((j) => String(j[0] ?? '')),
    nodeY: rec.jobs.map((_, i) => classOf(rec.jobLabels[i] ?? rec.label)),
    edgeIndex: [src, dst],
    record: rec,
  };
}

@Resolver(() => LabelledSubgraph)
export class SubgraphsResolver {
  @Query(() => LabelledSubgraphConnection, {
    description: 'Runs as labelled graphs (x, edgeIndex, y) for notebooks, a page at a time, oldest first (Relay).',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Math.max(1, Number(args.first ?? 50)),
  })
  async labelledSubgraphs(
    @Ctx() ctx: ApiContext,
    @Arg('filter', () => RunFilter, { nullable: true }) filter: RunFilter | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<LabelledSubgraphConnection> {
    const page = await runConnection(ctx, filter, first, after, { by: RunSortField.TIME, direction: SortDirection.ASC });
    const recs = await ctx.loaders.runRecord.loadMany(page.rows.map((r) => r.id));
    const edges = page.edges.flatMap((e, i) => {
      const rec = recs[i];
      return rec && !(rec instanceof Error) ? [{ cursor: e.cursor, node: toSubgraph(rec) }] : [];
    });
    return { edges, nodes: edges.map((e) => e.node), pageInfo: page.pageInfo, featureNames: FEATURE_NAMES, featureScaling: 'raw', classes: [...MULTICLASS] };
  }

  @FieldResolver(() => [[Float]], {
    description: 'node features x [N, F] in featureNames order, raw; a missing value becomes `fill` (the missing_* features flag the usual ones)',
    complexity: 20,
  })
  x(@Root() g: SubgraphView, @Arg('fill', () => Float, { defaultValue: 0 }) fill: number): number[][] {
    const raw = rawJobFeatures(g.record);
    const rows: number[][] = [];
    for (let i = 0; i < g.numNodes; i++) {
      const row = new Array<number>(NUM_FEATURES);
      for (let k = 0; k < NUM_FEATURES; k++) {
        const v = raw[i * NUM_FEATURES + k] as number;
        row[k] = Number.isNaN(v) ? fill : v;
      }
      rows.push(row);
    }
    return rows;
  }
}
