import { Field, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from './page';

@ObjectType({
  description:
    'A run as a labelled graph for PyTorch Geometric: Data(x=tensor(x), edge_index=tensor(edgeIndex), y=tensor([y])) with no reshaping.',
})
export class LabelledSubgraph {
  @Field(() => ID) runId!: string;
  @Field() workflow!: string;
  @Field() label!: string;
  @Field() category!: string;
  @Field(() => Int, { description: 'multiclass target: index of `category` in `classes` (normal 0, cpu 1, hdd 2, loss 3)' }) y!: number;
  @Field(() => Int, { description: 'binary target: 0 normal, 1 anomalous' }) yBinary!: number;
  @Field(() => Int) numNodes!: number;
  @Field(() => [ID], { description: 'node i = job i (template order)' }) jobIds!: string[];
  @Field(() => [String]) jobTypes!: string[];
  @Field(() => [Int], { description: "per-job multiclass target (jobs inherit their run's label)" }) nodeY!: number[];
  @Field(() => [[Int]], { description: 'edge_index [2, E]: row 0 parents, row 1 children' }) edgeIndex!: number[][];
}

@ObjectType()
export class LabelledSubgraphEdge {
  @Field() cursor!: string;
  @Field(() => LabelledSubgraph) node!: LabelledSubgraph;
}

@ObjectType({ description: 'A page of labelled subgraphs (Relay connection), in run start-time order.' })
export class LabelledSubgraphConnection {
  @Field(() => [LabelledSubgraphEdge]) edges!: LabelledSubgraphEdge[];
  @Field(() => [LabelledSubgraph]) nodes!: LabelledSubgraph[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => [String], { description: 'column names of every x' }) featureNames!: string[];
  @Field({ description: '"raw": unscaled (seconds, bytes, flags; timestamps relative to the run start); missing values replaced by x(fill:)' }) featureScaling!: string;
  @Field(() => [String], { description: 'class names of y / nodeY' }) classes!: string[];
}
