import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Model } from './model';
import { TimeScalar } from './scalars';
import { CategoryCount } from './workflow';

export enum SeriesSource {
  PREDICTED = 'PREDICTED',
  TRUE_LABEL = 'TRUE_LABEL',
}
registerEnumType(SeriesSource, {
  name: 'SeriesSource',
  description: "PREDICTED: a model's stored predictions (unscored runs count as \"unscored\"); TRUE_LABEL: the runs' true categories",
});

@ObjectType({ simpleResolvers: true, description: 'Runs in one time bucket with one category: one row of a long-format time series.' })
export class SeriesPoint {
  @Field(() => TimeScalar, { description: 'bucket start (ISO-8601): the time field for Grafana' }) time!: number;
  @Field(() => Float, { description: 'bucket start, epoch milliseconds' }) timestamp!: number;
  @Field() category!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ simpleResolvers: true, description: 'One time bucket with the counts of every category (wide format).' })
export class SeriesBucket {
  @Field(() => TimeScalar) time!: number;
  @Field(() => Float) timestamp!: number;
  @Field(() => Int) total!: number;
  @Field(() => Int, { description: 'runs not in category "normal" (nor "unscored")' }) anomalous!: number;
  @Field(() => [CategoryCount]) counts!: CategoryCount[];
}

@ObjectType({ simpleResolvers: true, description: 'Runs per time bucket and category, every bucket present (zeros included).' })
export class AnomalySeries {
  @Field(() => String, { nullable: true }) workflow!: string | null;
  @Field(() => SeriesSource) by!: SeriesSource;
  @Field(() => Model, { nullable: true, description: 'the model whose predictions are counted (PREDICTED)' }) model!: Model | null;
  @Field(() => TimeScalar) from!: number;
  @Field(() => TimeScalar) to!: number;
  @Field() interval!: string;
  @Field(() => Int) intervalSeconds!: number;
  @Field(() => [String]) categories!: string[];
  @Field(() => [SeriesPoint], { description: 'long format: one row per bucket and category (Grafana: data path anomalySeries.points, group by category)' }) points!: SeriesPoint[];
  @Field(() => [SeriesBucket], { description: 'wide format: one row per bucket' }) buckets!: SeriesBucket[];
}
