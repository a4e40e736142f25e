/**
 * The GraphQL schema, built from the type-graphql classes. `printApiSchema` gives the SDL that is
 * committed as schema/schema.graphql (`npm run schema` rewrites it; a test fails on drift).
 */
import 'reflect-metadata';
import path from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { PROJECT_ROOT } from '../config';
import { authChecker } from './auth';
import { IngestResolver } from './resolvers/ingest';
import { ModelsResolver } from './resolvers/models';
import { PredictionFieldsResolver } from './resolvers/prediction-fields';
import { JobFieldsResolver, RunFieldsResolver, answerPagePredictionsNow } from './resolvers/run-fields';
import { RunsResolver } from './resolvers/runs';
import { ScoreResolver } from './resolvers/score';
import { SeriesResolver } from './resolvers/series';
import { SubgraphsResolver } from './resolvers/subgraphs';
import { TrainingResolver } from './resolvers/training';
import { WorkflowsResolver } from './resolvers/workflows';

export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schema', 'schema.graphql');

let built: GraphQLSchema | null = null;

export function apiSchema(): GraphQLSchema {
  if (!built) {
    built = buildSchemaSync({
      resolvers: [WorkflowsResolver, RunsResolver, RunFieldsResolver, JobFieldsResolver, PredictionFieldsResolver, SeriesResolver, SubgraphsResolver, ModelsResolver, IngestResolver, ScoreResolver, TrainingResolver],
      authChecker,
      validate: false,
    });
    answerPagePredictionsNow(built);
  }
  return built;
}

export function printApiSchema(): string {
  return `# Generated from src/api (type-graphql) by \`npm run schema\`; do not edit by hand.\n\n${printSchema(lexicographicSortSchema(apiSchema()))}\n`;
}
