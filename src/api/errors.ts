/**
 * What clients see when something fails: a GraphQL error with a stable `extensions.code`, a
 * message that names the field at fault, and never a stack trace. Internal errors are logged in
 * full and answered with a generic message.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { Neo4jUnavailableError, WfadError } from '../errors';
import { isUnavailable } from '../graph/driver';

/** Codes this API answers with (Apollo's own GRAPHQL_* codes pass through unchanged). */
export type ApiErrorCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'UNAVAILABLE' | 'MODEL_UNAVAILABLE' | 'INVALID_PREDICTION' | 'TOO_MANY_REQUESTS' | 'INTERNAL_SERVER_ERROR';

/** Bad input: `field` is the argument path, e.g. `filter.minScore` or `input.jobs[2].runtime`. */
export class BadInputError extends GraphQLError {
  constructor(field: string, message: string, extra: Record<string, unknown> = {}) {
    super(`${field}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', field, ...extra } });
  }
}

export class UnauthenticatedError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
}

/** A valid request this server is configured not to serve (mutations off). */
export class ForbiddenError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
  }
}

export class UnavailableError extends GraphQLError {
  constructor(message = 'the database is unavailable; try again later') {
    super(message, { extensions: { code: 'UNAVAILABLE', http: { status: 503 } } });
  }
}

/** A bounded queue is full (e.g. training jobs): try again once some have finished. */
export class TooManyRequestsError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'TOO_MANY_REQUESTS', http: { status: 429 } } });
  }
}

/**
 * A stored prediction whose score or probabilities are not finite numbers (NaN written by an older
 * version): the field answers null with this error, naming the model and the run (or job), instead of
 * failing the whole field. Scoring the run again with a retrained model replaces it.
 */
export class InvalidPredictionError extends GraphQLError {
  constructor(modelId: string, targetId: string, what: string) {
    super(`the stored prediction of model ${modelId} for ${targetId} has ${what}, not a number: score it again with a retrained model (wfad train, then wfad score --model <dir>)`, {
      extensions: { code: 'INVALID_PREDICTION', model: modelId, target: targetId },
    });
  }
}

/** Codes whose messages are safe to show as they are (Apollo's own and this API's). */
export const PUBLIC_CODES: ReadonlySet<string> = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'UNAVAILABLE',
  'TOO_MANY_REQUESTS',
  'INVALID_PREDICTION',
  'NOT_FOUND',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Apollo's formatError: typed, stack-free errors for clients; the cause goes to the log. */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const path = formatted.path;
    const base = { message: formatted.message, locations: formatted.locations, path };
    if (original instanceof Neo4jUnavailableError || isUnavailable(original)) {
      log.warn({ err: original, path }, 'Neo4j unavailable');
      return { ...base, message: 'the database is unavailable; try again later', extensions: { code: 'UNAVAILABLE' } };
    }
    if (original instanceof WfadError && (original.code === 'BAD_MODEL' || original.code === 'MODEL_MISSING' || original.code === 'PROVIDER_UNAVAILABLE')) {
      log.error({ err: original, path }, 'model unavailable');
      return { ...base, message: 'the model cannot be loaded on this server; see the server log', extensions: { code: 'MODEL_UNAVAILABLE' } };
    }
    if (original instanceof WfadError && original.code === 'BAD_INPUT') {
      return { ...base, message: original.message, extensions: { code: 'BAD_USER_INPUT' } };
    }
    // Apollo's own request errors (persisted-query version or hash, …) carry an HTTP 4xx status but
    // no code; errors of the request itself have no path, unlike anything a resolver throws.
    const status = (original instanceof GraphQLError ? (original.extensions?.http as { status?: number } | undefined)?.status : undefined) ?? 0;
    // (Apollo fills in INTERNAL_SERVER_ERROR for them, so look at the original's own extensions.)
    const requestError = !path && original instanceof GraphQLError && !original.extensions?.code && !original.originalError && status >= 400 && status < 500;
    const code = requestError ? 'BAD_REQUEST' : ((formatted.extensions?.code as string | undefined) ?? 'INTERNAL_SERVER_ERROR');
    if (PUBLIC_CODES.has(code)) {
      const { stacktrace: _drop, http: _http, ...ext } = (formatted.extensions ?? {}) as Record<string, unknown>;
      return { ...base, extensions: { ...ext, code } };
    }
    log.error({ err: original, path }, 'internal error');
    return { ...base, message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
