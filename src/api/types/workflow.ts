import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true })
export class LabelCount {
  @Field() label!: string;
  @Field(() => Int) runs!: number;
}

@ObjectType({ simpleResolvers: true })
export class CategoryCount {
  @Field() category!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ simpleResolvers: true, description: 'A workflow: its DAG size and stored runs by label and category.' })
export class Workflow {
  @Field() name!: string;
  @Field(() => Int, { description: 'jobs in the DAG' }) jobs!: number;
  @Field(() => Int, { description: 'dependencies in the DAG' }) edges!: number;
  @Field(() => Int) runCount!: number;
  @Field(() => [LabelCount]) runsByLabel!: LabelCount[];
  @Field(() => [CategoryCount]) runsByCategory!: CategoryCount[];
}
