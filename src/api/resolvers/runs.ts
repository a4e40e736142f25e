/** Query.runs (filtered, sorted Relay pages), Query.run(id), RunConnection.totalCount. */
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context';
import { countRuns, runsPage, type RunRow, type RunSelection } from '../store/runs';
import { RunFilter, RunOrder, RunSortField, SortDirection } from '../types/inputs';
import { Run, RunConnection } from '../types/run';
import { decodeCursor, encodeCursor, pageSize, toSelection } from './common';

/** The connection plus what totalCount needs (not a GraphQL field). */
type RunConnectionView = RunConnection & { selection: RunSelection };

export async function runConnection(ctx: ApiContext, filter: RunFilter | null | undefined, first: number, after: string | null | undefined, order: RunOrder | null | undefined): Promise<RunConnectionView & { rows: RunRow[] }> {
  const n = pageSize(ctx, first);
  const by = order?.by ?? RunSortField.TIME;
  const { sel } = await toSelection(ctx, filter, by === RunSortField.SCORE);
  const cursor = decodeCursor(after);
  const rows = n === 0 ? [] : await runsPage(ctx.services.graph, sel, { by, descending: (order?.direction ?? SortDirection.DESC) === SortDirection.DESC }, n, cursor);
  const page = rows.slice(0, n);
  for (const r of page) ctx.loaders.run.prime(r.run.id, r.run);
  const edges = page.map((r) => ({ cursor: encodeCursor({ k: r.key, id: r.run.id }), node: r.run as Run }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: rows.length > n,
      hasPreviousPage: cursor !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    selection: sel,
    rows: page.map((r) => r.run),
  };
}

@Resolver(() => RunConnection)
export class RunsResolver {
  @Query(() => RunConnection, {
    description: 'Runs matching a filter, sorted by start time or anomaly score, a page at a time (Relay).',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Math.max(1, Number(args.first ?? 20)),
  })
  async runs(
    @Ctx() ctx: ApiContext,
    @Arg('filter', () => RunFilter, { nullable: true }) filter: RunFilter | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'page size (at most WFAD_API_MAX_PAGE, default 500)' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page' }) after: string | null,
    @Arg('orderBy', () => RunOrder, { nullable: true, description: 'default: TIME DESC' }) orderBy: RunOrder | null,
  ): Promise<RunConnection> {
    return runConnection(ctx, filter, first, after, orderBy);
  }

  @Query(() => Run, { nullable: true, description: 'One run by id (null when there is none).' })
  async run(@Ctx() ctx: ApiContext, @Arg('id', () => ID) id: string): Promise<Run | null> {
    return (await ctx.loaders.run.load(id)) as Run | null;
  }

  @FieldResolver(() => Int, { description: 'runs matching the filter (one extra query; ask only when needed)' })
  async totalCount(@Ctx() ctx: ApiContext, @Root() root: RunConnectionView): Promise<number> {
    return countRuns(ctx.services.graph, root.selection);
  }
}
