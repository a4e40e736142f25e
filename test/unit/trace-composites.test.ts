import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTemplate } from '../../src/ingest/template';
import { deriveComposites, derivedCount } from '../../src/ingest/trace';
import {
  COMPUTE,
  RUN_INSTANCE,
  STAGE_OUT,
  T0,
  TEMPLATE_FILE,
  TEMPLATE_INSTANCE,
  cleanup,
  createDir,
  emptyCells,
  goodRows,
  job,
  jobRow,
  parseOk,
  parseRejected,
  setCell,
  toCsv,
  tinyTemplate,
} from './fixtures';

describe('composite fields', () => {
  it('computes wms_delay, queue_delay, runtime and post_script_delay from their timestamps when empty', () => {
    const rows = emptyCells(goodRows(), COMPUTE, ['wms_delay', 'queue_delay', 'runtime', 'post_script_delay']);
    const run = parseOk(toCsv(rows));
    const w = job(run, COMPUTE);
    // Compute job: ready T0+14, submit T0+18, execute T0+20 → T0+63, post script T0+63 → T0+68.
    assert.equal(w.wmsDelay, 4); // submit - ready
    assert.equal(w.queueDelay, 2); // execute_start - submit
    assert.equal(w.runtime, 43); // execute_end - execute_start
    assert.equal(w.postScriptDelay, 5); // post_script_end - post_script_start
    assert.equal(derivedCount(run), 4);
  });

  it('leaves a composite null when one of its timestamps is empty too', () => {
    const rows = emptyCells(goodRows(), COMPUTE, ['post_script_delay', 'post_script_start']);
    const run = parseOk(toCsv(rows));
    assert.equal(job(run, COMPUTE).postScriptDelay, null);
    assert.equal(derivedCount(run), 0);
  });

  it('does not overwrite a value that is in the file, even if it disagrees with the timestamps', () => {
    const run = parseOk(toCsv(setCell(goodRows(), COMPUTE, 'runtime', '40.0')));
    assert.equal(job(run, COMPUTE).runtime, 40);
    assert.equal(derivedCount(run), 0);
  });

  it('stage_in_delay has no timestamps to compute it from: it stays null', () => {
    const rows = emptyCells(goodRows(), COMPUTE, ['stage_in_delay', 'stage_in_bytes']);
    const run = parseOk(toCsv(rows));
    assert.equal(job(run, COMPUTE).stageInDelay, null);
    assert.equal(job(run, COMPUTE).stageInBytes, null);
    assert.equal(derivedCount(run), 0);
  });

  it('computes an empty ready as submit - wms_delay', () => {
    const run = parseOk(toCsv(setCell(goodRows(), STAGE_OUT, 'ready', '')));
    // Stage-out: submit T0+72, wms_delay 4.
    assert.equal(job(run, STAGE_OUT).ready, T0 + 68);
    assert.equal(job(run, STAGE_OUT).wmsDelay, 4);
    assert.equal(derivedCount(run), 1);
  });

  it('computes ready from the parent when wms_delay is empty too, then wms_delay from it', () => {
    const rows = emptyCells(setCell(goodRows(), createDir(RUN_INSTANCE), 'post_script_end', String(T0 + 13)), COMPUTE, ['ready', 'wms_delay']);
    const run = parseOk(toCsv(rows));
    const w = job(run, COMPUTE);
    assert.equal(w.ready, T0 + 13); // the create_dir parent's post_script_end
    assert.equal(w.wmsDelay, 5); // submit (T0+18) - ready
    assert.equal(derivedCount(run), 2);
  });

  it("takes the latest of several parents' post_script_end", () => {
    // create_dir → {a, b} → stage_out → cleanup
    const dag = {
      [createDir(TEMPLATE_INSTANCE)]: ['a_ID1', 'b_ID2'],
      a_ID1: [STAGE_OUT],
      b_ID2: [STAGE_OUT],
      [STAGE_OUT]: [cleanup(TEMPLATE_INSTANCE)],
      [cleanup(TEMPLATE_INSTANCE)]: [],
    };
    const template = parseTemplate(TEMPLATE_FILE, JSON.stringify(dag));
    const rows = [
      jobRow(createDir(RUN_INSTANCE), 'auxiliary', T0, 3),
      jobRow('a_ID1', 'compute', T0 + 14, 20), // post_script_end T0 + 45
      jobRow('b_ID2', 'compute', T0 + 14, 50), // post_script_end T0 + 75
      emptyCells([jobRow(STAGE_OUT, 'transfer', T0 + 75, 11)], STAGE_OUT, ['ready', 'wms_delay'])[0]!,
      jobRow(cleanup(RUN_INSTANCE), 'auxiliary', T0 + 97, 5),
    ];
    const run = parseOk(toCsv(rows), {}, new Map([[template.workflow, template]]));
    assert.equal(job(run, STAGE_OUT).ready, T0 + 75);
    assert.equal(job(run, STAGE_OUT).wmsDelay, 4);
    assert.equal(derivedCount(run), 2);
  });

  it('a job without parents and without submit - wms_delay keeps ready (and wms_delay) null', () => {
    const rows = emptyCells(goodRows(), createDir(RUN_INSTANCE), ['ready', 'wms_delay']);
    const run = parseOk(toCsv(rows));
    const cd = job(run, createDir(RUN_INSTANCE));
    assert.equal(cd.ready, null);
    assert.equal(cd.wmsDelay, null);
    assert.equal(derivedCount(run), 0);
    // The run then starts at the first job's submit.
    assert.equal(run.startedAt, T0 + 4);
  });

  it('deriveComposites works on records directly and returns the count', () => {
    const template = tinyTemplate();
    const base = { runId: 'r', template: 't' };
    const mk = (index: number, v: Record<string, number | null>) =>
      ({
        ...base,
        id: `r/${index}`,
        name: `j${index}`,
        index,
        ready: null,
        submit: null,
        executeStart: null,
        executeEnd: null,
        preScriptStart: null,
        preScriptEnd: null,
        postScriptStart: null,
        postScriptEnd: null,
        wmsDelay: null,
        preScriptDelay: null,
        queueDelay: null,
        runtime: null,
        postScriptDelay: null,
        ...v,
      }) as Parameters<typeof deriveComposites>[0][number];
    const jobs = [
      mk(0, { submit: 10, executeStart: 12, executeEnd: 20, postScriptEnd: 25 }),
      mk(1, { submit: 30, executeStart: 31, executeEnd: 40, preScriptStart: 28, preScriptEnd: 29 }),
      mk(2, { submit: 50, executeStart: 50, executeEnd: 60 }),
      mk(3, { submit: 70, executeStart: 70, executeEnd: 71 }),
    ];
    const n = derivedCount({ derived: deriveComposites(jobs, template.edges) });
    assert.equal(jobs[0]?.ready, null); // no parents
    assert.equal(jobs[0]?.queueDelay, 2);
    assert.equal(jobs[0]?.runtime, 8);
    assert.equal(jobs[1]?.ready, 25); // parent 0's post_script_end
    assert.equal(jobs[1]?.wmsDelay, 5);
    assert.equal(jobs[1]?.preScriptDelay, 1);
    assert.equal(jobs[2]?.ready, 40); // parent 1 has no post_script_end: its execute_end counts
    assert.equal(jobs[3]?.ready, 60);
    // job 0: queue, runtime; job 1: ready, wms, pre, queue, runtime; jobs 2 and 3: ready, wms, queue, runtime.
    assert.equal(n, 2 + 5 + 4 + 4);
  });
});

describe('kickstart cpu_time sentinel', () => {
  it('-1.0 (no kickstart record) is stored as null and counted', () => {
    const run = parseOk(toCsv(setCell(goodRows(), COMPUTE, 'kickstart_executables_cpu_time', '-1.0')));
    assert.equal(job(run, COMPUTE).cpuTime, null);
    assert.equal(run.sentinelValues, 1);
    assert.equal(job(run, STAGE_OUT).cpuTime, 1.7);
  });

  it('counts every -1 in the run', () => {
    let rows = setCell(goodRows(), COMPUTE, 'kickstart_executables_cpu_time', '-1');
    rows = setCell(rows, STAGE_OUT, 'kickstart_executables_cpu_time', '-1.0');
    const run = parseOk(toCsv(rows));
    assert.equal(run.sentinelValues, 2);
  });

  it('an empty cpu_time is missing but not a sentinel', () => {
    const run = parseOk(toCsv(setCell(goodRows(), COMPUTE, 'kickstart_executables_cpu_time', '')));
    assert.equal(job(run, COMPUTE).cpuTime, null);
    assert.equal(run.sentinelValues, 0);
  });

  it('0 is a real value', () => {
    const run = parseOk(toCsv(setCell(goodRows(), COMPUTE, 'kickstart_executables_cpu_time', '0.0')));
    assert.equal(job(run, COMPUTE).cpuTime, 0);
    assert.equal(run.sentinelValues, 0);
  });

  it('-2 is rejected', () => {
    const r = parseRejected(toCsv(setCell(goodRows(), COMPUTE, 'kickstart_executables_cpu_time', '-2')), 'BAD_VALUE');
    assert.equal(r.job, COMPUTE);
    assert.equal(r.field, 'kickstart_executables_cpu_time');
    assert.equal(r.value, '-2');
    assert.match(r.reason, /work_ID0000001.*kickstart_executables_cpu_time="-2" must not be negative/);
  });

  it('-1 in another duration column is not a sentinel: it is rejected', () => {
    const r = parseRejected(toCsv(setCell(goodRows(), COMPUTE, 'queue_delay', '-1.0')), 'BAD_VALUE');
    assert.equal(r.field, 'queue_delay');
  });
});
