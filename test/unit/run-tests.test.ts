/**
 * `npm test -- <filter>`: a filter that matches no test file fails the run at once, naming the
 * filter, instead of running some other selection (node's own discovery ran every test).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/config';

function runTests(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    // NEO4J_URI set (unreachable): the harness starts no server; it must not get as far as using it.
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'dist', 'test', 'run-tests.js'), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, NEO4J_URI: 'bolt://127.0.0.1:1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr });
    });
  });
}

describe('the test runner', () => {
  it('fails, naming the filter, when a filter matches no test file', async () => {
    const r = await runTests(['no-such-test-file']);
    assert.equal(r.code, 1, r.stderr.slice(-500));
    assert.match(r.stderr, /no test file matches "no-such-test-file"/);
    assert.doesNotMatch(r.stderr, /test files/, 'no test ran');
  });

  it('fails when one of several filters matches nothing, even if another matches', async () => {
    const r = await runTests(['test/unit/names', 'unit/nmaes']);
    assert.equal(r.code, 1, r.stderr.slice(-500));
    assert.match(r.stderr, /no test file matches "unit\/nmaes"/);
  });
});
