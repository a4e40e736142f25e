/** Mutation.ingestRun: one run pushed as JSON, validated like a trace file, stored like one. */
import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { deleteRuns } from '../../graph/runs';
import { COLUMN_BY_NAME } from '../../ingest/columns';
import { ingestPushedRun } from '../../ingest/pipeline';
import type { JsonRejection, RunJson } from '../../ingest/run-json';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import { RunInput } from '../types/inputs';
import { DeleteRunResult, IngestRunResult } from '../types/mutations';
import type { Prediction } from '../types/prediction';
import { scoreOnArrival } from '../../score/on-arrival';
import { toPrediction } from './run-fields';
import type { Run } from '../types/run';

/** The input path a rejection is about, e.g. input.jobs[3].queueDelay. */
export function rejectionField(r: JsonRejection): string {
  if (r.field === 'instance' || r.field === 'runNumber' || r.field?.startsWith('edges')) return `input.${r.field}`;
  switch (r.code) {
    case 'UNKNOWN_LABEL':
      return 'input.label';
    case 'UNKNOWN_WORKFLOW':
    case 'BAD_TEMPLATE':
      return 'input.workflow';
    case 'BAD_DAG':
      return 'input.edges';
    case 'INSTANCE_MISMATCH':
      return 'input.instance';
    case 'JOB_SET_MISMATCH':
      return 'input.jobs';
    default:
      break;
  }
  if (r.jobIndex !== undefined) {
    const job = `input.jobs[${r.jobIndex}]`;
    if (r.code === 'DUPLICATE_JOB' || r.field === 'job name') return `${job}.name`;
    const prop = r.field ? COLUMN_BY_NAME.get(r.field)?.prop : undefined;
    return prop ? `${job}.${prop}` : job;
  }
  return 'input';
}

/** What this process remembers of run `id` (rows, pages, this request's loaders): it was just stored or deleted. */
function forgetRun(ctx: ApiContext, id: string): void {
  ctx.services.cache?.runs.delete(id);
  ctx.services.cache?.clearPages();
  ctx.loaders.run.clear(id);
  ctx.loaders.runRecord.clear(id);
}

@Resolver()
export class IngestResolver {
  @Authorized()
  @Mutation(() => DeleteRunResult, {
    description: 'Deletes a stored run whole (needs an API key): the run, its jobs and their predictions. A changed run is stored again by deleting it first (ingestRun answers CONFLICT otherwise). Its sub-workflow runs stay, unlinked.',
  })
  async deleteRun(@Ctx() ctx: ApiContext, @Arg('id', () => ID) id: string): Promise<DeleteRunResult> {
    if (id.length === 0 || id.length > 1000) throw new BadInputError('id', 'expected a run id of 1 to 1000 characters');
    const r = await deleteRuns(ctx.services.graph, [id]);
    forgetRun(ctx, id);
    ctx.services.cache?.clearPredictions();
    ctx.services.log.info({ id, ...r }, 'run deleted');
    return { id, deleted: r.deleted.length > 0, jobs: r.jobs, predictions: r.predictions };
  }

  @Authorized()
  @Mutation(() => IngestRunResult, {
    description: 'Stores one run pushed as JSON (needs an API key); the same validation as the file ingest. Without label: a run of unknown truth. With edges: its own DAG (a new workflow, or a new template version).',
  })
  async ingestRun(
    @Ctx() ctx: ApiContext,
    @Arg('input', () => RunInput) input: RunInput,
    @Arg('score', () => Boolean, { defaultValue: true, description: 'score the newly stored run with the active models that fit its workflow' }) score: boolean,
  ): Promise<IngestRunResult> {
    const { graph, log, registry, runtime } = ctx.services;
    const run: RunJson = { ...input, jobs: input.jobs.map((j) => ({ ...j })) };
    const res = await ingestPushedRun(graph, run);
    if ('reason' in res) throw new BadInputError(rejectionField(res), res.reason, { reason: res.code });
    forgetRun(ctx, res.runId);
    const row = await ctx.loaders.run.load(res.runId);
    const stored = res.storedRunIds.includes(res.runId);
    let prediction: Prediction | null = null;
    let noPredictionReason: string | null = null;
    if (!stored) noPredictionReason = 'the same run was already stored: runs are scored when first stored (see run.prediction)';
    else if (!score) noPredictionReason = 'scoring on arrival skipped (score: false)';
    else {
      const arrival = await scoreOnArrival(graph, [res.runId], {
        active: async () => (await registry.all()).filter((m) => m.active),
        load: async (m) => (await runtime.predictor(m)).predictor,
      });
      const got = arrival.runs.get(res.runId);
      const graphLevel = got?.predictions.filter((p) => p.level === 'graph') ?? [];
      // The one run.prediction shows by default when it is among them (multiclass first).
      const preferred = await registry.active('graph');
      const modelId = graphLevel.find((p) => p.model === preferred?.id)?.model ?? graphLevel[0]?.model;
      const model = modelId ? await registry.byId(modelId) : null;
      if (model) prediction = toPrediction(await ctx.loaders.runPrediction.load({ runId: res.runId, model }), res.runId);
      else noPredictionReason = got?.reason ?? 'no graph-level model fits this run; job-level predictions were stored (run.jobs.prediction)';
    }
    log.info({ run: res.runId, stored, template: res.template.id, predicted: prediction?.predicted ?? null, noPredictionReason }, 'run ingested');
    return { run: row as Run, stored, prediction, noPredictionReason };
  }
}
