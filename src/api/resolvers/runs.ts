/** Query.runs (filtered, sorted Relay pages), Query.run(id), RunConnection.totalCount. */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context';
import type { ModelRecord } from '../store/models';
import { predictionId } from '../store/predictions';
import { countRuns, runsPage, type PagePredictionFields, type PageRow, type RunRow, type RunSelection } from '../store/runs';
import { RunFilter, RunOrder, RunSortField, SortDirection } from '../types/inputs';
import { Run, RunConnection, type RunEdge } from '../types/run';
import { decodeCursor, encodeCursor, pageSize, toSelection } from './common';
import { runPredictionModelsAsked, runPredictionVerdictOnly } from './lookahead';

/** The connection plus what totalCount needs (not a GraphQL field). */
type RunConnectionView = RunConnection & { selection: RunSelection };

/**
 * A page of runs. `withPredictionOf`: a model whose stored predictions the page query reads too
 * (the one its rows' prediction fields ask), so the page with predictions is one query; `fields`:
 * all of each prediction, or its verdict alone when the query asks no more.
 */
export async function runConnection(
  ctx: ApiContext,
  filter: RunFilter | null | undefined,
  first: number,
  after: string | null | undefined,
  order: RunOrder | null | undefined,
  withPredictionOf: ModelRecord | null = null,
  fields: PagePredictionFields = 'all',
): Promise<RunConnectionView & { rows: RunRow[] }> {
  const n = pageSize(ctx, first);
  const by = order?.by ?? RunSortField.TIME;
  const { sel } = await toSelection(ctx, filter, by === RunSortField.SCORE);
  const cursor = decodeCursor(after);
  const modelId = withPredictionOf?.id ?? null;
  const predictions = modelId ? { modelId, fields } : null;
  const sort = { by, descending: (order?.direction ?? SortDirection.DESC) === SortDirection.DESC };
  // The same page asked again within the page cache's lifetime costs no query (cache.ts).
  const read = (): Promise<PageRow[]> => (n === 0 ? Promise.resolve([]) : runsPage(ctx.services.graph, sel, sort, n, cursor, predictions));
  const cache = ctx.services.cache;
  const rows = await (cache ? cache.page(JSON.stringify([sel, sort, n, cursor, predictions]), read) : read());
  const page = rows.slice(0, n);
  for (const r of page) {
    ctx.loaders.run.prime(r.run.id, r.run);
    if (!modelId) continue;
    // A verdict alone is no record: only this request's prediction fields use it.
    if (r.prediction || !r.verdict) ctx.loaders.primePrediction(predictionId(r.run.id, modelId), r.prediction);
    if (r.verdict) ctx.loaders.primePagePrediction(r.run.id, modelId, r.prediction ?? r.verdict);
  }
  const cursorOf = (r: PageRow): string => encodeCursor({ k: r.key, id: r.run.id });
  const head = page[0];
  const tail = page[page.length - 1];
  let edges: RunEdge[] | null = null;
  return {
    // Built when read: a page asking only its nodes needs no cursor but the last.
    get edges(): RunEdge[] {
      return (edges ??= page.map((r) => ({ cursor: cursorOf(r), node: r.run as Run })));
    },
    nodes: page.map((r) => r.run as Run),
    pageInfo: {
      hasNextPage: rows.length > n,
      hasPreviousPage: cursor !== null,
      startCursor: head ? cursorOf(head) : null,
      endCursor: tail ? cursorOf(tail) : null,
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
    @Info() info: GraphQLResolveInfo,
  ): Promise<RunConnection> {
    const [model] = [...(await runPredictionModelsAsked(ctx, info, ['nodes'])), ...(await runPredictionModelsAsked(ctx, info, ['edges', 'node']))];
    const fields = runPredictionVerdictOnly(info, [['nodes'], ['edges', 'node']]) ? 'verdict' : 'all';
    return runConnection(ctx, filter, first, after, orderBy, model ?? null, fields);
  }

  @Query(() => Run, { nullable: true, description: 'One run by id (null when there is none).' })
  async run(@Ctx() ctx: ApiContext, @Arg('id', () => ID) id: string, @Info() info: GraphQLResolveInfo): Promise<Run | null> {
    // Asked with its prediction: the run and the stored prediction in one query.
    const [model] = await runPredictionModelsAsked(ctx, info, []);
    return (await (model ? ctx.loaders.runWithPrediction(id, model) : ctx.loaders.run.load(id))) as Run | null;
  }

  @FieldResolver(() => Int, { description: 'runs matching the filter (one extra query; ask only when needed)' })
  async totalCount(@Ctx() ctx: ApiContext, @Root() root: RunConnectionView): Promise<number> {
    return countRuns(ctx.services.graph, root.selection);
  }
}
