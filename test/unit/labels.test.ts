import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLabel } from '../../src/ingest/labels';

describe('parseLabel', () => {
  it('normal: category normal, no level', () => {
    assert.deepEqual(parseLabel('normal'), { label: 'normal', category: 'normal', level: null });
  });

  it('cpu_2, hdd_100', () => {
    assert.deepEqual(parseLabel('cpu_2'), { label: 'cpu_2', category: 'cpu', level: 2 });
    assert.deepEqual(parseLabel('hdd_100'), { label: 'hdd_100', category: 'hdd', level: 100 });
  });

  it('loss_0.1 has the fractional level 0.1', () => {
    assert.deepEqual(parseLabel('loss_0.1'), { label: 'loss_0.1', category: 'loss', level: 0.1 });
    assert.equal(parseLabel('loss_5')?.level, 5);
  });

  it('unknown folders are null', () => {
    for (const folder of ['foo_1', 'cpu_x', 'normal_2', 'cpu', 'hdd_', 'CPU_2', 'cpu_-1', 'loss_0.1.2', ' normal', 'cpu_2 ', '']) {
      assert.equal(parseLabel(folder), null, JSON.stringify(folder));
    }
  });
});
