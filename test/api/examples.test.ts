/**
 * examples/labelled_subgraphs.py (the notebook example) against a live API, as a user runs it.
 * Needs python3 (the example is a client, not part of the platform); skipped without it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/config';
import { FEATURE_NAMES } from '../../src/features/job-features';
import { startHarness, type Harness } from './harness';

const python = spawnSync('python3', ['--version']).status === 0;

/** Runs the example without blocking this process (its API server answers the example). */
function example(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', [path.join(PROJECT_ROOT, 'examples', 'labelled_subgraphs.py'), ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
let h: Harness;
before(async () => {
  if (python) h = await startHarness(32);
});
after(async () => {
  await h?.close();
});

describe('examples/labelled_subgraphs.py', { skip: python ? false : 'python3 not installed' }, () => {
  it('pages through labelledSubgraphs with urllib and gets PyG-shaped graphs', async () => {
    const r = await example(['--url', h.url, '--max', '25', '--page', '10', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, any>;
    assert.equal(s.graphs, 25);
    assert.equal(s.features, FEATURE_NAMES.length);
    assert.equal(s.featureScaling, 'raw');
    assert.equal(s.nodes, 75);
    assert.equal(s.edges, 50);
    assert.deepEqual(s.byCategory, { normal: 7, cpu: 6, hdd: 6, loss: 6 });
    const cpu = await example(['--url', h.url, '--category', 'cpu', '--json']);
    assert.equal(cpu.status, 0, cpu.stderr);
    assert.deepEqual(JSON.parse(cpu.stdout.trim()).byCategory, { normal: 0, cpu: 8, hdd: 0, loss: 0 });
  });
});
