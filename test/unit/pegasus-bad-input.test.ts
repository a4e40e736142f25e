/**
 * Bad Pegasus input, each made from a temp copy of the real submit directories: every case is a
 * named rejection (code, file, reason) and the good runs next to it are still read.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { readSubmitDirs, type PegasusRejection, type SubmitDirRead } from '../../src/ingest/pegasus';
import { loadSqlJs } from '../../src/ingest/pegasus/sqlite-file';
import { alterDb, copySubmitDirs, dbOf, skipNoSubmitDirs } from '../helpers/pegasus-fixtures';

const skip = skipNoSubmitDirs;
let tmp = '';
afterEach(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = '';
});

/** A copy of the successful and the held run; `damage` spoils the successful one. */
async function readDamaged(damage: (root: string) => void | Promise<void>): Promise<{ read: SubmitDirRead; only: PegasusRejection }> {
  tmp = copySubmitDirs('process_wf_success', 'sample_wf_held');
  await damage(tmp);
  const read = await readSubmitDirs(tmp);
  assert.equal(read.rejected.length, 1, JSON.stringify(read.rejected));
  // Nothing else lost: the held run next to it is read whole.
  assert.deepEqual(read.runs.map((r) => r.workflow), ['Drug-Combination-Therapy']);
  assert.equal(read.runs[0]?.jobs.length, 8);
  return { read, only: read.rejected[0] as PegasusRejection };
}

const dbFile = path.join('process_wf_success', 'process-0.stampede.db');

describe('Pegasus submit directories: bad input', { skip }, () => {
  it('a file that is not SQLite at all', async () => {
    const { only } = await readDamaged((root) => fs.writeFileSync(dbOf(root, 'process_wf_success'), 'this is a text file, not a database\n'.repeat(50)));
    assert.equal(only.code, 'CORRUPT_DB');
    assert.equal(only.file, dbFile);
    assert.match(only.reason, /not an SQLite 3 database/);
  });

  it('a truncated database (a copy cut short)', async () => {
    const { only } = await readDamaged((root) => {
      const f = dbOf(root, 'process_wf_success');
      fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2) + 100);
    });
    assert.equal(only.code, 'CORRUPT_DB');
    assert.match(only.reason, /truncated/);
  });

  it('a database with damaged pages', async () => {
    const { only } = await readDamaged((root) => {
      const f = dbOf(root, 'process_wf_success');
      const b = fs.readFileSync(f);
      const page = b.readUInt16BE(16);
      // Overwrite every page after the schema page with garbage, keeping the file's size.
      for (let i = page; i < b.length; i++) b[i] = (i * 37) & 0xff;
      fs.writeFileSync(f, b);
    });
    assert.equal(only.code, 'CORRUPT_DB');
    assert.equal(only.file, dbFile);
  });

  it('a Pegasus database of a schema version this reader does not know', async () => {
    const { only } = await readDamaged((root) => alterDb(dbOf(root, 'process_wf_success'), "INSERT INTO dbversion (version_number, version, version_timestamp) VALUES (99, '99', 1)"));
    assert.equal(only.code, 'UNKNOWN_SCHEMA_VERSION');
    assert.equal(only.value, '99');
    assert.match(only.reason, /schema version "99"/);
  });

  it("another program's SQLite database named like a monitoring database", async () => {
    const { only } = await readDamaged(async (root) => {
      const f = dbOf(root, 'process_wf_success');
      fs.rmSync(f);
      fs.writeFileSync(f, '');
      // An empty SQLite file with one unrelated table (written by the test's own SQLite).
      const SQL = await loadSqlJs();
      const db = new SQL.Database();
      db.run('CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT); INSERT INTO photos (path) VALUES (\'a.jpg\')');
      fs.writeFileSync(f, db.export());
      db.close();
    });
    assert.equal(only.code, 'NOT_STAMPEDE_DB');
    assert.match(only.reason, /photos/);
  });

  it('a submit directory with neither a database nor jobstate.log', async () => {
    const { only } = await readDamaged((root) => {
      fs.rmSync(dbOf(root, 'process_wf_success'));
      fs.rmSync(path.join(root, 'process_wf_success', 'jobstate.log'));
    });
    assert.equal(only.code, 'NO_RUN_RECORD');
    assert.equal(only.file, 'process_wf_success');
  });

  it('a .dag with a cycle', async () => {
    const { only } = await readDamaged((root) => {
      fs.rmSync(dbOf(root, 'process_wf_success'));
      fs.appendFileSync(path.join(root, 'process_wf_success', 'process-0.dag'), 'PARENT cleanup_process_0_local CHILD create_dir_process_0_local\n');
    });
    assert.equal(only.code, 'BAD_DAG');
    assert.equal(only.workflow, 'process');
    assert.match(only.reason, /cycle: cleanup_process_0_local → create_dir_process_0_local → ls_ID0000001 → stage_out_local_local_0_0 → cleanup_process_0_local$/);
  });

  it('a .dag naming a parent it does not define', async () => {
    const { only } = await readDamaged((root) => {
      fs.rmSync(dbOf(root, 'process_wf_success'));
      fs.appendFileSync(path.join(root, 'process_wf_success', 'process-0.dag'), 'PARENT no_such_job CHILD ls_ID0000001\n');
    });
    assert.equal(only.code, 'BAD_DAG');
    assert.equal(only.job, 'no_such_job');
  });

  it('a cycle in the database\'s job_edge table', async () => {
    const { only } = await readDamaged((root) =>
      alterDb(dbOf(root, 'process_wf_success'), "INSERT INTO job_edge (wf_id, parent_exec_job_id, child_exec_job_id) VALUES (1, 'register_local_0_0', 'ls_ID0000001')"),
    );
    assert.equal(only.code, 'BAD_DAG');
    assert.equal(only.file, dbFile);
  });

  it('a jobstate.log line that is not an event', async () => {
    const { only } = await readDamaged((root) => {
      fs.rmSync(dbOf(root, 'process_wf_success'));
      fs.appendFileSync(path.join(root, 'process_wf_success', 'jobstate.log'), 'garbage here\n');
    });
    assert.equal(only.code, 'BAD_SUBMIT_FILE');
    assert.equal(only.file, path.join('process_wf_success', 'jobstate.log'));
    assert.match(only.reason, /^line 40 .*garbage here/);
  });

  it('a jobstate.log still being written: its half-written last line is left for the next ingest', async () => {
    tmp = copySubmitDirs('process_wf_success');
    fs.rmSync(dbOf(tmp, 'process_wf_success'));
    const log = path.join(tmp, 'process_wf_success', 'jobstate.log');
    const lines = fs.readFileSync(log, 'utf8').split('\n');
    // Cut before DAGMan's end, in the middle of a line.
    fs.writeFileSync(log, `${lines.slice(0, 30).join('\n')}\n${(lines[30] as string).slice(0, 15)}`);
    const read = await readSubmitDirs(tmp);
    assert.deepEqual(read.rejected, []);
    const run = read.runs[0];
    assert.equal(run?.state, 'running');
    assert.match(run?.notes?.join(' ') ?? '', /incomplete line \(still being written\)/);
  });

  it('a damaged database next to its SQLite journal: the reason says a writer may be at work', async () => {
    const { only } = await readDamaged((root) => {
      const f = dbOf(root, 'process_wf_success');
      fs.truncateSync(f, 4096 + 100);
      fs.writeFileSync(`${f}-journal`, 'x'.repeat(512));
    });
    assert.equal(only.code, 'CORRUPT_DB');
    assert.match(only.reason, /process-0\.stampede\.db-journal is present: .* ingest again once it is done/);
  });

  it('a run still in progress is read as such, and read again as finished once its end is recorded', async () => {
    tmp = copySubmitDirs('process_wf_success');
    const f = dbOf(tmp, 'process_wf_success');
    const finished = (await readSubmitDirs(tmp)).runs[0];
    await alterDb(f, "DELETE FROM workflowstate WHERE state = 'WORKFLOW_TERMINATED'");
    const running = (await readSubmitDirs(tmp)).runs[0];
    assert.ok(finished && running);
    assert.equal(running.state, 'running');
    assert.equal(running.endedAt, null);
    assert.equal(running.id, finished.id, 'same run id: a later ingest completes the stored run');
    assert.notEqual(running.contentHash, finished.contentHash);
    await alterDb(f, "INSERT INTO workflowstate (wf_id, state, timestamp, restart_count, status) VALUES (1, 'WORKFLOW_TERMINATED', 1677911100, 0, 0)");
    const again = (await readSubmitDirs(tmp)).runs[0];
    assert.equal(again?.state, 'succeeded');
    assert.equal(again?.contentHash, finished.contentHash);
  });

  it('a path that does not exist is an error naming it', async () => {
    await assert.rejects(readSubmitDirs('/nonexistent/wfad-submit'), /\/nonexistent\/wfad-submit does not exist/);
  });
});
