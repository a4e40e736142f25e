/**
 * A value in a stampede database that is no number where a time belongs (jobstate.timestamp =
 * 'abc' on one job's EXECUTE row) is not dropped silently: the run is rejected as BAD_VALUE naming
 * the file, table.column, row, job and value, in the human and the --json summary, as a jobstate.log
 * line that is no event is; the good run next to it is stored.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Graph } from '../../src/graph/driver';
import type { IngestSummary } from '../../src/ingest/pipeline';
import { readSubmitDirs } from '../../src/ingest/pegasus';
import { alterDb, copySubmitDirs, dbOf, query, skipNoSubmitDirs } from '../helpers/pegasus-fixtures';
import { cli, count, testGraph, wipe } from '../helpers/neo4j';

describe('a bad value in a stampede database', { skip: skipNoSubmitDirs }, () => {
  let graph: Graph;
  let tmp = '';
  let job = '';
  let rowid = 0;
  before(async () => {
    graph = testGraph();
    await wipe(graph);
    tmp = copySubmitDirs('process_wf_success', 'sample_wf_held');
    const f = dbOf(tmp, 'process_wf_success');
    const [row] = await query(f, "SELECT s.rowid AS rid, j.exec_job_id AS job FROM jobstate s JOIN job_instance i ON i.job_instance_id = s.job_instance_id JOIN job j ON j.job_id = i.job_id WHERE s.state = 'EXECUTE' ORDER BY j.exec_job_id LIMIT 1");
    job = String(row?.job);
    rowid = Number(row?.rid);
    await alterDb(f, `UPDATE jobstate SET timestamp = 'abc' WHERE rowid = ${rowid}`);
  });
  after(async () => {
    await graph?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the reader rejects that run as BAD_VALUE, naming table, column, row, job and value', async () => {
    const read = await readSubmitDirs(tmp);
    assert.deepEqual(read.runs.map((r) => r.workflow), ['Drug-Combination-Therapy']);
    assert.equal(read.rejected.length, 1);
    const r = read.rejected[0];
    assert.equal(r?.code, 'BAD_VALUE');
    assert.equal(r?.file, path.join('process_wf_success', 'process-0.stampede.db'));
    assert.equal(r?.workflow, 'process');
    assert.equal(r?.job, job);
    assert.equal(r?.field, 'jobstate.timestamp');
    assert.equal(r?.value, 'abc');
    assert.match(r?.reason ?? '', new RegExp(`^jobstate\\.timestamp = "abc" \\(rowid ${rowid}, job_instance_id \\d+, state EXECUTE, job ${job}\\) is not a time`));
  });

  it('wfad ingest lists it (human and --json), stores the other run, exits 0', async () => {
    const human = await cli(['ingest', tmp, '--no-score']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`process_wf_success/process-0\\.stampede\\.db: \\[BAD_VALUE\\] jobstate\\.timestamp = "abc" \\(rowid ${rowid}, .*job ${job}\\)`));
    const json = await cli(['ingest', tmp, '--no-score', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const s = JSON.parse(json.stdout) as IngestSummary;
    assert.equal(s.runsUnchanged, 1);
    assert.deepEqual(s.rejected.map((x) => [x.code, x.file, x.job, x.field, x.value]), [['BAD_VALUE', 'process_wf_success/process-0.stampede.db', job, 'jobstate.timestamp', 'abc']]);
    assert.equal(await count(graph, "MATCH (r:Run) WHERE r.workflow = 'process' RETURN count(r)"), 0, 'the run with the unreadable time is not stored with that time missing');
    assert.equal(await count(graph, "MATCH (r:Run) WHERE r.workflow = 'Drug-Combination-Therapy' RETURN count(r)"), 1);
  });
});
