import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Model } from './model';
import { Prediction } from './prediction';
import { Run } from './run';
import { TimeScalar } from './scalars';

@ObjectType({ simpleResolvers: true })
export class IngestRunResult {
  @Field(() => Run) run!: Run;
  @Field({ description: 'false when the same run was already stored (nothing written)' }) stored!: boolean;
  @Field(() => Prediction, { nullable: true, description: "the graph-level prediction stored on arrival by the active model that fits the run's workflow; null when there is none (see noPredictionReason)" })
  prediction!: Prediction | null;
  @Field(() => String, { nullable: true, description: 'why the run got no graph-level prediction on arrival (no active model fits its workflow, scoring skipped, already stored); null when it got one' })
  noPredictionReason!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class DeleteRunResult {
  @Field(() => ID) id!: string;
  @Field({ description: 'false when no run has this id (nothing deleted)' }) deleted!: boolean;
  @Field(() => Int, { description: 'its jobs deleted with it (their predictions too)' }) jobs!: number;
  @Field(() => Int, { description: 'its run-level predictions deleted' }) predictions!: number;
}

@ObjectType({ simpleResolvers: true, description: "selected runs of a workflow the model does not score (it was not trained on it): no prediction" })
export class WorkflowNotScored {
  @Field() workflow!: string;
  @Field(() => Int) runs!: number;
  @Field() reason!: string;
}

@ObjectType({ simpleResolvers: true })
export class ScoreRunsResult {
  @Field(() => Model) model!: Model;
  @Field(() => Int) runsScored!: number;
  @Field(() => Int, { description: 'job predictions stored (node-level models)' }) jobsScored!: number;
  @Field(() => [WorkflowNotScored], { description: "selected runs left without a prediction because the model was not trained on their workflow, per workflow" })
  notScored!: WorkflowNotScored[];
  @Field(() => Float) seconds!: number;
}

export enum TrainingStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(TrainingStatus, { name: 'TrainingStatus' });

@ObjectType({ simpleResolvers: true, description: 'An asynchronous training job (trainModel): poll trainingJob(id).' })
export class TrainingJob {
  @Field(() => ID) id!: string;
  @Field(() => TrainingStatus) status!: TrainingStatus;
  @Field(() => Float, { description: '0..1: epochs done / maximum epochs (1 when finished)' }) progress!: number;
  @Field(() => Int) epoch!: number;
  @Field(() => Int) maxEpochs!: number;
  @Field(() => Float, { nullable: true }) trainLoss!: number | null;
  @Field(() => Float, { nullable: true }) valAccuracy!: number | null;
  @Field(() => Int, { nullable: true, description: 'runs trained on' }) runs!: number | null;
  @Field(() => String, { nullable: true, description: 'why it failed' }) error!: string | null;
  @Field(() => String, { nullable: true, description: 'id of the registered model once it succeeded' }) modelId!: string | null;
  @Field(() => TimeScalar) createdAt!: number;
  @Field(() => TimeScalar, { nullable: true }) finishedAt!: number | null;
}
