/**
 * What counts as "Neo4j unavailable" (the API answers UNAVAILABLE for it, never INTERNAL), the
 * fail-fast window after a failure, and the session counters /metrics reports. No Neo4j needed:
 * the graph points at a port where nothing listens.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { parseMetrics, renderMetrics } from '../../src/api/metrics';
import { isUnavailable, openGraph } from '../../src/graph/driver';
import { Neo4jUnavailableError } from '../../src/errors';

const deadPort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

describe('Neo4j unavailability', () => {
  it('classifies the errors seen during a stop/restart as unavailable, and others not', () => {
    const seen = [
      { code: 'ServiceUnavailable', message: 'Could not perform discovery' },
      { code: 'SessionExpired', message: 'x' },
      { code: 'Neo.TransientError.General.DatabaseUnavailable', message: 'The database is not currently available to serve your request' },
      { code: 'ProtocolError', message: 'Connection was closed by server' },
      { code: 'ProtocolError', message: 'Failed to connect to server. Please ensure that your database is listening' },
      { code: 'N/A', message: 'Connection acquisition timed out in 10000 ms. Pool status: Active conn count = 50, Idle conn count = 0.' },
      new Neo4jUnavailableError('bolt://x', 'down'),
    ];
    for (const e of seen) assert.ok(isUnavailable(e), JSON.stringify(e));
    for (const e of [{ code: 'Neo.ClientError.Statement.SyntaxError', message: 'bad' }, new Error('boom'), null, { code: 'N/A', message: 'other' }]) {
      assert.ok(!isUnavailable(e), JSON.stringify(e));
    }
  });

  it('fails fast for failFastMs after a failure, counts sessions opened and closed', async () => {
    const g = openGraph({ uri: `bolt://127.0.0.1:${await deadPort()}`, user: 'neo4j', password: '', database: 'neo4j' }, { maxRetryMs: 200, failFastMs: 60_000 });
    try {
      await assert.rejects(g.read((tx) => tx.run('RETURN 1')), Neo4jUnavailableError);
      assert.deepEqual(g.sessionStats(), { opened: 1, closed: 1, unavailable: 1 });
      // Within the window: no session, no connection attempt, the same typed error.
      const t0 = performance.now();
      await assert.rejects(g.read((tx) => tx.run('RETURN 1')), Neo4jUnavailableError);
      assert.ok(performance.now() - t0 < 1000);
      assert.deepEqual(g.sessionStats(), { opened: 1, closed: 1, unavailable: 2 });
      const m = parseMetrics(renderMetrics(g));
      assert.equal(m.wfad_neo4j_sessions_opened_total, 1);
      assert.equal(m.wfad_neo4j_sessions_closed_total, 1);
      assert.equal(m.wfad_neo4j_sessions_open, 0);
      assert.equal(m.wfad_neo4j_unavailable_total, 2);
      if (process.platform === 'linux') assert.ok((m.process_open_fds ?? 0) > 0);
    } finally {
      await g.close();
    }
  });

  it('retries a one-statement query while the server is unreachable, within maxRetryMs, then fails as unavailable', async () => {
    const g = openGraph({ uri: `bolt://127.0.0.1:${await deadPort()}`, user: 'neo4j', password: '', database: 'neo4j' }, { maxRetryMs: 500, failFastMs: 60_000 });
    try {
      const t0 = performance.now();
      await assert.rejects(g.query('RETURN 1'), Neo4jUnavailableError);
      // A refused connection fails in milliseconds: the time taken is the waits between attempts
      // (0.8–1.2 × 100 ms, then 200 ms; a further 400 ms would pass 500, so it stops well before the driver default of 30 s).
      const took = performance.now() - t0;
      assert.ok(took >= 240 && took < 1500, `took ${took.toFixed(0)} ms`);
      assert.deepEqual(g.sessionStats(), { opened: 1, closed: 1, unavailable: 1 });
      await assert.rejects(g.query('RETURN 1'), Neo4jUnavailableError);
      assert.deepEqual(g.sessionStats(), { opened: 1, closed: 1, unavailable: 2 });
    } finally {
      await g.close();
    }
  });
});
