import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { derivedCount, workflowOfFile } from '../../src/ingest/trace';
import {
  COMPUTE,
  DATA_COLUMNS,
  FILE_NAME,
  LABEL,
  RUN_INSTANCE,
  RUN_JOBS,
  RUN_NUMBER,
  STAGE_OUT,
  T0,
  TEMPLATE_JOBS,
  WORKFLOW,
  cleanup,
  createDir,
  goodRows,
  job,
  parseOk,
  setCell,
  toCsv,
} from './fixtures';

const RUN_ID = `${LABEL}/${FILE_NAME.replace(/\.csv$/, '')}`;

describe('parseRunFile: a good run', () => {
  const run = parseOk(toCsv(goodRows()));

  it('identifies the run from its folder and file name', () => {
    assert.equal(run.id, RUN_ID);
    assert.equal(run.id, 'hdd_60/tiny-wf-casa_tiny-20200518T045356Z-run0007');
    assert.equal(run.source, `data/${LABEL}/${FILE_NAME}`);
    assert.equal(run.truth?.label, 'hdd_60');
    assert.equal(run.truth?.category, 'hdd');
    assert.equal(run.truth?.level, 60);
    assert.equal(run.workflow, WORKFLOW);
    assert.equal(run.runNumber, RUN_NUMBER);
    assert.equal(run.instance, RUN_INSTANCE);
  });

  it('returns the jobs in template order even though the file lists them in another order', () => {
    assert.deepEqual(
      run.jobs.map((j) => j.name),
      RUN_JOBS,
    );
    assert.deepEqual(
      run.jobs.map((j) => j.index),
      [0, 1, 2, 3],
    );
    assert.deepEqual(
      run.jobs.map((j) => j.template),
      TEMPLATE_JOBS,
    );
  });

  it('names aux jobs by the run, not the template, and ids them <label>/<file stem>/<job>', () => {
    const cd = run.jobs[0];
    assert.ok(cd);
    assert.equal(cd.name, createDir(RUN_INSTANCE));
    assert.notEqual(cd.name, cd.template);
    assert.equal(cd.id, `${RUN_ID}/${createDir(RUN_INSTANCE)}`);
    assert.equal(cd.runId, RUN_ID);
    assert.equal(job(run, COMPUTE).id, `${RUN_ID}/${COMPUTE}`);
    assert.equal(job(run, cleanup(RUN_INSTANCE)).id, `${RUN_ID}/${cleanup(RUN_INSTANCE)}`);
  });

  it('reads numbers as numbers and text as text', () => {
    const w = job(run, COMPUTE);
    assert.equal(w.type, 'compute');
    assert.equal(w.isClustered, 0);
    assert.equal(w.ready, T0 + 14);
    assert.equal(w.submit, T0 + 18);
    assert.equal(w.executeStart, T0 + 20);
    assert.equal(w.executeEnd, T0 + 63);
    assert.equal(w.runtime, 43);
    assert.equal(w.stageInBytes, 1708157176);
    assert.equal(w.cpuTime, 1.7);
    assert.equal(w.kickstartHostname, 'worker-5');
    assert.equal(w.kickstartExecutablesArgv, 'chr1.vcf   1');
    assert.equal(w.exitCode, 0);
    assert.equal(job(run, STAGE_OUT).type, 'transfer');
    assert.equal(job(run, createDir(RUN_INSTANCE)).type, 'auxiliary');
  });

  it('keeps empty cells as null, never 0 or ""', () => {
    const w = job(run, COMPUTE);
    assert.equal(w.preScriptStart, null);
    assert.equal(w.preScriptEnd, null);
    assert.equal(w.preScriptDelay, null);
    const cd = job(run, createDir(RUN_INSTANCE));
    assert.equal(cd.stageInDelay, null);
    assert.equal(cd.stageInBytes, null);
    assert.equal(cd.stageOutBytes, null);
    assert.equal(cd.kickstartExecutablesArgv, null);
  });

  it('reports nothing derived, no sentinels and no missing columns, and spans the run in time', () => {
    assert.equal(derivedCount(run), 0);
    assert.equal(run.sentinelValues, 0);
    assert.deepEqual(run.missingColumns, []);
    assert.equal(run.startedAt, T0);
    assert.equal(run.endedAt, T0 + 106);
  });

  it('accepts a normal run and a loss_0.1 run of the same file', () => {
    const normal = parseOk(toCsv(goodRows()), { labelFolder: 'normal' });
    assert.equal(normal.truth?.category, 'normal');
    assert.equal(normal.truth?.level, null);
    assert.equal(normal.id, `normal/${FILE_NAME.replace('.csv', '')}`);
    const loss = parseOk(toCsv(goodRows()), { labelFolder: 'loss_0.1' });
    assert.equal(loss.truth?.category, 'loss');
    assert.equal(loss.truth?.level, 0.1);
  });

  it('ignores unknown extra columns', () => {
    const rows = goodRows().map((r) => ({ name: r.name, cells: { ...r.cells, extra_column: 'whatever' } }));
    const withExtra = parseOk(toCsv(rows, { columns: [...DATA_COLUMNS, 'extra_column'] }));
    assert.equal(withExtra.jobs.length, 4);
    assert.deepEqual(withExtra.missingColumns, []);
    assert.equal(Object.prototype.hasOwnProperty.call(withExtra.jobs[0], 'extra_column'), false);
  });
});

describe('parseRunFile: contentHash', () => {
  const rows = goodRows();
  const base = parseOk(toCsv(rows)).contentHash;

  it('is a sha256 hex digest', () => {
    assert.match(base, /^[0-9a-f]{64}$/);
  });

  it('is stable across parses, CRLF line endings and a UTF-8 BOM', () => {
    assert.equal(parseOk(toCsv(rows)).contentHash, base);
    assert.equal(parseOk(toCsv(rows, { eol: '\r\n' })).contentHash, base);
    assert.equal(parseOk(toCsv(rows, { bom: true })).contentHash, base);
    assert.equal(parseOk(toCsv(rows, { eol: '\r\n', bom: true })).contentHash, base);
  });

  it('CRLF and BOM do not leak into names or values', () => {
    const run = parseOk(toCsv(rows, { eol: '\r\n', bom: true }));
    assert.deepEqual(
      run.jobs.map((j) => j.name),
      RUN_JOBS,
    );
    assert.equal(job(run, COMPUTE).exitCode, 0);
  });

  it('is stable when only the row order changes', () => {
    assert.equal(parseOk(toCsv([...rows].reverse())).contentHash, base);
  });

  it('changes when one value changes', () => {
    assert.notEqual(parseOk(toCsv(setCell(rows, COMPUTE, 'runtime', '44.0'))).contentHash, base);
    assert.notEqual(parseOk(toCsv(setCell(rows, STAGE_OUT, 'kickstart_hostname', 'worker-6'))).contentHash, base);
  });

  it('changes when a value becomes empty', () => {
    assert.notEqual(parseOk(toCsv(setCell(rows, COMPUTE, 'stage_in_bytes', ''))).contentHash, base);
  });

  it('changes with the label', () => {
    assert.notEqual(parseOk(toCsv(rows), { labelFolder: 'normal' }).contentHash, base);
  });
});

describe('workflowOfFile', () => {
  const known = ['1000genome', 'nowcast-clustering-8', 'nowcast-clustering-16', 'wind-clustering-casa', 'wind-noclustering-casa'];

  it('finds the workflow that prefixes the file name', () => {
    assert.equal(workflowOfFile('1000genome-20200518T045356Z-run0001.csv', known), '1000genome');
    assert.equal(workflowOfFile('nowcast-clustering-8-casa_nowcast-wf-20190325050000-run0001.csv', known), 'nowcast-clustering-8');
    assert.equal(workflowOfFile('wind-clustering-casa_wind_wf-20200817T051428Z-run0001.csv', known), 'wind-clustering-casa');
  });

  it('picks the longest match', () => {
    const file = 'nowcast-clustering-16-casa_nowcast-wf-20190325050000-run0001.csv';
    assert.equal(workflowOfFile(file, [...known, 'nowcast-clustering-1']), 'nowcast-clustering-16');
    assert.equal(workflowOfFile(file, ['nowcast-clustering-1', 'nowcast-clustering-16']), 'nowcast-clustering-16');
    assert.equal(workflowOfFile(file, ['nowcast-clustering-16', 'nowcast-clustering-1']), 'nowcast-clustering-16');
    assert.equal(workflowOfFile(file, ['nowcast', 'nowcast-clustering']), 'nowcast-clustering');
  });

  it("needs '-' or '_' right after the name", () => {
    assert.equal(workflowOfFile('nowcast-clustering-1-x-run0001.csv', ['nowcast-clustering-1']), 'nowcast-clustering-1');
    assert.equal(workflowOfFile('nowcast-clustering-1_x-run0001.csv', ['nowcast-clustering-1']), 'nowcast-clustering-1');
    // "nowcast-clustering-1" is only a string prefix of "nowcast-clustering-16-...", not a name prefix.
    assert.equal(workflowOfFile('nowcast-clustering-16-x-run0001.csv', ['nowcast-clustering-1']), null);
    assert.equal(workflowOfFile('1000genomes-x-run0001.csv', ['1000genome']), null);
  });

  it('returns null when nothing matches', () => {
    assert.equal(workflowOfFile('montage-x-run0001.csv', known), null);
    assert.equal(workflowOfFile('1000genome-x-run0001.csv', []), null);
  });

  it('accepts any iterable, e.g. a Map of templates', () => {
    assert.equal(workflowOfFile('a-b-run0001.csv', new Map([['a', 1]]).keys()), 'a');
  });
});
