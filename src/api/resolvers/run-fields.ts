/** Fields of Run and Job that need more data: jobs, DAG edges, features, predictions. */
import { isObjectType, type GraphQLSchema } from 'graphql';
import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { FEATURE_NAMES, NUM_FEATURES, rawJobFeatures } from '../../features/job-features';
import { JOB_FIELDS, type JobValues } from '../../graph/read-runs';
import { categoryOf } from '../../ingest/labels';
import type { ApiContext } from '../context';
import { InvalidPredictionError } from '../errors';
import type { PredictionView } from '../loaders';
import type { ModelRecord } from '../store/models';
import { MAX_SUBWORKFLOWS, type PredictionVerdict, type RunRow } from '../store/runs';
import { Prediction } from '../types/prediction';
import { DagEdge, Job, JobFeature, Run } from '../types/run';
import { toModelView } from './common';

const COL = Object.fromEntries(JOB_FIELDS.map((f, i) => [f, i])) as Record<(typeof JOB_FIELDS)[number], number>;

/** A job as resolvers see it: the GraphQL fields plus its raw feature row. */
export type JobView = Job & { runId: string; featureRow: Float32Array };

/** A stored score or probability that GraphQL's Float cannot carry (NaN, ±∞) fails this field alone, typed. */
function checkFinite(model: ModelRecord, runId: string, jobIndex: number | null, score: number, probabilities: readonly number[] = []): void {
  const what = !Number.isFinite(score) ? `score ${score}` : probabilities.some((p) => !Number.isFinite(p)) ? `probabilities [${probabilities.join(', ')}]` : null;
  if (what !== null) throw new InvalidPredictionError(model.id, jobIndex === null ? `run ${runId}` : `job ${jobIndex} of run ${runId}`, what);
}

/** The GraphQL prediction of run `runId` (or of its job `jobIndex`): its explanation is computed only when asked. */
export function toPrediction(v: PredictionView | null | undefined, runId: string, jobIndex: number | null = null): Prediction | null {
  if (!v) return null;
  checkFinite(v.model, runId, jobIndex, v.record.score, v.record.probabilities);
  const at = v.record.scoredAt ? Date.parse(v.record.scoredAt) : NaN;
  return {
    model: toModelView(v.model),
    predicted: v.record.predicted,
    score: v.record.score,
    probabilities: v.record.probabilities.map((p, i) => ({ className: v.model.classes[i] ?? String(i), probability: p })),
    stored: v.record.scoredAt !== null,
    scoredAt: Number.isFinite(at) ? at / 1000 : null,
    source: { runId, jobIndex, model: v.model, stored: v.record.explanation ?? null },
  };
}

/**
 * What a prediction that was read as its verdict alone (predicted, score) does not have: a page
 * reads no more when its query asks no more (resolvers/lookahead.ts), so nothing reads these; if
 * anything ever did, it fails loudly instead of answering a wrong value.
 */
const VERDICT_ONLY: object = Object.freeze(
  Object.create(null, Object.fromEntries(['probabilities', 'scoredAt'].map((f) => [f, { get: (): never => { throw new Error(`Prediction.${f} was not read with this page of runs`); } }]))),
);

/** The GraphQL prediction of run `runId` from a stored prediction's verdict (see VERDICT_ONLY). */
function verdictPrediction(v: PredictionVerdict, model: ModelRecord, runId: string): Prediction {
  checkFinite(model, runId, null, v.score);
  const p = Object.create(VERDICT_ONLY) as Prediction;
  p.model = toModelView(model);
  p.predicted = v.predicted;
  p.score = v.score;
  p.stored = true;
  p.source = { runId, jobIndex: null, model, stored: null };
  return p;
}

const num = (v: JobValues[number] | undefined): number | null => (typeof v === 'number' ? v : null);

@Resolver(() => Run)
export class RunFieldsResolver {
  @FieldResolver(() => Run, { nullable: true, description: "a sub-workflow's parent run; null for a top-level run, or a parent not stored (yet)", complexity: 2 })
  async parent(@Ctx() ctx: ApiContext, @Root() run: RunRow): Promise<RunRow | null> {
    return run.parentRunId ? ctx.loaders.run.load(run.parentRunId) : null;
  }

  @FieldResolver(() => [Run], { description: `the sub-workflow runs this run's jobs ran, oldest first (at most ${MAX_SUBWORKFLOWS})`, complexity: ({ childComplexity }) => 2 + childComplexity * 10 })
  async subworkflows(@Ctx() ctx: ApiContext, @Root() run: RunRow): Promise<RunRow[]> {
    return ctx.loaders.subworkflows.load(run.id);
  }

  @FieldResolver(() => [Job], { description: 'jobs in template order', complexity: ({ childComplexity }) => 1 + childComplexity * 50 })
  async jobs(@Ctx() ctx: ApiContext, @Root() run: RunRow): Promise<JobView[]> {
    const rec = await ctx.loaders.runRecord.load(run.id);
    if (!rec) return [];
    const x = rawJobFeatures(rec);
    return rec.jobs.map((vals, i) => ({
      id: `${run.id}/${rec.jobNames[i]}`,
      runId: run.id,
      name: rec.jobNames[i] as string,
      index: i,
      type: String(vals[COL.type] ?? ''),
      label: rec.jobLabels[i] ?? null,
      category: categoryOf(rec.jobLabels[i] ?? null),
      runtime: num(vals[COL.runtime]),
      queueDelay: num(vals[COL.queueDelay]),
      wmsDelay: num(vals[COL.wmsDelay]),
      stageInDelay: num(vals[COL.stageInDelay]),
      stageOutDelay: num(vals[COL.stageOutDelay]),
      cpuTime: num(vals[COL.cpuTime]),
      executeStart: num(vals[COL.executeStart]),
      executeEnd: num(vals[COL.executeEnd]),
      hostname: typeof vals[COL.kickstartHostname] === 'string' ? (vals[COL.kickstartHostname] as string) : null,
      featureRow: x.subarray(i * NUM_FEATURES, (i + 1) * NUM_FEATURES),
    }));
  }

  @FieldResolver(() => [DagEdge], { description: 'DAG dependencies, parent → child', complexity: ({ childComplexity }) => 1 + childComplexity * 50 })
  async edges(@Ctx() ctx: ApiContext, @Root() run: RunRow): Promise<DagEdge[]> {
    const rec = await ctx.loaders.runRecord.load(run.id);
    if (!rec) return [];
    const out: DagEdge[] = [];
    for (let e = 0; e + 1 < rec.edges.length; e += 2) {
      const s = rec.edges[e] as number;
      const t = rec.edges[e + 1] as number;
      out.push({ source: s, target: t, sourceJob: `${run.id}/${rec.jobNames[s]}`, targetJob: `${run.id}/${rec.jobNames[t]}` });
    }
    return out;
  }

  @FieldResolver(() => Prediction, {
    nullable: true,
    description: "the run's graph-level prediction by `model` (default: the active graph-level model): stored, else computed live; null when no model applies",
    complexity: 3,
  })
  async prediction(@Ctx() ctx: ApiContext, @Root() run: RunRow, @Arg('model', () => String, { nullable: true }) model: string | null): Promise<Prediction | null> {
    const m = await ctx.services.registry.resolve(model, 'graph', 'model');
    if (!m) return null;
    return toPrediction(await ctx.loaders.runPrediction.load({ runId: run.id, model: m }), run.id);
  }
}

/**
 * Run.prediction when this request's page of runs read it (its stored prediction, or its verdict)
 * and its model is known without waiting (resolved ahead for this request, or by the registry):
 * null when no model applies; undefined when not known now (then the field's resolver above
 * answers). See answerPagePredictionsNow.
 */
export function runPredictionNow(ctx: ApiContext, run: RunRow, model: string | null | undefined): Prediction | null | undefined {
  const key = model ?? '';
  const m = ctx.predictionModels.has(key) ? ctx.predictionModels.get(key) : ctx.services.registry.resolveNow(model, 'graph');
  if (!m) return m;
  const p = ctx.loaders.pagePrediction(run.id, m.id);
  if (!p) return undefined;
  return 'probabilities' in p ? toPrediction({ record: p, model: m }, run.id) : verdictPrediction(p, m, run.id);
}

/**
 * Run.prediction answered in the same turn when its page read it (runPredictionNow), before the
 * type-graphql resolver: that one returns a promise for every field with an argument (its argument
 * validation is async, even with validation off), and graphql-js then awaits each row of a page
 * as an object of promises (on 100 rows: a few hundred promises per request).
 */
export function answerPagePredictionsNow(schema: GraphQLSchema): void {
  const runType = schema.getType('Run');
  const field = isObjectType(runType) ? runType.getFields().prediction : undefined;
  const later = field?.resolve;
  if (!field || !later) throw new Error('the schema has no resolver for Run.prediction');
  field.resolve = (run: RunRow, args: { model?: string | null }, ctx: ApiContext, info) => {
    const now = runPredictionNow(ctx, run, args.model);
    return now === undefined ? later(run, args, ctx, info) : now;
  };
}

@Resolver(() => Job)
export class JobFieldsResolver {
  @FieldResolver(() => [JobFeature], { description: 'raw (unscaled) feature vector, named (see featureNames)', complexity: 5 })
  features(@Root() job: JobView): JobFeature[] {
    return FEATURE_NAMES.map((name, k) => {
      const v = job.featureRow[k] as number;
      return { name, value: Number.isNaN(v) ? null : v };
    });
  }

  @FieldResolver(() => Prediction, {
    nullable: true,
    description: "the job's node-level prediction by `model` (default: the active node-level model): stored, else live",
    complexity: 3,
  })
  async prediction(@Ctx() ctx: ApiContext, @Root() job: JobView, @Arg('model', () => String, { nullable: true }) model: string | null): Promise<Prediction | null> {
    const m = await ctx.services.registry.resolve(model, 'node', 'model');
    if (!m) return null;
    const all = await ctx.loaders.jobPredictions.load({ runId: job.runId, model: m });
    return toPrediction(all?.[job.index], job.runId, job.index);
  }
}
