import { Arg, Authorized, Ctx, Int, Mutation, Resolver } from 'type-graphql';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import { scoreAndStore } from '../scoring';
import { runIds } from '../store/runs';
import { RunFilter } from '../types/inputs';
import { ScoreRunsResult } from '../types/mutations';
import { toModelView, toSelection } from './common';

export const MAX_SCORE_RUNS = 100_000;

@Resolver()
export class ScoreResolver {
  @Authorized()
  @Mutation(() => ScoreRunsResult, {
    description: 'Scores the runs of a filter with a model (default: the active graph-level model) and stores the predictions (needs an API key).',
  })
  async scoreRuns(
    @Ctx() ctx: ApiContext,
    @Arg('filter', () => RunFilter, { nullable: true }) filter: RunFilter | null,
    @Arg('model', () => String, { nullable: true, description: 'a graph- or node-level model id' }) model: string | null,
    @Arg('limit', () => Int, { defaultValue: MAX_SCORE_RUNS }) limit: number,
  ): Promise<ScoreRunsResult> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SCORE_RUNS) throw new BadInputError('limit', `${limit} is out of range (1 to ${MAX_SCORE_RUNS})`);
    const { registry, graph, runtime, log } = ctx.services;
    const named = model ? await registry.byId(model) : null;
    if (model && !named) throw new BadInputError('model', `no model "${model}" is registered`);
    const m = named ?? (await registry.require(null, 'graph', 'model'));
    const { sel } = await toSelection(ctx, filter, false);
    // A model trained on one workflow scores only that workflow's runs.
    if (m.workflow !== 'ALL') {
      // `!= null`, not truthiness: an empty workflow is a filter that matches nothing, never "all runs".
      if (sel.workflow != null && sel.workflow !== m.workflow) throw new BadInputError('filter.workflow', `model ${m.id} was trained on ${m.workflow} and scores only its runs, not ${sel.workflow}`);
      sel.workflow = m.workflow;
    }
    const ids = await runIds(graph, sel, limit);
    const res = await scoreAndStore(graph, runtime, m, ids);
    ctx.services.cache?.clearPredictions();
    log.info({ model: m.id, ...res }, 'runs scored');
    return { model: toModelView(m), ...res };
  }
}
