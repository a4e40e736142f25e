/**
 * One neo4j-driver instance per process, built from the environment (see config.ts). All access
 * goes through `read`/`write`, which wrap the driver's transaction functions (executeRead /
 * executeWrite: retried on transient errors), or `query` (one read statement, auto-commit, retried
 * the same way); all turn "cannot connect" into a typed error.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import neo4j, { type Driver, type ManagedTransaction, type QueryResult, type Session } from 'neo4j-driver';
import { neo4jConnection, type Neo4jConnection } from '../config';
import { Neo4jUnavailableError } from '../errors';

export interface Graph {
  readonly driver: Driver;
  readonly conn: Neo4jConnection;
  read<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T>;
  write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T>;
  /**
   * One read statement in an auto-commit transaction: RUN and PULL go out in one write and come
   * back in one round trip, where a transaction function sends BEGIN+RUN+PULL, then COMMIT (three
   * socket writes, two round trips). Under API load socket writes to Neo4j took 11% of the
   * process's CPU. Transient failures are retried as `read` retries them.
   */
  query(cypher: string, params?: Record<string, unknown>): Promise<QueryResult>;
  /** Sessions opened and closed through `read`/`write` so far (metrics; a gap that grows is a leak). */
  sessionStats(): SessionStats;
  close(): Promise<void>;
}

export interface SessionStats {
  opened: number;
  closed: number;
  /** Transaction functions that failed with Neo4jUnavailableError. */
  unavailable: number;
}

/**
 * Codes meaning "the database cannot serve now, later may work". DatabaseUnavailable is what a
 * Neo4j that is shutting down or still starting answers (Bolt up, database not): found by the
 * outage test, where it surfaced as INTERNAL_SERVER_ERROR.
 */
const UNAVAILABLE_CODES = new Set([
  'ServiceUnavailable',
  'SessionExpired',
  'ECONNREFUSED',
  // The server cut a handshake or a connection short while stopping or starting ("Failed to connect
  // to server", "Connection was closed by server"); a wrong port answers it too, also "unreachable".
  'ProtocolError',
  'Neo.TransientError.General.DatabaseUnavailable',
  'Neo.TransientError.Database.DatabaseUnavailable',
]);

/**
 * The driver's pool-exhausted error has no code (N/A), only this message. Every pooled connection
 * busy past the acquisition timeout means the server is not answering (the outage test: a Neo4j
 * shutting down holds connections open without answering for up to 10 s), so it is unavailability.
 */
const ACQUISITION_TIMEOUT = /^Connection acquisition timed out/;


export function isUnavailable(err: unknown): boolean {
  if (err instanceof Neo4jUnavailableError) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = e?.code;
  if (typeof e?.message === 'string' && ACQUISITION_TIMEOUT.test(e.message)) return true;

  return typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('Neo.ClientError.Security'));
}

export interface GraphOptions {
  /** Called before every Cypher statement run through `read`/`write` (metrics, tests counting queries). */
  onQuery?: (cypher: string, mode: 'READ' | 'WRITE') => void;
  /** How long transaction functions retry transient failures (driver default 30 s); servers answering people want less. */
  maxRetryMs?: number;
  /**
   * Socket connect timeout and pool acquisition timeout (driver defaults 30 s / 60 s). A Neo4j that
   * is shutting down can accept connections and never answer: without a bound, API requests hung
   * for up to 33 s in the outage test.
   */
  connectTimeoutMs?: number;
  acquireTimeoutMs?: number;
  /**
   * After a call fails because Neo4j is unreachable, fail the calls of the next this-many ms at
   * once (Neo4jUnavailableError) instead of letting each wait for its own timeouts; the first call
   * after the window probes again. For servers answering people: in the outage test requests piled
   * up behind a Neo4j that was shutting down and waited up to 44 s each.
   */
  failFastMs?: number;
}

/** The transaction with `run` reporting each statement to the hook first. */
function countingTx(tx: ManagedTransaction, mode: 'READ' | 'WRITE', hook: NonNullable<GraphOptions['onQuery']>): ManagedTransaction {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      if (prop === 'run') {
        return (...args: Parameters<ManagedTransaction['run']>) => {
          hook(String(args[0]), mode);
          return target.run(...args);
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

let noDelayOn = false;

/**
 * Client sockets of this process send without Nagle's delay (TCP_NODELAY), as Node's own HTTP
 * client does. The Bolt driver writes a message over 1,400 bytes (any query with a list of ids)
 * in several writes and never sets the option: the last write then waited for the server's
 * delayed ACK, 40 ms on Linux, and a 2 ms lookup of 100 predictions took 45 ms. Subscribed once;
 * the driver's sockets are created by net.connect, which publishes on this channel.
 */
export function sendWithoutDelay(): void {
  if (noDelayOn) return;
  noDelayOn = true;
  diagnostics.subscribe('net.client.socket', (msg) => void (msg as { socket: Socket }).socket.setNoDelay(true));
}

export function openGraph(conn: Neo4jConnection = neo4jConnection(), opts: GraphOptions = {}): Graph {
  sendWithoutDelay();
  const auth = conn.password ? neo4j.auth.basic(conn.user, conn.password) : undefined;
  const driver = neo4j.driver(conn.uri, auth, {
    // Integers come back as JS numbers (safe: counts and ids stay far below 2^53).
    disableLosslessIntegers: true,
    connectionAcquisitionTimeout: opts.acquireTimeoutMs ?? 30_000,
    maxConnectionPoolSize: 50,
    ...(opts.connectTimeoutMs !== undefined ? { connectionTimeout: opts.connectTimeoutMs } : {}),
    ...(opts.maxRetryMs !== undefined ? { maxTransactionRetryTime: opts.maxRetryMs } : {}),
    logging: { level: 'error', logger: () => undefined },
  });
  const session = (mode: 'READ' | 'WRITE'): Session =>
    driver.session({ database: conn.database, defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE });
  const stats: SessionStats = { opened: 0, closed: 0, unavailable: 0 };
  let downUntil = 0;
  /** A session for `use`, with fail-fast, unavailability as Neo4jUnavailableError, and session counts. */
  const withSession = async <T>(mode: 'READ' | 'WRITE', use: (s: Session) => Promise<T>): Promise<T> => {
    if (opts.failFastMs && Date.now() < downUntil) {
      stats.unavailable++;
      throw new Neo4jUnavailableError(conn.uri, 'it did not answer a moment ago');
    }
    const s = session(mode);
    stats.opened++;
    try {
      const result = await use(s);
      downUntil = 0;
      return result;
    } catch (err) {
      if (isUnavailable(err)) {
        stats.unavailable++;
        if (opts.failFastMs) downUntil = Date.now() + opts.failFastMs;
        throw new Neo4jUnavailableError(conn.uri, err);
      }
      throw err;
    } finally {
      // Counted even when close() itself fails (the server went away): the session is gone either way.
      await s.close().catch(() => undefined);
      stats.closed++;
    }
  };
  const run = <T>(mode: 'READ' | 'WRITE', work: (tx: ManagedTransaction) => Promise<T>): Promise<T> => {
    const hook = opts.onQuery;
    const w = hook ? (tx: ManagedTransaction) => work(countingTx(tx, mode, hook)) : work;
    return withSession(mode, (s) => (mode === 'READ' ? s.executeRead(w) : s.executeWrite(w)));
  };
  const maxRetryMs = opts.maxRetryMs ?? 30_000;
  const query = (cypher: string, params: Record<string, unknown> = {}): Promise<QueryResult> =>
    withSession('READ', async (s) => {
      opts.onQuery?.(cypher, 'READ');
      // The driver retries transaction functions only; the same policy here: doubling waits with
      // jitter while the total stays within maxRetryMs.
      for (let started = Date.now(), wait = 100; ; wait *= 2) {
        try {
          return await s.run(cypher, params);
        } catch (err) {
          if (!neo4j.isRetriableError(err) || Date.now() - started + wait > maxRetryMs) throw err;
          await new Promise((r) => setTimeout(r, wait * (0.8 + 0.4 * Math.random())));
        }
      }
    });
  return {
    driver,
    conn,
    read: (work) => run('READ', work),
    write: (work) => run('WRITE', work),
    query,
    sessionStats: () => ({ ...stats }),
    close: () => driver.close(),
  };
}

/** Fails with Neo4jUnavailableError unless the server answers a query. */
export async function verify(graph: Graph): Promise<void> {
  try {
    await graph.driver.verifyConnectivity({ database: graph.conn.database });
  } catch (err) {
    throw new Neo4jUnavailableError(graph.conn.uri, err);
  }
}
