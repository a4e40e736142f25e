/** Runs → samples: unlabelled runs are no samples; per-job targets come from per-job truth. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelledSamples, toSample } from '../../src/features/dataset';
import { FEATURE_NAMES } from '../../src/features/job-features';
import { JOB_FIELDS, type RunRecord } from '../../src/graph/read-runs';

function record(id: string, label: string | null, jobLabels: Array<string | null>): RunRecord {
  const category = label === null ? null : label === 'normal' ? 'normal' : (label.split('_')[0] as string);
  return {
    id,
    workflow: 'w',
    label,
    category,
    level: null,
    startedAt: 0,
    template: 'w#x',
    templateVersion: 1,
    jobNames: jobLabels.map((_, i) => `j${i}`),
    jobs: jobLabels.map((_, i) => JOB_FIELDS.map((f) => (f === 'type' ? (i === 0 ? 'subwf' : 'compute') : f === 'submit' ? 10 + i : null))),
    jobLabels,
    edges: [0, 1],
  };
}

describe('samples', () => {
  it("per-job targets: the job's own truth (cpu on one job of a cpu run, normal on the other), -1 unknown", () => {
    const s = toSample(record('a', 'cpu_2', ['cpu_2', 'normal', null]));
    assert.deepEqual([...s.jobY], [1, 0, -1]);
    assert.equal(s.yMulti, 1);
  });

  it('skips unlabelled runs; toSample refuses one', () => {
    const runs = [record('a', 'normal', ['normal', 'normal']), record('b', null, [null, null])];
    assert.deepEqual(labelledSamples(runs).map((s) => s.runId), ['a']);
    assert.throws(() => toSample(runs[1] as RunRecord), /run b is unlabelled/);
  });

  it('one-hot encodes sub-workflow jobs', () => {
    const s = toSample(record('a', 'normal', ['normal', 'normal']));
    const F = s.x.length / s.numNodes;
    const k = FEATURE_NAMES.indexOf('type_subwf');
    assert.equal(s.x[k], 1);
    assert.equal(s.x[F + k], 0);
    assert.equal(s.x[F + FEATURE_NAMES.indexOf('type_compute')], 1);
  });
});
