import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  COMPUTE,
  DATA_COLUMNS,
  FILE_NAME,
  HEADER,
  RUN_INSTANCE,
  STAGE_OUT,
  TEMPLATE_INSTANCE,
  WORKFLOW,
  cleanup,
  createDir,
  goodRows,
  job,
  parseOk,
  parseRejected,
  setCell,
  toCsv,
  type Row,
} from './fixtures';

const SOURCE = 'somewhere/else/shown-in-reports.csv';

/** A good run with one cell replaced; asserts BAD_VALUE naming job, field and value. */
function badValue(column: string, value: string, why: RegExp, jobName = COMPUTE): void {
  const r = parseRejected(toCsv(setCell(goodRows(), jobName, column, value)), 'BAD_VALUE', { source: SOURCE });
  assert.equal(r.job, jobName);
  assert.equal(r.field, column);
  assert.equal(r.value, value);
  assert.equal(r.workflow, WORKFLOW);
  assert.equal(r.label, 'hdd_60');
  assert.ok(r.reason.includes(`job "${jobName}"`), r.reason);
  assert.ok(r.reason.includes(`${column}=${JSON.stringify(value)}`), r.reason);
  assert.match(r.reason, why);
}

describe('parseRunFile rejections: empty and broken files', () => {
  it('an empty file (0 bytes)', () => {
    const r = parseRejected(Buffer.alloc(0), 'EMPTY_FILE', { source: SOURCE });
    assert.equal(r.reason, 'empty file (0 bytes)');
    assert.equal(r.file, SOURCE);
  });

  it('a whitespace-only file', () => {
    const r = parseRejected(' \n\r\n\t  \n', 'EMPTY_FILE');
    assert.match(r.reason, /whitespace/);
  });

  it('a BOM and nothing else', () => {
    parseRejected('\uFEFF', 'EMPTY_FILE');
  });

  it('a header without job rows', () => {
    const r = parseRejected(HEADER + '\n', 'EMPTY_FILE');
    assert.match(r.reason, /header only/);
  });

  it('bytes that are not UTF-8', () => {
    const good = Buffer.from(toCsv(goodRows()), 'utf8');
    const bad = Buffer.concat([good.subarray(0, 400), Buffer.from([0xff, 0xfe, 0xc3]), good.subarray(400)]);
    const r = parseRejected(bad, 'NOT_UTF8', { source: SOURCE });
    assert.match(r.reason, /UTF-8/);
    // Latin-1 "é" in a value, as an export from a non-UTF-8 system would write it.
    const latin1 = Buffer.from(toCsv(setCell(goodRows(), COMPUTE, 'kickstart_user', 'ren\u00e9')), 'latin1');
    parseRejected(latin1, 'NOT_UTF8');
  });

  it('a truncated last row, naming its line and job', () => {
    const lines = toCsv(goodRows()).trimEnd().split('\n');
    const last = lines[lines.length - 1] as string;
    lines[lines.length - 1] = last.split(',').slice(0, 12).join(','); // cut mid-row, as a killed writer leaves it
    const r = parseRejected(lines.join('\n'), 'TRUNCATED_ROW', { source: SOURCE });
    assert.equal(lines.length, 5);
    assert.match(r.reason, /^line 5 \(job "stage_out_local_condorpool_0_0"\) has 12 of 29 columns$/);
    assert.equal(r.job, STAGE_OUT);
  });

  it('a row with too many columns', () => {
    const lines = toCsv(goodRows()).trimEnd().split('\n');
    lines[2] = `${lines[2]},surplus`;
    const r = parseRejected(lines.join('\n'), 'TRUNCATED_ROW');
    assert.match(r.reason, /^line 3 .* has 30 of 29 columns$/);
  });

  it(
    'the line number of a truncated row counts blank lines before it',
    () => {
      const lines = toCsv(goodRows()).trimEnd().split('\n');
      lines[4] = (lines[4] as string).split(',').slice(0, 12).join(',');
      lines.splice(2, 0, ''); // a blank line between the first and second job: the truncated row is now on line 6
      const r = parseRejected(lines.join('\n'), 'TRUNCATED_ROW');
      assert.match(r.reason, /^line 6 /);
    },
  );

  it('malformed CSV quoting', () => {
    const text = toCsv(setCell(goodRows(), COMPUTE, 'kickstart_user', '"unterminated'));
    const r = parseRejected(text, 'BAD_CSV');
    assert.match(r.reason, /^not valid CSV: /);
  });
});

describe('parseRunFile rejections: columns', () => {
  it('a missing required column, by name', () => {
    const r = parseRejected(toCsv(goodRows(), { columns: DATA_COLUMNS.filter((c) => c !== 'submit') }), 'MISSING_COLUMNS', { source: SOURCE });
    assert.equal(r.reason, 'missing required columns: submit');
    assert.equal(r.field, 'submit');
  });

  it('several missing required columns are all named', () => {
    const r = parseRejected(toCsv(goodRows(), { columns: DATA_COLUMNS.filter((c) => c !== 'type' && c !== 'execute_end') }), 'MISSING_COLUMNS');
    assert.equal(r.reason, 'missing required columns: type, execute_end');
  });

  it('a file missing only optional columns is accepted; they are listed and their values are null', () => {
    const kickstart = DATA_COLUMNS.filter((c) => c.startsWith('kickstart_'));
    assert.equal(kickstart.length, 9);
    const run = parseOk(toCsv(goodRows(), { columns: DATA_COLUMNS.filter((c) => !c.startsWith('kickstart_')) }));
    assert.deepEqual(run.missingColumns, kickstart);
    const w = job(run, COMPUTE);
    assert.equal(w.kickstartUser, null);
    assert.equal(w.kickstartHostname, null);
    assert.equal(w.cpuTime, null);
    assert.equal(w.exitCode, null);
    assert.equal(w.runtime, 43);
    assert.equal(run.sentinelValues, 0);
  });

  it('a column that appears twice', () => {
    const r = parseRejected(toCsv(goodRows(), { columns: [...DATA_COLUMNS, 'runtime'] }), 'DUPLICATE_COLUMN');
    assert.equal(r.field, 'runtime');
    assert.match(r.reason, /"runtime" appears twice/);
  });

  it('an empty required cell', () => {
    const r = parseRejected(toCsv(setCell(goodRows(), COMPUTE, 'submit', '')), 'BAD_VALUE');
    assert.equal(r.reason, `job "${COMPUTE}": required field submit is empty`);
    assert.equal(r.field, 'submit');
  });

  it('a row without a job name', () => {
    const rows: Row[] = goodRows().map((r) => (r.name === COMPUTE ? { ...r, name: '' } : r));
    const r = parseRejected(toCsv(rows), 'BAD_VALUE');
    assert.match(r.reason, /^line 2 has no job name$/);
  });
});

describe('parseRunFile rejections: values', () => {
  it('a non-number', () => badValue('runtime', 'abc', /is not a number$/));
  it('NaN', () => badValue('execute_end', 'NaN', /is not a number$/));
  it('Infinity', () => badValue('queue_delay', 'Infinity', /is not a number$/));
  it('a number that overflows (1e999)', () => badValue('execute_start', '1e999', /is not a finite number$/));
  it('a hex literal', () => badValue('stage_in_bytes', '0x10', /is not a number$/));
  it('a negative runtime', () => badValue('runtime', '-3.0', /must not be negative$/));
  it('negative bytes', () => badValue('stage_out_bytes', '-1', /must not be negative$/));
  it('is_clustered = 2', () => badValue('is_clustered', '2', /must be 0 or 1$/));
  it('a zero timestamp', () => badValue('ready', '0', /must be a positive epoch time$/));
  it('a fractional exit code', () => badValue('kickstart_executables_exitcode', '1.5', /must be an integer$/));
  it('an unknown job type', () => badValue('type', 'service', /is not one of compute, transfer, auxiliary, subwf$/, STAGE_OUT));

  it('accepts what the format allows: negative exit codes, exponents, is_clustered 1', () => {
    let rows = setCell(goodRows(), COMPUTE, 'kickstart_executables_exitcode', '-9');
    rows = setCell(rows, COMPUTE, 'stage_in_bytes', '1.5e3');
    rows = setCell(rows, STAGE_OUT, 'is_clustered', '1');
    const run = parseOk(toCsv(rows));
    assert.equal(job(run, COMPUTE).exitCode, -9);
    assert.equal(job(run, COMPUTE).stageInBytes, 1500);
    assert.equal(job(run, STAGE_OUT).isClustered, 1);
  });

  it('cuts a very long bad value in the reason', () => {
    const long = 'x'.repeat(200);
    const r = parseRejected(toCsv(setCell(goodRows(), COMPUTE, 'runtime', long)), 'BAD_VALUE');
    assert.ok(r.reason.length < 150, r.reason);
    assert.equal(r.value, 'x'.repeat(80));
  });
});

describe('parseRunFile rejections: job set', () => {
  it('a duplicate job, naming both lines', () => {
    const rows = goodRows();
    const dup = rows.find((r) => r.name === COMPUTE) as Row;
    const r = parseRejected(toCsv([...rows, dup]), 'DUPLICATE_JOB', { source: SOURCE });
    assert.equal(r.reason, `duplicate job "${COMPUTE}" on lines 2 and 6`);
    assert.equal(r.job, COMPUTE);
  });

  it('a job set that does not match the template lists the extra and the missing jobs', () => {
    const rows = goodRows().map((r) => (r.name === STAGE_OUT ? { ...r, name: 'stage_out_local_condorpool_9_9' } : r));
    const r = parseRejected(toCsv(rows), 'JOB_SET_MISMATCH', { source: SOURCE });
    assert.match(r.reason, /extra stage_out_local_condorpool_9_9; missing stage_out_local_condorpool_0_0$/);
    assert.match(r.reason, /tiny-wf DAG template \(4 jobs; file has 4\)/);
    assert.equal(r.job, 'stage_out_local_condorpool_9_9');
  });

  it('a missing job alone', () => {
    const rows = goodRows().filter((r) => r.name !== COMPUTE);
    const r = parseRejected(toCsv(rows), 'JOB_SET_MISMATCH');
    assert.match(r.reason, /\(4 jobs; file has 3\): extra none; missing work_ID0000001$/);
  });

  it('a missing aux job is named as in the template', () => {
    const rows = goodRows().filter((r) => r.name !== cleanup(RUN_INSTANCE));
    const r = parseRejected(toCsv(rows), 'JOB_SET_MISMATCH');
    assert.match(r.reason, new RegExp(`missing ${cleanup(TEMPLATE_INSTANCE)}$`));
  });

  it('aux jobs naming an instance that is not in the file name', () => {
    const other = 'casa_other-20200101T000000Z';
    const r = parseRejected(toCsv(goodRows(other)), 'INSTANCE_MISMATCH', { source: SOURCE });
    assert.equal(r.value, other);
    assert.ok(r.reason.includes(`"${other}"`), r.reason);
    assert.ok(r.reason.includes(FILE_NAME.replace(/-run\d+\.csv$/, '')), r.reason);
  });

  it(
    'an aux instance that is only a tail of the file name is not the file\'s instance',
    () => {
      parseRejected(toCsv(goodRows('045356Z')), 'INSTANCE_MISMATCH');
    },
  );

  it('aux jobs that disagree on the instance', () => {
    const rows = goodRows().map((r) => (r.name === cleanup(RUN_INSTANCE) ? { ...r, name: cleanup('casa_other-1') } : r));
    const r = parseRejected(toCsv(rows), 'INSTANCE_MISMATCH');
    assert.equal(r.job, cleanup('casa_other-1'));
    assert.equal(r.value, 'casa_other-1');
    assert.ok(r.reason.includes(RUN_INSTANCE), r.reason);
  });
});

describe('parseRunFile rejections: folder and file name', () => {
  const csv = toCsv(goodRows());

  it('a folder meant as a label but misspelled is rejected', () => {
    for (const folder of ['cpu-3', 'Normal', 'hdd_', 'loss_x', 'cpu']) {
      const r = parseRejected(csv, 'UNKNOWN_LABEL', { labelFolder: folder, source: SOURCE });
      assert.equal(r.value, folder);
      assert.match(r.reason, new RegExp(`unknown label folder "${folder}"`));
    }
  });

  it('a folder that is no label gives an unlabelled run, with a note', () => {
    const run = parseOk(csv, { labelFolder: 'foo_1', source: SOURCE });
    assert.equal(run.truth, null);
    assert.equal(run.id, `foo_1/${FILE_NAME.replace('.csv', '')}`);
    assert.match((run.notes ?? []).join(' '), /folder "foo_1" is not a label.*stored unlabelled/);
  });

  it('a file name without -runNNNN', () => {
    const fileName = `${WORKFLOW}-${RUN_INSTANCE}.csv`;
    const r = parseRejected(csv, 'BAD_FILE_NAME', { fileName, source: SOURCE });
    assert.ok(r.reason.includes(`"${fileName}"`), r.reason);
    assert.equal(r.label, 'hdd_60');
  });

  it('a file name with -run but no number', () => {
    parseRejected(csv, 'BAD_FILE_NAME', { fileName: `${WORKFLOW}-${RUN_INSTANCE}-runX.csv` });
  });

  it('an unknown workflow, listing the known ones', () => {
    const fileName = `montage-${RUN_INSTANCE}-run0001.csv`;
    const r = parseRejected(csv, 'UNKNOWN_WORKFLOW', { fileName, source: SOURCE });
    assert.ok(r.reason.includes(`"${fileName}"`), r.reason);
    assert.match(r.reason, /known: tiny-wf\); name its template with --template <workflow>=<file\.json>$/);
  });

  it('the label is checked before the content', () => {
    parseRejected(Buffer.alloc(0), 'UNKNOWN_LABEL', { labelFolder: 'cpu' });
  });

  it('the create_dir job is matched across instances (sanity check of the fixture)', () => {
    assert.equal(job(parseOk(csv), createDir(RUN_INSTANCE)).template, createDir(TEMPLATE_INSTANCE));
  });
});
