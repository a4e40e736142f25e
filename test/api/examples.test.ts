/**
 * examples/labelled_subgraphs.py (the notebook example) against a live API, as a user runs it.
 * Needs python3 (the example is a client, not part of the platform); skipped without it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/config';
import { FEATURE_NAMES } from '../../src/features/job-features';
import { startHarness, type Harness } from './harness';

const python = spawnSync('python3', ['--version']).status === 0;
let h: Harness;
before(async () => {
  if (python) h = await startHarness(32);
});
after(async () => {
  await h?.close();
});

describe('examples/labelled_subgraphs.py', { skip: python ? false : 'python3 not installed' }, () => {
  it('pages through labelledSubgraphs with urllib and gets PyG-shaped graphs', () => {
    const r = spawnSync('python3', [path.join(PROJECT_ROOT, 'examples', 'labelled_subgraphs.py'), '--url', h.url, '--max', '25', '--page', '10', '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, any>;
    assert.equal(s.graphs, 25);
    assert.equal(s.features, FEATURE_NAMES.length);
    assert.equal(s.featureScaling, 'raw');
    assert.equal(s.nodes, 75);
    assert.equal(s.edges, 50);
    assert.deepEqual(s.byCategory, { normal: 7, cpu: 6, hdd: 6, loss: 6 });
    const cpu = spawnSync('python3', [path.join(PROJECT_ROOT, 'examples', 'labelled_subgraphs.py'), '--url', h.url, '--category', 'cpu', '--json'], { encoding: 'utf8' });
    assert.equal(cpu.status, 0, cpu.stderr);
    assert.deepEqual(JSON.parse(cpu.stdout.trim()).byCategory, { normal: 0, cpu: 8, hdd: 0, loss: 0 });
  });
});
