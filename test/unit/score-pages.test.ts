/** `wfad score` reads pages of about PAGE_JOBS jobs, whatever the DAG size. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pageSizes } from '../../src/graph/read-runs';
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

describe('pageSizes', () => {
  it('reads every listed run once, in pages of at most pageSize, small at both ends', () => {
    for (const [total, size] of [[6104, 1000], [40, 12], [100, 8], [3000, 1000], [7, 8]] as const) {
      const pages = pageSizes(total, size);
      assert.equal(pages.reduce((a, b) => a + b, 0), total, `${total} runs in pages of ${size}`);
      assert.ok(pages.every((n) => n >= 1 && n <= size), `${pages.join(',')}`);
      assert.equal(pages[0], Math.ceil(size / 8));
      assert.equal(pages.at(-1), Math.ceil(size / 8));
    }
    assert.deepEqual(pageSizes(6104, 1000), [125, 250, 500, 1000, 1000, 354, 1000, 1000, 500, 250, 125]);
    assert.deepEqual(pageSizes(40, 12), [2, 4, 8, 12, 8, 4, 2]);
  });

  it('no runs: no pages; fewer runs than a first page: one page', () => {
    assert.deepEqual(pageSizes(0, 1000), []);
    assert.deepEqual(pageSizes(100, 1000), [100]);
  });
});
