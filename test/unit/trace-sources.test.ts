/**
 * The CSV reader beyond the flowgad columns: per-job truth (Flow-Bench `anomaly_type`), extra
 * columns kept as job properties, sub-workflow jobs, unlabelled runs, misspelled headers, and
 * derived values validated and reported like parsed ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { READY_HOW, parseRunFile } from '../../src/ingest/trace';
import { COMPUTE, DATA_COLUMNS, STAGE_OUT, T0, createDir, emptyCells, goodRows, job, parseOk, parseRejected, runInput, setCell, tinyTemplates, toCsv, RUN_INSTANCE, type Row } from './fixtures';

/** Rows with a per-job truth column and two extra columns: the compute job ran under cpu_2, the others unaffected. */
function flowbenchRows(): Row[] {
  return goodRows().map((r) => ({
    name: r.name,
    cells: { ...r.cells, anomaly_type: r.name === COMPUTE ? 'cpu_2' : 'None', stage_in_start: r.name === COMPUTE ? String(T0 + 20) : '', kickstart_online_iowait: '0.5' },
  }));
}
const FB_COLUMNS = ['anomaly_type', ...DATA_COLUMNS, 'stage_in_start', 'kickstart_online_iowait'];

describe('per-job truth and extra columns (Flow-Bench layout)', () => {
  it("gives each job its own truth from anomaly_type and keeps the extra columns as job properties", () => {
    const run = parseOk(toCsv(flowbenchRows(), { columns: FB_COLUMNS }), { labelFolder: 'cpu_2' });
    assert.equal(run.kind, 'flowbench-csv');
    assert.equal(run.truth?.label, 'cpu_2');
    assert.deepEqual([job(run, COMPUTE).label, job(run, COMPUTE).category, job(run, COMPUTE).level], ['cpu_2', 'cpu', 2]);
    assert.deepEqual([job(run, STAGE_OUT).label, job(run, STAGE_OUT).category, job(run, STAGE_OUT).level], ['normal', 'normal', null]);
    assert.equal(job(run, COMPUTE).stageInStart, T0 + 20);
    assert.equal(job(run, STAGE_OUT).stageInStart, null, 'an empty extra cell stays missing');
    assert.equal(job(run, COMPUTE).kickstartOnlineIowait, 0.5);
    assert.deepEqual(run.extraColumns, [
      { column: 'stage_in_start', prop: 'stageInStart' },
      { column: 'kickstart_online_iowait', prop: 'kickstartOnlineIowait' },
    ]);
    assert.deepEqual(run.unstoredColumns, []);
  });

  it('the per-job truth is part of the content hash', () => {
    const a = parseOk(toCsv(flowbenchRows(), { columns: FB_COLUMNS }));
    const b = parseOk(toCsv(setCell(flowbenchRows(), STAGE_OUT, 'anomaly_type', 'cpu_2'), { columns: FB_COLUMNS }));
    assert.notEqual(a.contentHash, b.contentHash);
  });

  it('rejects a per-job truth that is neither None nor a label, naming the job', () => {
    const r = parseRejected(toCsv(setCell(flowbenchRows(), COMPUTE, 'anomaly_type', 'slow'), { columns: FB_COLUMNS }), 'BAD_VALUE');
    assert.equal(r.job, COMPUTE);
    assert.equal(r.field, 'anomaly_type');
  });

  it('lists columns it cannot store instead of dropping them', () => {
    const rows = flowbenchRows().map((r) => ({ name: r.name, cells: { ...r.cells, 'odd column!': 'x', job_id: '7' } }));
    const run = parseOk(toCsv(rows, { columns: [...FB_COLUMNS, 'odd column!', 'job_id'] }));
    assert.deepEqual(
      run.unstoredColumns.map((c) => c.column),
      ['odd column!'],
    );
    assert.equal(job(run, COMPUTE).jobId, 7);
  });

  it('accepts sub-workflow jobs (type subwf)', () => {
    const run = parseOk(toCsv(setCell(goodRows(), COMPUTE, 'type', 'subwf')));
    assert.equal(job(run, COMPUTE).type, 'subwf');
  });
});

describe('unlabelled runs', () => {
  it('with truth "none": no run truth, no job truth, the per-job truth column listed as not stored', () => {
    const r = parseRunFile(runInput(toCsv(flowbenchRows(), { columns: FB_COLUMNS }), { labelFolder: 'cpu_2' }), tinyTemplates(), { truth: 'none' });
    assert.ok(!('reason' in r), JSON.stringify(r));
    assert.equal(r.truth, null);
    assert.ok(r.jobs.every((j) => j.label === undefined));
    assert.deepEqual(r.unstoredColumns, [{ column: 'anomaly_type', reason: 'per-job truth ignored: the runs are ingested unlabelled' }]);
  });
});

describe('misspelled headers', () => {
  it('keeps an unknown column and names the trace column it probably meant', () => {
    const columns = DATA_COLUMNS.map((c) => (c === 'queue_delay' ? 'queue_dealy' : c));
    const rows = goodRows().map((r) => ({ name: r.name, cells: { ...r.cells, queue_dealy: r.cells.queue_delay as string } }));
    const run = parseOk(toCsv(rows, { columns }));
    assert.ok(run.missingColumns.includes('queue_delay'));
    assert.match((run.notes ?? []).join('\n'), /column "queue_dealy" is not a trace column \(did you mean queue_delay\?\): stored as job property queueDealy/);
    assert.equal(job(run, COMPUTE).queueDealy, 2);
  });
});

describe('derived values are validated and reported', () => {
  it("rejects a run whose derived ready (parents' end) is after the job's submit, naming how it was derived", () => {
    // The parent's post script ends at T0+20, the compute job was submitted at T0+18.
    let rows = setCell(goodRows(), createDir(RUN_INSTANCE), 'post_script_end', String(T0 + 20));
    rows = emptyCells(rows, COMPUTE, ['ready', 'wms_delay']);
    const r = parseRejected(toCsv(rows), 'BAD_VALUE');
    assert.equal(r.job, COMPUTE);
    assert.match(r.reason, /submit=.* is before ready=.*ready derived as latest parent's post_script_end/);
  });

  it("names the derivation, and the execute_end fallback as a guess", () => {
    const exact = parseOk(toCsv(emptyCells(goodRows(), COMPUTE, ['ready', 'wms_delay'])));
    assert.deepEqual(exact.derived, [
      { prop: 'ready', how: READY_HOW.fromParents, count: 1 },
      { prop: 'wms_delay', how: `submit - ready (ready derived as ${READY_HOW.fromParents})`, count: 1 },
    ]);
    let rows = emptyCells(goodRows(), createDir(RUN_INSTANCE), ['post_script_start', 'post_script_end', 'post_script_delay']);
    rows = emptyCells(rows, COMPUTE, ['ready', 'wms_delay']);
    const guessed = parseOk(toCsv(rows));
    assert.equal(job(guessed, COMPUTE).ready, T0 + 9, "the parent's execute_end");
    assert.match(guessed.derived.map((d) => d.how).join('\n'), /execute_end .*\(a guess/);
  });
});
