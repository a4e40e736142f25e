/**
 * Usage and configuration mistakes as an operator makes them on the command line: each one is
 * named on stderr and exits 2 (docs/cli.md), never silently. Runs `wfad` as a child process; none
 * of these reach Neo4j.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT, localServerConfig, parsePort } from '../../src/config';
import { apiConfig } from '../../src/api/config';
import { BadConfigError } from '../../src/errors';

function wfad(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'wfad.js'), ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    // A dead Neo4j port: nothing here may get as far as connecting.
    env: { ...process.env, NEO4J_URI: 'bolt://127.0.0.1:1', WFAD_NEO4J_PORT: '1', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('invalid --port', () => {
  for (const args of [
    ['serve', '--port', '0'],
    ['serve', '--port', 'abc'],
    ['serve', '--port', '70000'],
    ['start', '--port', '0'],
    ['db', 'start', '--port', '0'],
    ['db', 'status', '--port', '1e3'],
  ]) {
    it(`wfad ${args.join(' ')}: exit 2, the option and value named on stderr`, () => {
      const r = wfad(args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      const value = args[args.length - 1] as string;
      assert.match(r.stderr, new RegExp(`--port <port>' argument '${value}' is invalid\\. not a port number \\(expected an integer from 1 to 65535\\)`));
    });
  }
});

describe('port environment variables', () => {
  it('parsePort takes 1-65535 in decimal digits only', () => {
    assert.equal(parsePort('1'), 1);
    assert.equal(parsePort('65535'), 65535);
    for (const bad of ['0', '65536', '70000', 'abc', '', '-1', '1.5', '0x10', '1e3']) assert.equal(parsePort(bad), undefined, bad);
  });

  it('WFAD_API_PORT=0 (or any non-port) is BAD_CONFIG, like WFAD_NEO4J_PORT', () => {
    for (const bad of ['0', 'abc', '70000']) {
      assert.throws(() => apiConfig({ WFAD_API_PORT: bad }), (e: unknown) => e instanceof BadConfigError && e.message === `WFAD_API_PORT=${JSON.stringify(bad)} is not a port number (1-65535)`);
      assert.throws(() => localServerConfig({ WFAD_NEO4J_PORT: bad }), BadConfigError);
    }
    assert.equal(apiConfig({ WFAD_API_PORT: '4001' }).port, 4001);
    assert.equal(apiConfig({}).port, 4000);
  });

  it('wfad serve with WFAD_API_PORT=0: exit 2 with BAD_CONFIG on stderr, nothing listening', () => {
    const r = wfad(['serve'], { WFAD_API_PORT: '0' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /wfad: BAD_CONFIG: WFAD_API_PORT="0" is not a port number \(1-65535\)/);
    assert.doesNotMatch(r.stderr, /wfad API on/);
  });
});
