import { Field, Float, ObjectType } from 'type-graphql';
import { Model } from './model';
import { TimeScalar } from './scalars';

@ObjectType()
export class ClassProbability {
  @Field({ name: 'class' }) className!: string;
  @Field(() => Float) probability!: number;
}

@ObjectType({ description: "A model's verdict on a run (graph level) or a job (node level)." })
export class Prediction {
  @Field(() => Model) model!: Model;
  @Field({ description: 'the most probable class' }) predicted!: string;
  @Field(() => Float, { description: 'anomaly score = 1 - P(normal)' }) score!: number;
  @Field(() => [ClassProbability], { description: 'in the model class order' }) probabilities!: ClassProbability[];
  @Field({ description: 'true when read from a stored prediction (scoreRuns / wfad score), false when computed live' }) stored!: boolean;
  @Field(() => TimeScalar, { nullable: true, description: 'when it was stored; null when live' }) scoredAt!: number | null;
}
