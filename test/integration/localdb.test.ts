/**
 * `wfad db start|status|stop` as a user runs them: a real Neo4j 5.26 that neo4j-driver reaches on
 * 127.0.0.1, started idempotently, on its own port and data folder so it leaves the others alone.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openGraph } from '../../src/graph/driver';
import { loadMigrations } from '../../src/graph/migrations';
import { cli } from '../helpers/neo4j';

const PORT = Number(process.env.WFAD_TEST_DB_PORT ?? 7697);
const P = ['--port', String(PORT)];
// NEO4J_URI and WFAD_NEO4J_PORT undefined: the port comes from --port only, and the CLI must apply
// the schema to the server it starts on that port, not to the default port or the harness's database.
const env: NodeJS.ProcessEnv = { WFAD_NEO4J_HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-db-')), WFAD_NEO4J_PORT: undefined, NEO4J_URI: undefined };

async function constraintNames(): Promise<string[]> {
  const graph = openGraph({ uri: `bolt://127.0.0.1:${PORT}`, user: 'neo4j', password: '', database: 'neo4j' });
  try {
    const res = await graph.read((tx) => tx.run('SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names'));
    return res.records[0]?.get('names') as string[];
  } finally {
    await graph.close();
  }
}

describe('wfad db', () => {
  after(async () => {
    await cli(['db', 'stop', ...P], env);
  });

  it('starts a Neo4j on --port that neo4j-driver reaches on 127.0.0.1, idempotently, resets and stops it', async () => {
    const start = await cli(['db', 'start', '--json', ...P], env);
    assert.equal(start.code, 0, start.stderr);
    const st = JSON.parse(start.stdout) as { started: boolean; running: boolean; boltAnswers: boolean; uri: string; migrationsApplied: string[] };
    assert.equal(st.started, true);
    assert.equal(st.uri, `bolt://127.0.0.1:${PORT}`);
    assert.deepEqual(st.migrationsApplied, loadMigrations().map((m) => m.name));
    assert.deepEqual(st.migrationsApplied.slice(0, 3), ['001_constraints.cypher', '002_indexes.cypher', '003_predictions.cypher']);

    const graph = openGraph({ uri: `bolt://127.0.0.1:${PORT}`, user: 'neo4j', password: '', database: 'neo4j' });
    try {
      const res = await graph.read((tx) => tx.run('CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition'));
      assert.equal(res.records[0]?.get('name'), 'Neo4j Kernel');
      assert.match(res.records[0]?.get('version') as string, /^5\.26\./);
      assert.equal(res.records[0]?.get('edition'), 'community');
    } finally {
      await graph.close();
    }
    assert.ok((await constraintNames()).includes('run_id'));

    const again = await cli(['db', 'start', ...P], env);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already running/);

    const status = JSON.parse((await cli(['db', 'status', '--json', ...P], env)).stdout) as { running: boolean; boltAnswers: boolean };
    assert.equal(status.running, true);
    assert.equal(status.boltAnswers, true);

    // reset wipes the data and restarts the server: the schema must be applied again, on --port.
    const reset = await cli(['db', 'reset', '--yes', ...P], env);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /wiped the local database and restarted it/);
    assert.ok((await constraintNames()).includes('run_id'), 'the schema is applied to the restarted server on --port');

    const stop = await cli(['db', 'stop', ...P], env);
    assert.match(stop.stdout, /stopped the local Neo4j/);
    const after = JSON.parse((await cli(['db', 'status', '--json', ...P], env)).stdout) as { running: boolean; boltAnswers: boolean };
    assert.equal(after.running, false);
    assert.equal(after.boltAnswers, false);
    assert.match((await cli(['db', 'stop', ...P], env)).stdout, /was not running/);
    assert.equal((await cli(['db', 'reset'], env)).code, 2, 'reset without --yes is refused');
  });

  it('exits 5 (NEO4J_START_FAILED) when the port is taken by another program, naming the port', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const r = await cli(['db', 'start', '--port', String(port)], { ...env, WFAD_NEO4J_HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-db-')) });
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, new RegExp(`NEO4J_START_FAILED: port ${port} on 127.0.0.1 is already taken`));
    } finally {
      taken.close();
    }
  });
});
