/** Every SourceRun is checked before it is stored, whatever reader made it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSourceRun } from '../../src/ingest/check-run';
import { goodRows, parseOk, toCsv } from './fixtures';

describe('checkSourceRun', () => {
  const good = parseOk(toCsv(goodRows()));

  it('passes a run read from a trace file', () => {
    assert.equal(checkSourceRun(good), null);
  });

  it('names a cycle, an edge to a job the run lacks, a self-loop, a duplicate edge and a duplicate job', () => {
    const cases: Array<[Partial<typeof good>, string, RegExp]> = [
      [{ edges: [...good.edges, [3, 0]] }, 'BAD_DAG', /the run's DAG has a cycle: .* → .*/],
      [{ edges: [[0, 9]] }, 'BAD_DAG', /edge 0 → 9 names a job the run does not have \(4 jobs\)/],
      [{ edges: [[1, 1]] }, 'BAD_DAG', /depends on itself/],
      [{ edges: [[0, 1], [0, 1]] }, 'BAD_DAG', /listed twice/],
      [{ jobs: good.jobs.map((j, i) => (i === 2 ? { ...j, name: good.jobs[1]?.name as string } : j)) }, 'DUPLICATE_JOB', /appears twice \(positions 1 and 2\)/],
      [{ jobs: [] }, 'BAD_DAG', /has no jobs/],
    ];
    for (const [change, code, why] of cases) {
      const r = checkSourceRun({ ...good, ...change });
      assert.equal(r?.code, code, JSON.stringify(change).slice(0, 80));
      assert.match(r?.reason ?? '', why);
      assert.equal(r?.file, good.source);
    }
  });
});
