import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { TimeScalar } from './scalars';

@ObjectType({ simpleResolvers: true, description: 'Classification metrics of one split (test or validation).' })
export class SplitMetrics {
  @Field(() => Int) n!: number;
  @Field(() => Float) accuracy!: number;
  @Field(() => Float, { description: 'binary: of class "anomalous"; multiclass: macro average' }) precision!: number;
  @Field(() => Float) recall!: number;
  @Field(() => Float) f1!: number;
  @Field(() => [[Int]], { description: 'rows = true class, columns = predicted class, in `classes` order' }) confusion!: number[][];
}

@ObjectType({ simpleResolvers: true })
export class ModelMetrics {
  @Field(() => SplitMetrics, { nullable: true }) test!: SplitMetrics | null;
  @Field(() => SplitMetrics, { nullable: true }) val!: SplitMetrics | null;
}

@ObjectType({ simpleResolvers: true, description: 'A registered model: what it predicts, how well, and whether it is the active one.' })
export class Model {
  @Field(() => ID, { description: '"<name>@<version>"' }) id!: string;
  @Field() name!: string;
  @Field() version!: string;
  @Field({ description: '"ALL" or the workflow it was trained on' }) workflow!: string;
  @Field({ description: '"graph" (one verdict per run) or "node" (one per job)' }) level!: string;
  @Field({ description: '"binary" or "multiclass"' }) task!: string;
  @Field(() => [String], { description: 'class names in probability order' }) classes!: string[];
  @Field({ description: 'the model answering when no model is named (one per level and task)' }) active!: boolean;
  @Field(() => TimeScalar, { nullable: true }) registeredAt!: number | null;
  @Field(() => ModelMetrics, { nullable: true }) metrics!: ModelMetrics | null;
}
