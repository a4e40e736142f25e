import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import { activateModel } from '../store/models';
import { Model } from '../types/model';
import { toModelView } from './common';

@Resolver(() => Model)
export class ModelsResolver {
  @Query(() => [Model], { description: 'The model registry, with metrics and which model is active.' })
  async models(@Ctx() ctx: ApiContext, @Arg('level', () => String, { nullable: true, description: 'graph or node' }) level: string | null): Promise<Model[]> {
    if (level != null && level !== 'graph' && level !== 'node') throw new BadInputError('level', `"${level}" is not a level (graph, node)`);
    ctx.services.registry.invalidate();
    const all = await ctx.services.registry.all();
    return all.filter((m) => level == null || m.level === level).map(toModelView);
  }

  @Query(() => Model, { nullable: true, description: 'One model by id ("<name>@<version>"); null when there is none.' })
  async model(@Ctx() ctx: ApiContext, @Arg('id', () => ID) id: string): Promise<Model | null> {
    const m = await ctx.services.registry.byId(id);
    return m ? toModelView(m) : null;
  }

  @Authorized()
  @Mutation(() => Model, { description: 'Makes a model the active one of its level and task (needs an API key).' })
  async activateModel(@Ctx() ctx: ApiContext, @Arg('id', () => ID) id: string): Promise<Model> {
    const m = await activateModel(ctx.services.graph, id);
    ctx.services.registry.invalidate();
    if (!m) throw new BadInputError('id', `no model "${id}" is registered`);
    ctx.services.log.info({ model: id }, 'model activated');
    return toModelView(m);
  }
}
