/** Mutation.trainModel (asynchronous job), Query.trainingJob(id) / trainingJobs, TrainingJob.model. */
import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ARCHS } from '../../models/gcn';
import { DEFAULT_CONFIG, type TrainConfig } from '../../train/trainer';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import { readWorkflows } from '../store/runs';
import type { JobState } from '../training/jobs';
import { TrainModelInput } from '../types/inputs';
import { Model } from '../types/model';
import { TrainingJob, TrainingStatus } from '../types/mutations';
import { toModelView } from './common';

function view(s: JobState): TrainingJob {
  return { ...s, status: s.status as TrainingStatus, progress: s.status === 'SUCCEEDED' ? 1 : s.maxEpochs ? s.epoch / s.maxEpochs : 0 };
}

function oneOf<T extends string>(field: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new BadInputError(`config.${field}`, `"${v}" is not one of ${allowed.join(', ')}`);
  return v as T;
}

function intIn(field: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new BadInputError(`config.${field}`, `${v} is out of range (${min} to ${max})`);
  return v;
}

@Resolver(() => TrainingJob)
export class TrainingResolver {
  @Authorized()
  @Mutation(() => TrainingJob, { description: 'Starts training a model in the background (needs an API key); poll trainingJob(id).' })
  async trainModel(@Ctx() ctx: ApiContext, @Arg('config', () => TrainModelInput) c: TrainModelInput): Promise<TrainingJob> {
    if (!(c.lr > 0 && c.lr <= 1)) throw new BadInputError('config.lr', `${c.lr} is out of range (0, 1]`);
    const config: TrainConfig = {
      ...DEFAULT_CONFIG,
      level: oneOf('level', c.level, ['graph', 'node'] as const),
      task: oneOf('task', c.task, ['binary', 'multiclass'] as const),
      arch: oneOf('arch', c.arch, ARCHS),
      maxEpochs: intIn('epochs', c.epochs, 1, 1000),
      seed: intIn('seed', c.seed, 0, 2 ** 31 - 1),
      hidden: intIn('hidden', c.hidden, 1, 1024),
      batchSize: intIn('batchSize', c.batchSize, 1, 4096),
      patience: intIn('patience', c.patience, 1, 1000),
      lr: c.lr,
    };
    const workflow = c.workflow.toUpperCase() === 'ALL' ? 'ALL' : c.workflow;
    const wfs = await readWorkflows(ctx.services.graph, workflow === 'ALL' ? null : workflow);
    const runs = wfs.reduce((a, w) => a + Object.values(w.runsByLabel).reduce((x, y) => x + y, 0), 0);
    if (workflow !== 'ALL' && wfs.length === 0) throw new BadInputError('config.workflow', `no workflow "${workflow}" is stored`);
    if (runs < 10) throw new BadInputError('config.workflow', `${runs} stored runs for "${workflow}": too few to train on (at least 10)`);
    return view(ctx.services.training.submit(workflow, config, c.activate));
  }

  @Query(() => TrainingJob, { nullable: true, description: 'A training job by id: status and progress.' })
  trainingJob(@Ctx() ctx: ApiContext, @Arg('id', () => ID) id: string): TrainingJob | null {
    const s = ctx.services.training.get(id);
    return s ? view(s) : null;
  }

  @Query(() => [TrainingJob], { description: 'Training jobs of this server process, newest first.' })
  trainingJobs(@Ctx() ctx: ApiContext): TrainingJob[] {
    return ctx.services.training.list().map(view);
  }

  @FieldResolver(() => Model, { nullable: true, description: 'the registered model once the job succeeded' })
  async model(@Ctx() ctx: ApiContext, @Root() job: TrainingJob): Promise<Model | null> {
    if (!job.modelId) return null;
    const m = await ctx.services.registry.byId(job.modelId);
    return m ? toModelView(m) : null;
  }
}
