/**
 * Neo4j stopped and restarted while `wfad serve` answers a steady stream of uncached requests: every
 * request during the outage fails with a GraphQL UNAVAILABLE error (no HTTP 500, no internals),
 * /ready says 503 and /health 200, the server stays up, requests succeed again after the restart,
 * and no Neo4j session, connection or file descriptor is leaked. The test owns its Neo4j (port
 * 7697, its own data folder), whatever NEO4J_URI the harness uses.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { neo4jOutage } from '../../bench/faults/outage';
import { PROJECT_ROOT } from '../../src/config';
import { syntheticDataset } from '../api/harness';

describe('Neo4j outage while the API serves', () => {
  it('answers UNAVAILABLE during the outage, recovers after the restart, leaks nothing', async () => {
    const dataset = syntheticDataset(40);
    const log = process.env.WFAD_TEST_VERBOSE ? (l: string) => void process.stderr.write(`${l}\n`) : undefined;
    try {
      const r = await neo4jOutage({
        neo4jPort: Number(process.env.WFAD_FAULTS_NEO4J_PORT ?? 7697),
        home: path.join(PROJECT_ROOT, '.wfad', 'neo4j-faults-test'),
        apiPort: Number(process.env.WFAD_FAULTS_API_PORT ?? 4101),
        dataset,
        downMs: 3000,
        intervalMs: 50,
        log,
      });
      if (log) log(JSON.stringify(r, null, 1));
      assert.equal(r.runs, 40);
      assert.ok(r.requests.before > 0 && r.requests.outage > 0 && r.requests.after > 0, JSON.stringify(r.requests));
      assert.ok(r.outage.unavailable > 0, 'requests failed during the outage');
      assert.equal(r.outage.other, 0, `every failure is UNAVAILABLE: ${r.otherSamples.join(' | ')}`);
      assert.equal(r.after.other + r.beforeOutcomes.other, 0, r.otherSamples.join(' | '));
      assert.deepEqual(r.leaks, [], 'no stack traces or connection details in responses');
      assert.ok(r.readyDuringOutage.length > 0 && r.readyDuringOutage.every((s) => s === 503), `/ready during the outage: ${r.readyDuringOutage}`);
      assert.ok(r.healthDuringOutage.every((s) => s === 200), `/health during the outage: ${r.healthDuringOutage}`);
      assert.equal(r.readyAfter, 200);
      assert.ok(r.firstSuccessAfterRestartMs !== null, 'requests succeed again after the restart');
      assert.ok(r.serverAlive, 'the API process stayed up');
      assert.equal(r.serverExitCode, 0, 'and stopped cleanly on SIGTERM');
      // No leaks: every session opened was closed. The driver's pool keeps the connections the
      // burst after the restart opened (idle, bounded by maxConnectionPoolSize 50), so the fds the
      // process holds beyond its Bolt connections must be back where they were.
      assert.equal(r.afterRecovery.sessionsOpen, 0, JSON.stringify(r.afterRecovery));
      assert.equal(r.afterRecovery.sessionsOpened, r.afterRecovery.sessionsClosed);
      assert.ok(r.afterRecovery.sessionsOpened > r.before.sessionsOpened);
      assert.ok(r.afterRecovery.serverConnections <= 50, `Bolt connections ${r.before.serverConnections} → ${r.afterRecovery.serverConnections}`);
      const other = (s: typeof r.before): number => s.fds - s.serverConnections;
      assert.ok(other(r.afterRecovery) <= other(r.before) + 2, `fds besides Bolt connections: ${other(r.before)} → ${other(r.afterRecovery)} (fds ${r.before.fds} → ${r.afterRecovery.fds})`);
    } finally {
      fs.rmSync(dataset, { recursive: true, force: true });
    }
  });
});
