/** Which ingest path the configuration allows: the bulk threshold and the managed local server. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bulkMinRuns, managedLocalServer } from '../../src/ingest/store-path';

describe('ingest store path settings', () => {
  it('WFAD_BULK_MIN_RUNS: 500 when unset, the value when a run count, a named error otherwise', () => {
    assert.equal(bulkMinRuns({}), 500);
    assert.equal(bulkMinRuns({ WFAD_BULK_MIN_RUNS: '0' }), 0);
    assert.equal(bulkMinRuns({ WFAD_BULK_MIN_RUNS: '20' }), 20);
    for (const bad of ['-1', '2.5', 'many']) {
      assert.throws(() => bulkMinRuns({ WFAD_BULK_MIN_RUNS: bad }), new RegExp(`WFAD_BULK_MIN_RUNS="${bad}"`));
    }
  });

  it('only the local server on its own port and default database counts as managed', () => {
    const env = { WFAD_NEO4J_PORT: '7700', WFAD_NEO4J_HOME: '/tmp/wfad-home' };
    assert.ok(managedLocalServer({ ...env, NEO4J_URI: 'bolt://127.0.0.1:7700' }));
    assert.equal(managedLocalServer({ ...env, NEO4J_URI: 'bolt://127.0.0.1:7701' }), null);
    assert.equal(managedLocalServer({ ...env, NEO4J_URI: 'neo4j+s://example.databases.neo4j.io' }), null);
    assert.equal(managedLocalServer({ ...env, NEO4J_URI: 'bolt://127.0.0.1:7700', NEO4J_DATABASE: 'other' }), null);
  });
});
