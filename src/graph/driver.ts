/**
 * One neo4j-driver instance per process, built from the environment (see config.ts). All access
 * goes through `read`/`write`, which wrap the driver's transaction functions (executeRead /
 * executeWrite: retried on transient errors) and turn "cannot connect" into a typed error.
 */
import neo4j, { type Driver, type ManagedTransaction, type Session } from 'neo4j-driver';
import { neo4jConnection, type Neo4jConnection } from '../config';
import { Neo4jUnavailableError } from '../errors';

export interface Graph {
  readonly driver: Driver;
  readonly conn: Neo4jConnection;
  read<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T>;
  write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const UNAVAILABLE_CODES = new Set(['ServiceUnavailable', 'SessionExpired', 'ECONNREFUSED']);

export function isUnavailable(err: unknown): boolean {
  if (err instanceof Neo4jUnavailableError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('Neo.ClientError.Security'));
}

export interface GraphOptions {
  /** Called before every Cypher statement run through `read`/`write` (metrics, tests counting queries). */
  onQuery?: (cypher: string, mode: 'READ' | 'WRITE') => void;
  /** How long transaction functions retry transient failures (driver default 30 s); servers answering people want less. */
  maxRetryMs?: number;
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

export function openGraph(conn: Neo4jConnection = neo4jConnection(), opts: GraphOptions = {}): Graph {
  const auth = conn.password ? neo4j.auth.basic(conn.user, conn.password) : undefined;
  const driver = neo4j.driver(conn.uri, auth, {
    // Integers come back as JS numbers (safe: counts and ids stay far below 2^53).
    disableLosslessIntegers: true,
    connectionAcquisitionTimeout: 30_000,
    maxConnectionPoolSize: 50,
    ...(opts.maxRetryMs !== undefined ? { maxTransactionRetryTime: opts.maxRetryMs } : {}),
    logging: { level: 'error', logger: () => undefined },
  });
  const session = (mode: 'READ' | 'WRITE'): Session =>
    driver.session({ database: conn.database, defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE });
  const run = async <T>(mode: 'READ' | 'WRITE', work: (tx: ManagedTransaction) => Promise<T>): Promise<T> => {
    const s = session(mode);
    const hook = opts.onQuery;
    const w = hook ? (tx: ManagedTransaction) => work(countingTx(tx, mode, hook)) : work;
    try {
      return mode === 'READ' ? await s.executeRead(w) : await s.executeWrite(w);
    } catch (err) {
      if (isUnavailable(err)) throw new Neo4jUnavailableError(conn.uri, err);
      throw err;
    } finally {
      await s.close();
    }
  };
  return {
    driver,
    conn,
    read: (work) => run('READ', work),
    write: (work) => run('WRITE', work),
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
