/**
 * `wfad report`'s per-job table: failed jobs first, then by largest deviation (docs/operator.md).
 * A job that never ran did not fail: it no longer sorts ahead of the failed one by its name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRunReport, jobFailed, jobTableOrder } from '../../src/cli/report';
import type { JobRow, RunReport } from '../../src/report/run-report';

const job = (name: string, state: string | null, exitCode: number | null, deviation = 0): JobRow => ({
  name, type: 'compute', state, exitCode, retries: 0, host: null, wmsDelay: null, queueDelay: null, runtime: null, postScriptDelay: null, cpuTime: null,
  onCriticalPath: false, prediction: null,
  deviations: deviation ? [{ name: 'runtime', value: 100, normal: 10, deviation }] : [],
} as unknown as JobRow);

// As a failed Pegasus run stores them: jobs in name order, the never-ran ones named before the failed one.
const JOBS = [job('a_never', 'never_ran', null), job('b_never', 'never_ran', null), job('c_ok', 'succeeded', 0, 2), job('d_slow', 'succeeded', 0, 9), job('z_failed', 'failed', 1)];

describe('wfad report job table order', () => {
  it('a never-ran job is not a failed one; failed, aborted, held and non-zero exits are', () => {
    assert.equal(jobFailed({ state: 'never_ran', exitCode: null }), false);
    assert.equal(jobFailed({ state: 'succeeded', exitCode: 0 }), false);
    assert.equal(jobFailed({ state: null, exitCode: null }), false);
    for (const state of ['failed', 'aborted', 'held']) assert.equal(jobFailed({ state, exitCode: null }), true, state);
    assert.equal(jobFailed({ state: null, exitCode: 2 }), true);
  });

  it('failed first, then by deviation, never-ran jobs with no deviation last (in their order)', () => {
    assert.deepEqual(jobTableOrder(JOBS).map((j) => j.name), ['z_failed', 'd_slow', 'c_ok', 'a_never', 'b_never']);
  });

  it('the human table prints them in that order', () => {
    const report = {
      run: { id: 'process/uuid', workflow: 'process', label: null, category: null, state: 'failed', startedAt: null, endedAt: null, jobs: 5, edges: 0 },
      verdict: null, verdictNote: 'no model has scored this run yet', otherPredictions: [], makespan: null,
      criticalPath: { seconds: null, jobs: [] }, drivers: { source: 'deviation', note: 'n', jobs: [] }, baseline: { normalRuns: 3 }, jobs: JOBS,
    } as unknown as RunReport;
    const lines = formatRunReport(report, 0).split('\n');
    const order = lines.map((l) => l.split(/\s+/)[0]).filter((w): w is string => JOBS.some((j) => j.name === w));
    assert.deepEqual(order, ['z_failed', 'd_slow', 'c_ok', 'a_never', 'b_never']);
  });
});
