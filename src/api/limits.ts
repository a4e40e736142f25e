/**
 * Query cost limits: depth (a validation rule) and complexity (estimated from each field's
 * `complexity`, lists multiplied by their page size, before anything runs).
 */
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

export function depthRule(maxDepth: number): ValidationRule {
  return maxDepthRule({
    n: maxDepth,
    ignoreIntrospection: true,
    flattenFragments: true,
    exposeLimits: true,
    // Reported as a validation error (400), not thrown (which Apollo would answer as a 500).
    propagateOnRejection: false,
    onReject: [
      (ctx, err) =>
        (ctx as ValidationContext | null)?.reportError(
          new GraphQLError(`${err.message.replace(/^Syntax Error: /, '')} Ask for fewer nested fields.`, { extensions: { limit: 'depth', max: maxDepth } }),
        ),
    ],
  }) as unknown as ValidationRule;
}

/**
 * The schema has no Subscription type; graphql-js would accept the operation and fail it at
 * execution with an untyped error (answered as INTERNAL_SERVER_ERROR; found by the fuzzer).
 */
export const noSubscriptionsRule: ValidationRule = (ctx) => ({
  OperationDefinition(node) {
    if (node.operation === 'subscription') ctx.reportError(new GraphQLError('this API has no subscriptions: poll with a query instead', { nodes: node }));
  },
});

/** Nodes the complexity estimator visits at most (graphql-query-complexity's default). */
const MAX_QUERY_NODES = 10_000;

export function complexityPlugin<T extends object>(schema: GraphQLSchema, maxComplexity: number): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              operationName: request.operationName,
              query: document,
              variables: request.variables ?? {},
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
              maxQueryNodes: MAX_QUERY_NODES,
            });
          } catch (err) {
            // Over the estimator's node budget: refuse. Swallowing this (as below) let a query of
            // 2,000 aliases skip the complexity limit and run for half a minute (found by the fuzzer).
            if (err instanceof Error && /maximum allowed number of nodes/.test(err.message)) {
              throw new GraphQLError(`query has more than ${MAX_QUERY_NODES} fields and arguments to cost: ask for fewer fields or aliases`, {
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'complexity', max: maxComplexity, http: { status: 400 } },
              });
            }
            // Variables that do not coerce: execution refuses them next, as BAD_USER_INPUT.
            return;
          }
          if (complexity > maxComplexity) {
            throw new GraphQLError(`query complexity ${complexity} is over the limit of ${maxComplexity}: ask for fewer fields or smaller pages (first)`, {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'complexity', complexity, max: maxComplexity, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
