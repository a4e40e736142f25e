/**
 * The reproduce report states its compute cost as the sum of the trainings' own times, so a report
 * rendered from cached trainings (an interrupted or resumed run) does not claim it cost nothing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/config';
import { renderReport } from '../../src/report/reproduce-report';
import type { ReproduceResult } from '../../src/train/reproduce';

describe('reproduce report', () => {
  it('totals the trainings\' own times, not this invocation\'s (0 s when every training was cached)', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'bench', 'results', 'reproduce', 'results.json'), 'utf8')) as ReproduceResult;
    const r: ReproduceResult = { ...committed, seconds: 0, timings: [{ what: 'a', seconds: 1200.4, epochs: 40 }, { what: 'b', seconds: 34.3, epochs: 12 }, { what: 'baselines', seconds: 0.5, epochs: 0 }] };
    const text = renderReport(r, 'wfad reproduce --seeds 3');
    assert.match(text, /Compute: 1,235 s on this machine, the sum of the 3 trainings' own times/);
    assert.match(text, /this invocation took 0 s/);
    assert.doesNotMatch(text, /Total 0 s/);
  });

  it('the committed report states the sum of its results\' timings', () => {
    const dir = path.join(PROJECT_ROOT, 'bench', 'results', 'reproduce');
    const r = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as ReproduceResult;
    const sum = Math.round(r.timings.reduce((a, t) => a + t.seconds, 0));
    assert.ok(sum > 0);
    assert.ok(fs.readFileSync(path.join(dir, 'REPORT.md'), 'utf8').includes(`Compute: ${sum.toLocaleString('en-US')} s on this machine`));
  });
});
