import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from './page';
import { TimeScalar } from './scalars';

@ObjectType({ simpleResolvers: true, description: 'One feature of a job: its name (see `featureNames`) and raw value (null when missing).' })
export class JobFeature {
  @Field() name!: string;
  @Field(() => Float, { nullable: true }) value!: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'A DAG dependency inside a run: parent job → child job (indices in template order).' })
export class DagEdge {
  @Field(() => Int) source!: number;
  @Field(() => Int) target!: number;
  @Field(() => ID) sourceJob!: string;
  @Field(() => ID) targetJob!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A job of a run, with its trace timings, features, true label and prediction.' })
export class Job {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => Int, { description: 'position in the workflow template (node index in edgeIndex)' }) index!: number;
  @Field({ description: 'compute, transfer, auxiliary or subwf' }) type!: string;
  @Field(() => String, { nullable: true, description: "the job's own true label where the source has per-job truth, else its run's; null when unknown" }) label!: string | null;
  @Field(() => String, { nullable: true, description: "the job's true category (normal, cpu, hdd or loss); null when unknown" }) category!: string | null;
  @Field(() => Float, { nullable: true, description: 'seconds' }) runtime!: number | null;
  @Field(() => Float, { nullable: true, description: 'seconds' }) queueDelay!: number | null;
  @Field(() => Float, { nullable: true, description: 'seconds' }) wmsDelay!: number | null;
  @Field(() => Float, { nullable: true, description: 'seconds' }) stageInDelay!: number | null;
  @Field(() => Float, { nullable: true, description: 'seconds' }) stageOutDelay!: number | null;
  @Field(() => Float, { nullable: true, description: 'seconds' }) cpuTime!: number | null;
  @Field(() => TimeScalar, { nullable: true }) executeStart!: number | null;
  @Field(() => TimeScalar, { nullable: true }) executeEnd!: number | null;
  @Field(() => String, { nullable: true }) hostname!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'A workflow run: its true label, jobs, DAG edges and predictions.' })
export class Run {
  @Field(() => ID, { description: '"<label>/<file stem>"' }) id!: string;
  @Field() workflow!: string;
  @Field(() => String, { nullable: true, description: 'true label, e.g. normal, cpu_3, hdd_60, loss_0.1; null for a run of unknown truth' }) label!: string | null;
  @Field(() => String, { nullable: true, description: 'true category: normal, cpu, hdd or loss; null for a run of unknown truth' }) category!: string | null;
  @Field(() => Float, { nullable: true, description: 'anomaly strength (null for normal runs)' }) level!: number | null;
  @Field(() => TimeScalar, { nullable: true }) startedAt!: number | null;
  @Field(() => TimeScalar, { nullable: true }) endedAt!: number | null;
  @Field(() => Int) jobCount!: number;
  @Field(() => String, { nullable: true, description: 'how the run ended as far as its source tells: succeeded, failed, or running (stored while in progress; a later ingest completes it); null when the source does not say' })
  state!: string | null;
  @Field(() => String, { nullable: true, description: 'the source format it was read from: flowgad-csv, flowbench-csv, stampede-db, jobstate-log or json' })
  kind!: string | null;
  @Field(() => String, { nullable: true, description: 'the file or Pegasus submit directory it was read from' })
  source!: string | null;
  @Field(() => ID, { nullable: true, description: "a sub-workflow's parent run id; null for a top-level run (see `parent`)" })
  parentRunId!: string | null;
  @Field(() => String, { nullable: true, description: "the name of the parent run's job that ran this sub-workflow" })
  parentJob!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class RunEdge {
  @Field() cursor!: string;
  @Field(() => Run) node!: Run;
}

@ObjectType({ simpleResolvers: true, description: 'A page of runs (Relay connection).' })
export class RunConnection {
  @Field(() => [RunEdge]) edges!: RunEdge[];
  @Field(() => [Run], { description: 'the nodes of `edges`, for clients that need no cursors' }) nodes!: Run[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
