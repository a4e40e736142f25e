/**
 * Prediction.explanation, computed when asked: it depends only on the run and the model's normal
 * profile (models/explain.ts), so predictions are stored without it and pages of verdicts never
 * pay for it. One request's explanations of one model are computed in one batch.
 */
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context';
import { JobContribution, Prediction } from '../types/prediction';

@Resolver(() => Prediction)
export class PredictionFieldsResolver {
  @FieldResolver(() => [JobContribution], {
    nullable: true,
    description: "why: the run's jobs ranked by deviation from their normal behaviour (a job prediction: that job's entry); null when the model has no normal profile",
  })
  async explanation(@Ctx() ctx: ApiContext, @Root() p: Prediction): Promise<JobContribution[] | null> {
    const s = p.source;
    if (s.stored) return s.stored;
    const all = await ctx.loaders.explanation.load({ runId: s.runId, model: s.model });
    if (!all || s.jobIndex === null) return all;
    const own = all.find((c) => c.index === s.jobIndex);
    return own ? [own] : null;
  }
}
