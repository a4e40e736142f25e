import { Field, Float, InputType, Int, registerEnumType } from 'type-graphql';
import { TimeScalar } from './scalars';

export enum RunSortField {
  TIME = 'TIME',
  SCORE = 'SCORE',
}
export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(RunSortField, { name: 'RunSortField', description: 'TIME: run start; SCORE: anomaly score of the filter model (unscored runs last)' });
registerEnumType(SortDirection, { name: 'SortDirection' });

@InputType({ description: 'Which runs. Prediction filters use the stored predictions of `model` (default: the active graph-level model).' })
export class RunFilter {
  @Field(() => String, { nullable: true }) workflow?: string | null;
  @Field(() => String, { nullable: true, description: 'true label, e.g. cpu_3' }) label?: string | null;
  @Field(() => String, { nullable: true, description: 'true category: normal, cpu, hdd or loss; unlabelled: the runs of unknown truth (as runsByCategory counts them)' }) category?: string | null;
  @Field(() => Float, { nullable: true, description: 'true anomaly level' }) level?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'true: runs of known truth only; false: unlabelled runs only' }) labelled?: boolean | null;
  @Field(() => String, { nullable: true, description: 'predicted class of the model (one of its classes)' }) predictedCategory?: string | null;
  @Field(() => String, { nullable: true, description: 'model id for the prediction filters and the SCORE sort' }) model?: string | null;
  @Field(() => Float, { nullable: true, description: 'anomaly score ≥ minScore' }) minScore?: number | null;
  @Field(() => Float, { nullable: true, description: 'anomaly score ≤ maxScore' }) maxScore?: number | null;
  @Field(() => TimeScalar, { nullable: true, description: 'started at or after' }) from?: number | null;
  @Field(() => TimeScalar, { nullable: true, description: 'started before' }) to?: number | null;
}

@InputType()
export class RunOrder {
  @Field(() => RunSortField, { defaultValue: RunSortField.TIME }) by!: RunSortField;
  @Field(() => SortDirection, { defaultValue: SortDirection.DESC }) direction!: SortDirection;
}

@InputType({ description: 'A DAG dependency by job names (jobs of the pushed run).' })
export class DagEdgeInput {
  @Field() parent!: string;
  @Field() child!: string;
}

/** One job as a live monitor reports it: the trace columns of the file ingest, by property name. */
@InputType({ description: 'A job of a pushed run: the same fields as a trace file row (seconds, epoch seconds, bytes).' })
export class JobInput {
  @Field() name!: string;
  @Field({ description: 'compute, transfer, auxiliary or subwf' }) type!: string;
  @Field(() => Int, { nullable: true }) isClustered?: number | null;
  @Field(() => Float, { nullable: true }) ready?: number | null;
  @Field(() => Float, { nullable: true }) preScriptStart?: number | null;
  @Field(() => Float, { nullable: true }) preScriptEnd?: number | null;
  @Field(() => Float) submit!: number;
  @Field(() => Float) executeStart!: number;
  @Field(() => Float) executeEnd!: number;
  @Field(() => Float, { nullable: true }) postScriptStart?: number | null;
  @Field(() => Float, { nullable: true }) postScriptEnd?: number | null;
  @Field(() => Float, { nullable: true }) wmsDelay?: number | null;
  @Field(() => Float, { nullable: true }) preScriptDelay?: number | null;
  @Field(() => Float, { nullable: true }) queueDelay?: number | null;
  @Field(() => Float, { nullable: true }) runtime?: number | null;
  @Field(() => Float, { nullable: true }) postScriptDelay?: number | null;
  @Field(() => Float, { nullable: true }) stageInDelay?: number | null;
  @Field(() => Float, { nullable: true }) stageInBytes?: number | null;
  @Field(() => Float, { nullable: true }) stageOutDelay?: number | null;
  @Field(() => Float, { nullable: true }) stageOutBytes?: number | null;
  @Field(() => String, { nullable: true }) kickstartUser?: string | null;
  @Field(() => String, { nullable: true }) kickstartSite?: string | null;
  @Field(() => String, { nullable: true }) kickstartHostname?: string | null;
  @Field(() => String, { nullable: true }) kickstartTransformations?: string | null;
  @Field(() => String, { nullable: true }) kickstartExecutables?: string | null;
  @Field(() => String, { nullable: true }) kickstartExecutablesArgv?: string | null;
  @Field(() => Float, { nullable: true, description: 'kickstart cpu time; -1 = no record (stored as missing)' }) cpuTime?: number | null;
  @Field(() => Int, { nullable: true }) kickstartStatus?: number | null;
  @Field(() => Int, { nullable: true }) exitCode?: number | null;
}

@InputType({ description: 'One run pushed as JSON; validated like a trace file of the file ingest (values kept exactly as sent, no whitespace trimming).' })
export class RunInput {
  @Field({ description: 'the workflow: a stored one, or a new one when `edges` are given' }) workflow!: string;
  @Field(() => String, { nullable: true, description: 'true label (normal, cpu_<n>, hdd_<n> or loss_<n>); omit for a run of unknown truth' }) label?: string | null;
  @Field({ description: 'workflow instance id, e.g. 20200817T052029Z' }) instance!: string;
  @Field(() => Int) runNumber!: number;
  @Field(() => [JobInput]) jobs!: JobInput[];
  @Field(() => [DagEdgeInput], {
    nullable: true,
    description: "the run's own DAG: learns the template of a new workflow, or stores the run under a new template version when it differs from the stored ones; omitted: the jobs must match a stored template",
  })
  edges?: DagEdgeInput[] | null;
}

@InputType({ description: 'What to train (defaults as `wfad train`).' })
export class TrainModelInput {
  @Field({ description: 'a workflow name, or "ALL"' }) workflow!: string;
  @Field({ defaultValue: 'graph', description: 'graph or node' }) level!: string;
  @Field({ defaultValue: 'binary', description: 'binary or multiclass' }) task!: string;
  @Field({ defaultValue: 'skip', description: 'paper or skip' }) arch!: string;
  @Field(() => Int, { defaultValue: 50 }) epochs!: number;
  @Field(() => Int, { defaultValue: 0 }) seed!: number;
  @Field(() => Int, { defaultValue: 64 }) hidden!: number;
  @Field(() => Float, { defaultValue: 0.001 }) lr!: number;
  @Field(() => Int, { defaultValue: 32 }) batchSize!: number;
  @Field(() => Int, { defaultValue: 25 }) patience!: number;
  @Field({ defaultValue: false, description: 'activate the model when training succeeds' }) activate!: boolean;
}
