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

export function openGraph(conn: Neo4jConnection = neo4jConnection()): Graph {
  const auth = conn.password ? neo4j.auth.basic(conn.user, conn.password) : undefined;
  const driver = neo4j.driver(conn.uri, auth, {
    // Integers come back as JS numbers (safe: counts and ids stay far below 2^53).
    disableLosslessIntegers: true,
    connectionAcquisitionTimeout: 30_000,
    maxConnectionPoolSize: 50,
    logging: { level: 'error', logger: () => undefined },
  });
  const session = (mode: 'READ' | 'WRITE'): Session =>
    driver.session({ database: conn.database, defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE });
  const run = async <T>(mode: 'READ' | 'WRITE', work: (tx: ManagedTransaction) => Promise<T>): Promise<T> => {
    const s = session(mode);
    try {
      return mode === 'READ' ? await s.executeRead(work) : await s.executeWrite(work);
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
