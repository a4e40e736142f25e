import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auxInstance, auxKey } from '../../src/ingest/names';

describe('auxKey / auxInstance', () => {
  it('create_dir jobs: the instance id is replaced by a placeholder and returned', () => {
    const name = 'create_dir_1000genome-20200518T045356Z_0_condorpool';
    assert.equal(auxKey(name), 'create_dir_{instance}_0_condorpool');
    assert.equal(auxInstance(name), '1000genome-20200518T045356Z');
  });

  it('cleanup jobs, including instance ids that contain underscores', () => {
    const name = 'cleanup_casa_wind_wf-20200817T053229Z_0_condorpool';
    assert.equal(auxKey(name), 'cleanup_{instance}_0_condorpool');
    assert.equal(auxInstance(name), 'casa_wind_wf-20200817T053229Z');
  });

  it('keeps the counter and the site in the key', () => {
    assert.equal(auxKey('create_dir_X_3_local'), 'create_dir_{instance}_3_local');
    assert.notEqual(auxKey('cleanup_X_0_condorpool'), auxKey('cleanup_X_1_condorpool'));
  });

  it('two runs of the same aux job get the same key', () => {
    assert.equal(auxKey('cleanup_casa_nowcast-wf-20190325050000_0_condorpool'), auxKey('cleanup_casa_nowcast-wf-20190401010000_0_condorpool'));
  });

  it('leaves other job names unchanged and gives them no instance', () => {
    for (const name of ['sifting_ID0000024', 'stage_out_local_condorpool_2_0', 'merge_casa_job', 'create_dir', 'cleanup_0_condorpool', 'my_cleanup_X_0_condorpool']) {
      assert.equal(auxKey(name), name, name);
      assert.equal(auxInstance(name), null, name);
    }
  });
});
