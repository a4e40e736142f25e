/** Mutation.ingestRun: one run pushed as JSON, validated like a trace file, stored like one. */
import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { writeRunBatch } from '../../graph/runs';
import { COLUMN_BY_NAME } from '../../ingest/columns';
import { parseRunJson, templateFromStored, type JsonRejection, type RunJson } from '../../ingest/run-json';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import { readTemplate } from '../store/runs';
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
  @Mutation(() => IngestRunResult, { description: 'Stores one run pushed as JSON (needs an API key); the same validation as the file ingest.' })
  async ingestRun(@Ctx() ctx: ApiContext, @Arg('input', () => RunInput) input: RunInput): Promise<IngestRunResult> {
    const { graph, log } = ctx.services;
    const stored = await readTemplate(graph, input.workflow);
    if (!stored) throw new BadInputError('input.workflow', `no workflow "${input.workflow}" is stored; ingest its DAG template first (wfad ingest)`);
    const template = templateFromStored(input.workflow, stored.jobs, stored.edges);
    const run: RunJson = { ...input, jobs: input.jobs.map((j) => ({ ...j })) };
    const parsed = parseRunJson(run, template);
    if ('reason' in parsed) throw new BadInputError(rejectionField(parsed), parsed.reason, { reason: parsed.code });
    const res = await writeRunBatch(graph, [parsed], { [template.workflow]: template.edges });
    if (res.conflicts.length) {
      throw new BadInputError('input', `run ${parsed.id} is already stored with different content; delete it first to replace it`, { reason: 'CONFLICT' });
    }
    ctx.services.cache?.runs.delete(parsed.id);
    ctx.loaders.run.clear(parsed.id);
    const row = await ctx.loaders.run.load(parsed.id);
    log.info({ run: parsed.id, stored: res.stored.length === 1 }, 'run ingested');
    return { run: row as Run, stored: res.stored.length === 1 };
  }
}
