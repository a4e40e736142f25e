/**
 * bench:faults prints what it measured after each kill: a store left with incomplete runs, orphan
 * jobs or edges across runs must show those counts, not a fixed "0".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { afterKillSummary, type IngestKillTrial } from '../../bench/faults/ingest-kill';

const whole = { incompleteRuns: 0, orphanJobs: 0, crossRunEdges: 0, jobs: 100, templateJobs: 100, edges: 90, templateEdges: 90 };
const trial = (state: Partial<IngestKillTrial['state']>, runs: [number, number] = [10, 12], problems: string[] = []): IngestKillTrial => ({
  round: 1,
  delayMs: 500,
  killed: true,
  atMs: 500,
  phase: 'between commits',
  runsBefore: runs[0],
  runsAfter: runs[1],
  state: { ...whole, ...state },
  problems,
});

describe('bench:faults after-kill figures', () => {
  it('prints the worst measured counts over the trials', () => {
    const line = afterKillSummary([trial({}), trial({ incompleteRuns: 2, orphanJobs: 57, crossRunEdges: 3, jobs: 157 }, [12, 11], ['x']), trial({ orphanJobs: 4 })]);
    assert.match(line, /worst of 3 trials\): incompleteRuns 2, orphan jobs 57, edges across runs 3/);
    assert.match(line, /differ from the stored runs' DAGs in 1 trials; run count went down in 1; 2\/3 trials without a problem/);
  });

  it('prints zeros only when every trial measured zero', () => {
    assert.match(afterKillSummary([trial({}), trial({})]), /incompleteRuns 0, orphan jobs 0, edges across runs 0; jobs\/edges differ from the stored runs' DAGs in 0 trials; run count went down in 0; 2\/2/);
  });
});
