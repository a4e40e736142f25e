/** `wfad score` reads pages of about PAGE_JOBS jobs, whatever the DAG size. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAGE_JOBS, runsPerPage } from '../../src/score/score-runs';

describe('runsPerPage', () => {
  it('small DAGs: 1,000 runs a page; ~2,000-job DAGs: a dozen (not 2 M jobs at once)', () => {
    assert.equal(runsPerPage(22), 1000);
    assert.equal(runsPerPage(57), Math.round(PAGE_JOBS / 57));
    assert.equal(runsPerPage(2073), 12);
    assert.ok(runsPerPage(2073) * 2073 <= 1.1 * PAGE_JOBS);
  });

  it('stays within 10 to 1,000 runs; no runs stored gives the default', () => {
    assert.equal(runsPerPage(1_000_000), 10);
    assert.equal(runsPerPage(1), 1000);
    assert.equal(runsPerPage(0), 1000);
    assert.equal(runsPerPage(Number.NaN), 1000);
  });
});
