import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { labelOrder } from '../../graph/stats';
import type { ApiContext } from '../context';
import { readWorkflows } from '../store/runs';
import { Workflow } from '../types/workflow';

const CATEGORY_ORDER = ['normal', 'cpu', 'hdd', 'loss'];

@Resolver(() => Workflow)
export class WorkflowsResolver {
  @Query(() => [Workflow], { description: 'Workflows with their DAG size and run counts by label and category.' })
  async workflows(@Ctx() ctx: ApiContext, @Arg('name', () => String, { nullable: true }) name: string | null): Promise<Workflow[]> {
    const rows = await readWorkflows(ctx.services.graph, name ?? null);
    return rows.map((w) => ({
      name: w.name,
      jobs: w.jobs,
      edges: w.edges,
      runCount: Object.values(w.runsByLabel).reduce((a, b) => a + b, 0),
      runsByLabel: Object.entries(w.runsByLabel)
        .sort(([a], [b]) => labelOrder(a, b))
        .map(([label, runs]) => ({ label, runs })),
      runsByCategory: Object.entries(w.runsByCategory)
        .sort(([a], [b]) => CATEGORY_ORDER.indexOf(a) - CATEGORY_ORDER.indexOf(b))
        .map(([category, count]) => ({ category, count })),
    }));
  }
}
