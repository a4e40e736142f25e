/** Mutation.ingestRun: one run pushed as JSON, validated like a trace file, stored like one. */
import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { COLUMN_BY_NAME } from '../../ingest/columns';
import { ingestPushedRun } from '../../ingest/pipeline';
import type { JsonRejection, RunJson } from '../../ingest/run-json';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import { RunInput } from '../types/inputs';
import { IngestRunResult } from '../types/mutations';
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

@Resolver()
export class IngestResolver {
  @Authorized()
  @Mutation(() => IngestRunResult, {
    description: 'Stores one run pushed as JSON (needs an API key); the same validation as the file ingest. Without label: a run of unknown truth. With edges: its own DAG (a new workflow, or a new template version).',
  })
  async ingestRun(@Ctx() ctx: ApiContext, @Arg('input', () => RunInput) input: RunInput): Promise<IngestRunResult> {
    const { graph, log } = ctx.services;
    const run: RunJson = { ...input, jobs: input.jobs.map((j) => ({ ...j })) };
    const res = await ingestPushedRun(graph, run);
    if ('reason' in res) throw new BadInputError(rejectionField(res), res.reason, { reason: res.code });
    ctx.services.cache?.runs.delete(res.runId);
    ctx.loaders.run.clear(res.runId);
    ctx.loaders.runRecord.clear(res.runId);
    const row = await ctx.loaders.run.load(res.runId);
    log.info({ run: res.runId, stored: res.storedRunIds.length === 1, template: res.template.id }, 'run ingested');
    return { run: row as Run, stored: res.storedRunIds.length === 1 };
  }
}
