/**
 * `Time`: an instant. Output: ISO-8601 UTC text. Input: ISO-8601 text, or epoch milliseconds as
 * a number or numeric text (Grafana substitutes `$__from`/`$__to` as epoch milliseconds).
 * Internally: epoch seconds (how runs store `startedAt`).
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const ISO_RE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function parseTime(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value / 1000;
  if (typeof value === 'string') {
    const s = value.trim();
    if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s) / 1000;
    if (ISO_RE.test(s)) {
      const ms = Date.parse(s);
      if (Number.isFinite(ms)) return ms / 1000;
    }
  }
  throw new GraphQLError(`Time: ${JSON.stringify(value)} is neither ISO-8601 text nor epoch milliseconds`, { extensions: { code: 'BAD_USER_INPUT' } });
}

export const TimeScalar = new GraphQLScalarType<number, string>({
  name: 'Time',
  description: 'An instant: ISO-8601 text out; ISO-8601 text or epoch milliseconds (number or numeric text) in.',
  serialize(value) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new GraphQLError(`Time: cannot serialize ${String(value)}`);
    return new Date(value * 1000).toISOString();
  },
  parseValue: parseTime,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) {
      return parseTime(ast.kind === Kind.STRING ? ast.value : Number(ast.value));
    }
    throw new GraphQLError('Time: expected ISO-8601 text or epoch milliseconds', { nodes: ast, extensions: { code: 'BAD_USER_INPUT' } });
  },
});
