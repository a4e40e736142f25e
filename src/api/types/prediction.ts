import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { JobContribution as Contribution } from '../../models/explain';
import type { ModelRecord } from '../store/models';
import { Model } from './model';
import { TimeScalar } from './scalars';

@ObjectType({ simpleResolvers: true })
export class ClassProbability {
  // Renamed in the schema: not a simple resolver (the default one would read `class`).
  @Field({ name: 'class', simple: false }) className!: string;
  @Field(() => Float) probability!: number;
}

@ObjectType({ simpleResolvers: true, description: 'One measurement of a job against its normal behaviour.' })
export class FeatureDeviation {
  @Field({ description: 'feature name, e.g. runtime, queue_delay, stage_in_bytes' }) name!: string;
  @Field(() => Float, { nullable: true, description: "the job's raw value (seconds, bytes); null when missing" }) value!: number | null;
  @Field(() => Float, { nullable: true, description: 'the normal value: median over normal runs of the same job, raw units' }) normal!: number | null;
  @Field(() => Float, { description: 'robust z: σ above (+) or below (−) normal, clipped to ±10' }) deviation!: number;
}

@ObjectType({ simpleResolvers: true, description: "A job's share in a run's verdict: how far it deviates from its normal behaviour, and in which measurements." })
export class JobContribution {
  @Field({ description: 'job name' }) job!: string;
  @Field(() => Int, { description: 'position in the workflow template' }) index!: number;
  @Field(() => Float, { description: "share of the run's total deviation, 0 to 1; jobs are listed highest first" }) contribution!: number;
  @Field(() => Float, { description: 'the job deviation score: mean over its measurements of max(z, 0)' }) score!: number;
  @Field({ description: 'which normal baseline the job was compared with: job, group (same transformation) or type' }) baseline!: string;
  @Field(() => [FeatureDeviation], { description: 'the measurements that deviate most, largest |deviation| first' }) features!: FeatureDeviation[];
}

@ObjectType({ simpleResolvers: true, description: "A model's verdict on a run (graph level) or a job (node level)." })
export class Prediction {
  @Field(() => Model) model!: Model;
  @Field({ description: 'the most probable class' }) predicted!: string;
  @Field(() => Float, { description: 'anomaly score = 1 - P(normal)' }) score!: number;
  @Field(() => [ClassProbability], { description: 'in the model class order' }) probabilities!: ClassProbability[];
  @Field({ description: 'true when read from a stored prediction (scoreRuns / wfad score), false when computed live' }) stored!: boolean;
  @Field(() => TimeScalar, { nullable: true, description: 'when it was stored; null when live' }) scoredAt!: number | null;
  /** Not a field: what `explanation` (resolvers/prediction-fields.ts) is computed from, when asked. */
  source!: PredictionSource;
}

export interface PredictionSource {
  runId: string;
  /** The job's index for a job prediction; null for a run prediction. */
  jobIndex: number | null;
  model: ModelRecord;
  /** An explanation stored with the prediction by an earlier version; null: compute it. */
  stored: Contribution[] | null;
}
