import { Field, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from './page';

@ObjectType({
  simpleResolvers: true,
  description:
    'A run as a labelled graph for PyTorch Geometric: Data(x=tensor(x), edge_index=tensor(edgeIndex), y=tensor([y])) with no reshaping. Unlabelled runs have y = -1 (filter with labelled: true).',
})
export class LabelledSubgraph {
  @Field(() => ID) runId!: string;
  @Field() workflow!: string;
  @Field(() => String, { nullable: true, description: 'null for a run of unknown truth' }) label!: string | null;
  @Field(() => String, { nullable: true, description: 'null for a run of unknown truth' }) category!: string | null;
  @Field(() => Int, { description: 'multiclass target: index of `category` in `classes` (normal 0, cpu 1, hdd 2, loss 3); -1 unknown' }) y!: number;
  @Field(() => Int, { description: 'binary target: 0 normal, 1 anomalous; -1 unknown' }) yBinary!: number;
  @Field(() => Int) numNodes!: number;
  @Field(() => [ID], { description: 'node i = job i (template order)' }) jobIds!: string[];
  @Field(() => [String]) jobTypes!: string[];
  @Field(() => [Int], { description: "per-job multiclass target from per-job truth (the job's own where the source has it, else its run's); -1 unknown" }) nodeY!: number[];
  @Field(() => [[Int]], { description: 'edge_index [2, E]: row 0 parents, row 1 children' }) edgeIndex!: number[][];
}

@ObjectType({ simpleResolvers: true })
export class LabelledSubgraphEdge {
  @Field() cursor!: string;
  @Field(() => LabelledSubgraph) node!: LabelledSubgraph;
}

@ObjectType({ simpleResolvers: true, description: 'A page of labelled subgraphs (Relay connection), in run start-time order.' })
export class LabelledSubgraphConnection {
  @Field(() => [LabelledSubgraphEdge]) edges!: LabelledSubgraphEdge[];
  @Field(() => [LabelledSubgraph]) nodes!: LabelledSubgraph[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => [String], { description: 'column names of every x' }) featureNames!: string[];
  @Field({ description: '"raw": unscaled (seconds, bytes, flags; timestamps relative to the run start); missing values replaced by x(fill:)' }) featureScaling!: string;
  @Field(() => [String], { description: 'class names of y / nodeY' }) classes!: string[];
}
