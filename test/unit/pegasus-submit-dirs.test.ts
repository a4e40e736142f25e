/**
 * The real Pegasus submit directories: every run is read, figures agree with what
 * pegasus-statistics computes from the same rows (the test's own SQL) and with the
 * pegasus-statistics summary shipped with one of them, and the jobstate.log fallback gives the
 * same DAG and timings as the database. Read in place; the fallback works on a temp copy.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readSubmitDirs, type SubmitDirRead } from '../../src/ingest/pegasus';
import type { SourceJob, SourceRun } from '../../src/ingest/run-shape';
import { SUBMIT_DIRS, copySubmitDirs, dbOf, query, skipNoSubmitDirs } from '../helpers/pegasus-fixtures';

const skip = skipNoSubmitDirs;
let read: SubmitDirRead;
const runOf = (wf: string, pred: (r: SourceRun) => boolean = () => true): SourceRun => {
  const r = read.runs.find((x) => x.workflow === wf && pred(x));
  assert.ok(r, `no run of ${wf}`);
  return r;
};
const jobOf = (r: SourceRun, name: string): SourceJob => {
  const j = r.jobs.find((x) => x.name === name);
  assert.ok(j, `no job ${name} in ${r.id}`);
  return j;
};

describe('Pegasus submit directories: the real samples', { skip }, () => {
  before(async () => {
    read = await readSubmitDirs(SUBMIT_DIRS);
  });

  it('reads every run of the four directories (five: the hierarchical one holds two workflows), rejecting nothing', () => {
    assert.deepEqual(read.rejected, []);
    assert.equal(read.runs.length, 5);
    assert.deepEqual([...new Set(read.runs.map((r) => r.workflow))].sort(), ['Drug-Combination-Therapy', 'blackdiamond', 'hierarchical-workflow', 'process']);
    for (const r of read.runs) {
      assert.equal(r.kind, 'stampede-db');
      assert.equal(r.truth, null, 'submit directories are unlabelled');
      assert.equal(r.id, `${r.workflow}/${r.instance}`);
      assert.match(r.instance, /^[0-9a-f-]{36}$/);
      r.jobs.forEach((j, i) => assert.equal(j.index, i));
      for (const [p, c] of r.edges) assert.ok(p < r.jobs.length && c < r.jobs.length);
    }
    // The sub-workflow's own folder is not read twice: the root's database holds it.
    assert.deepEqual(read.covered.map((c) => c.dir), [path.join('hierarchical_wf_success', '00', '00', 'blackdiamond_diamond_subworkflow.000')]);
  });

  it('the DAG of each run is its job_edge table, and jobs are its job table', async () => {
    for (const r of read.runs) {
      const db = path.join(SUBMIT_DIRS, r.source);
      const wf = (await query(db, `SELECT wf_id FROM workflow WHERE wf_uuid = '${r.instance}'`))[0]?.wf_id;
      const jobs = (await query(db, `SELECT exec_job_id FROM job WHERE wf_id = ${wf}`)).map((x) => String(x.exec_job_id)).sort();
      const edges = (await query(db, `SELECT parent_exec_job_id p, child_exec_job_id c FROM job_edge WHERE wf_id = ${wf}`)).map((e) => `${e.p}>${e.c}`).sort();
      assert.deepEqual(r.jobs.map((j) => j.name).sort(), jobs, r.id);
      assert.deepEqual(r.edges.map(([p, c]) => `${r.jobs[p]?.name}>${r.jobs[c]?.name}`).sort(), edges, r.id);
    }
  });

  it('runtime, queue delay and cpu time of every job that ran equal pegasus-statistics figures from the same rows', async () => {
    let compared = 0;
    for (const r of read.runs) {
      const db = path.join(SUBMIT_DIRS, r.source);
      // pegasus-statistics jobs.txt, last instance of each job: Runtime = local_duration;
      // CondorQTime = first (GRID_SUBMIT|GLOBUS_SUBMIT|EXECUTE) − SUBMIT; cpu = Σ remote_cpu_time of kickstart tasks.
      const rows = await query(
        db,
        `SELECT j.exec_job_id name, ji.local_duration runtime,
           (SELECT MIN(timestamp) FROM jobstate s WHERE s.job_instance_id = ji.job_instance_id AND s.state IN ('GRID_SUBMIT','GLOBUS_SUBMIT','EXECUTE'))
             - (SELECT MIN(timestamp) FROM jobstate s WHERE s.job_instance_id = ji.job_instance_id AND s.state = 'SUBMIT') queue,
           (SELECT SUM(remote_cpu_time) FROM invocation i WHERE i.job_instance_id = ji.job_instance_id AND i.task_submit_seq >= 1) cpu,
           (SELECT COUNT(*) FROM job_instance x WHERE x.job_id = j.job_id) - 1 retries
         FROM job j JOIN workflow w ON w.wf_id = j.wf_id
         JOIN job_instance ji ON ji.job_id = j.job_id
         WHERE w.wf_uuid = '${r.instance}'
           AND ji.job_submit_seq = (SELECT MAX(job_submit_seq) FROM job_instance y WHERE y.job_id = j.job_id)`,
      );
      assert.ok(rows.length > 0, r.id);
      for (const row of rows) {
        const j = jobOf(r, String(row.name));
        const near = (a: unknown, b: unknown, what: string): void => {
          if (b === null) return assert.equal(a, null, `${r.id} ${j.name} ${what}`);
          assert.ok(typeof a === 'number' && Math.abs(a - Number(b)) < 1e-6, `${r.id} ${j.name} ${what}: ${a} vs ${b}`);
        };
        // No local_duration yet (the run's monitor stopped mid-job): derived the way monitord does, and said so.
        if (row.runtime === null) {
          assert.equal(j.runtime, (j.executeEnd as number) - (j.executeStart as number));
          assert.ok(r.derived.some((d) => d.prop === 'runtime'));
        } else near(j.runtime, row.runtime, 'runtime');
        near(j.queueDelay, row.queue, 'queue delay');
        near(j.cpuTime, row.cpu, 'cpu time');
        assert.equal(j.retries, row.retries);
        compared++;
      }
    }
    assert.ok(compared >= 35, `compared ${compared} jobs`);
    // Spot values, read off the rows by hand: the compute job of the successful process run.
    const ls = jobOf(runOf('process', (r) => r.state === 'succeeded'), 'ls_ID0000001');
    assert.deepEqual([ls.submit, ls.executeStart, ls.executeEnd, ls.queueDelay, ls.runtime, ls.cpuTime], [1677911044, 1677911059, 1677911060, 15, 1, 0.005]);
  });

  it('agrees with the pegasus-statistics summary of the held sample where the figures are comparable', () => {
    const summary = fs.readFileSync(path.join(SUBMIT_DIRS, 'sample_wf_held', 'statistics', 'summary.txt'), 'utf8');
    const jobsRow = /^Jobs\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(summary);
    assert.ok(jobsRow, 'summary has a Jobs row');
    const [succeeded, failed, incomplete, total, retries] = jobsRow.slice(1).map(Number) as [number, number, number, number, number];
    const secs = (label: string): number => {
      const m = new RegExp(`^${label}\\s*:\\s*(?:(\\d+) mins?, )?([\\d.]+) secs?`, 'm').exec(summary);
      assert.ok(m, label);
      return Number(m[1] ?? 0) * 60 + Number(m[2]);
    };
    const r = runOf('Drug-Combination-Therapy');
    const by = (s: string): number => r.jobs.filter((j) => j.state === s).length;
    assert.equal(r.jobs.length, total);
    assert.equal(by('succeeded'), succeeded);
    assert.equal(by('failed') + by('aborted'), failed);
    assert.equal(r.jobs.length - by('succeeded') - by('failed') - by('aborted'), incomplete);
    assert.equal(r.jobs.reduce((s, j) => s + (j.retries as number), 0), retries);
    // Workflow wall time: DAGMan start to end.
    assert.equal((r.endedAt as number) - (r.startedAt as number), secs('Workflow wall time'));
    // Cumulative job wall time (kickstart) and as seen from the submit side (local_duration); no retries here.
    const sum = (p: string): number => r.jobs.reduce((s, j) => s + ((j[p] as number | null) ?? 0), 0);
    assert.equal(Number(sum('kickstartDuration').toFixed(2)), secs('Cumulative job wall time'));
    assert.equal(sum('runtime'), secs('Cumulative job wall time as seen from submit side'));
  });

  it('final job states: succeeded, failed after a retry, held then aborted, never ran', () => {
    const held = runOf('Drug-Combination-Therapy');
    assert.equal(held.state, 'failed');
    const chebi = jobOf(held, 'chebi_drug_loader_ID0000001');
    assert.equal(chebi.state, 'aborted');
    assert.equal(chebi.cpuTime, null, 'no kickstart cpu time for a job removed while held: absent, not 0');
    assert.equal(jobOf(held, 'register_local_0_0').state, 'never_ran');
    assert.equal(jobOf(held, 'register_local_0_0').ready, null, 'its parent never ended: ready is absent');

    const failure = runOf('process', (r) => r.state === 'failed');
    const ls = jobOf(failure, 'ls_ID0000001');
    assert.deepEqual([ls.state, ls.retries, ls.exitCode], ['failed', 1, 2]);
    assert.equal(ls.submit, 1677913874, 'timings are the last instance\'s');
    assert.deepEqual(failure.jobs.filter((j) => j.state === 'never_ran').map((j) => j.name).sort(), ['cleanup_process_0_local', 'register_local_0_0', 'stage_out_local_local_0_0']);
    for (const j of runOf('process', (r) => r.state === 'succeeded').jobs) assert.equal(j.state, 'succeeded');
  });

  it('types, templates, absent values and derivations', () => {
    const h = runOf('hierarchical-workflow');
    assert.equal(jobOf(h, 'pegasus-plan_diamond_subworkflow').type, 'subwf');
    assert.equal(jobOf(h, 'stage_worker_local_hierarchical-workflow_0_local').type, 'transfer');
    assert.equal(jobOf(h, 'register_local_1_0').type, 'auxiliary');
    assert.equal(jobOf(h, 'curl_ID0000001').type, 'compute');
    assert.equal(jobOf(h, 'create_dir_hierarchical-workflow_0_local').template, 'create_dir_{workflow}_0_local');
    // The same auxiliary job of two workflows gets one template name.
    assert.equal(jobOf(runOf('blackdiamond'), 'create_dir_blackdiamond_0_local').template, 'create_dir_{workflow}_0_local');
    for (const r of read.runs) {
      for (const j of r.jobs) for (const p of ['stageInBytes', 'stageOutBytes', 'stageInDelay', 'stageOutDelay']) assert.equal(j[p], null);
      assert.ok(r.missingColumns.includes('stage_in_bytes'));
      assert.ok(r.derived.some((d) => d.prop === 'ready'));
    }
    // Root jobs are ready when DAGMan starts; others when their last parent's POST script ends.
    const ok = runOf('process', (r) => r.state === 'succeeded');
    assert.equal(jobOf(ok, 'create_dir_process_0_local').ready, ok.startedAt);
    assert.equal(jobOf(ok, 'ls_ID0000001').ready, jobOf(ok, 'create_dir_process_0_local').postScriptEnd);
    assert.equal(jobOf(ok, 'ls_ID0000001').wmsDelay, 1677911044 - (jobOf(ok, 'create_dir_process_0_local').postScriptEnd as number));
  });

  it('a sub-workflow is its own run, linked to its parent run and the job that ran it', () => {
    const parent = runOf('hierarchical-workflow');
    const sub = runOf('blackdiamond');
    assert.deepEqual(sub.parent, { runId: parent.id, jobName: 'pegasus-plan_diamond_subworkflow' });
    assert.equal(parent.parent, null);
    assert.equal(sub.state, 'succeeded');
  });

  it('a run whose database has no end yet is read as in progress: no end, unfinished jobs without a final state', () => {
    const h = runOf('hierarchical-workflow');
    assert.equal(h.state, 'running');
    assert.equal(h.endedAt, null);
    assert.equal(jobOf(h, 'cleanup_hierarchical-workflow_0_local').state, null);
    assert.equal(jobOf(h, 'stage_out_local_local_2_0').state, null, 'its POST script had not ended');
    assert.equal(jobOf(h, 'cleanup_hierarchical-workflow_0_local').ready, null);
  });

  it('reading twice gives identical runs (same ids, same content hashes)', async () => {
    const again = await readSubmitDirs(SUBMIT_DIRS);
    assert.deepEqual(again.runs.map((r) => [r.id, r.contentHash]), read.runs.map((r) => [r.id, r.contentHash]));
  });
});

describe('Pegasus submit directories: jobstate.log + .dag when there is no database', { skip }, () => {
  let tmp = '';
  after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

  it('gives the same DAG and timings as the database for every root workflow', async () => {
    const fromDb = await readSubmitDirs(SUBMIT_DIRS);
    tmp = copySubmitDirs();
    for (const d of fs.readdirSync(tmp)) fs.rmSync(dbOf(tmp, d));
    const fromLog = await readSubmitDirs(tmp);
    // The sub-workflow's folder has no jobstate.log of its own: named, not silently skipped.
    assert.deepEqual(fromLog.rejected.map((r) => [r.code, r.file]), [['NO_RUN_RECORD', path.join('hierarchical_wf_success', '00', '00', 'blackdiamond_diamond_subworkflow.000')]]);
    assert.equal(fromLog.runs.length, 4);
    let kickstartCompared = 0;
    const same = ['type', 'state', 'ready', 'submit', 'executeStart', 'executeEnd', 'preScriptStart', 'postScriptStart', 'postScriptEnd', 'queueDelay', 'runtime', 'postScriptDelay', 'wmsDelay', 'kickstartSite', 'isClustered', 'retries'];
    for (const log of fromLog.runs) {
      assert.equal(log.kind, 'jobstate-log');
      const db = fromDb.runs.find((r) => r.id === log.id);
      assert.ok(db, `${log.id} read from the database too`);
      assert.deepEqual(log.jobs.map((j) => j.name), db.jobs.map((j) => j.name));
      assert.deepEqual(log.edges, db.edges);
      assert.deepEqual([log.state, log.startedAt, log.endedAt, log.runNumber], [db.state, db.startedAt, db.endedAt, db.runNumber]);
      for (const j of log.jobs) {
        const k = db.jobs[j.index] as SourceJob;
        for (const p of same) assert.equal(j[p], k[p], `${log.id} ${j.name} ${p}`);
        // Kickstart figures from the jobs' .out records equal what monitord put in the database
        // (the in-progress run's database stopped before taking in its last records).
        if (log.state !== 'running' && j.cpuTime !== null) {
          for (const p of ['cpuTime', 'kickstartDuration', 'kickstartHostname', 'kickstartUser', 'exitCode', 'kickstartExecutables']) assert.equal(j[p], k[p], `${log.id} ${j.name} ${p}`);
          kickstartCompared++;
        }
      }
    }
    assert.ok(kickstartCompared >= 9, `compared ${kickstartCompared} kickstart records`);
    // The job removed while held left an empty record: said, not silently absent.
    const held = fromLog.runs.find((r) => r.workflow === 'Drug-Combination-Therapy');
    assert.match(held?.notes?.join(' ') ?? '', /1 kickstart record\(s\) could not be read.*chebi_drug_loader_ID0000001\.out\.000/);
  });

  it("a sub-workflow with its own jobstate.log is linked to its parent's job by its folder name", async () => {
    const dir = copySubmitDirs('hierarchical_wf_success');
    try {
      const db = dbOf(dir, 'hierarchical_wf_success');
      // The sub-workflow's own jobstate.log, as pegasus-monitord writes it, from the database's events.
      const rows = await query(
        db,
        `SELECT js.timestamp ts, j.exec_job_id name, js.state state, ji.job_submit_seq seq FROM jobstate js
         JOIN job_instance ji ON ji.job_instance_id = js.job_instance_id JOIN job j ON j.job_id = ji.job_id
         WHERE j.wf_id = 2 ORDER BY js.timestamp, js.jobstate_submit_seq`,
      );
      const ws = await query(db, "SELECT state, timestamp ts FROM workflowstate WHERE wf_id = 2 ORDER BY timestamp");
      const lines = [`${ws[0]?.ts} INTERNAL *** DAGMAN_STARTED 1.0 ***`, ...rows.map((r) => `${r.ts} ${r.name} ${r.state} 0 local - ${r.seq}`), `${ws[1]?.ts} INTERNAL *** DAGMAN_FINISHED 0 ***`];
      const sub = path.join(dir, 'hierarchical_wf_success', '00', '00', 'blackdiamond_diamond_subworkflow.000');
      fs.writeFileSync(path.join(sub, 'jobstate.log'), `${lines.join('\n')}\n`);
      fs.rmSync(db);
      const fromLog = await readSubmitDirs(dir);
      assert.deepEqual(fromLog.rejected, []);
      const parent = fromLog.runs.find((r) => r.workflow === 'hierarchical-workflow');
      const child = fromLog.runs.find((r) => r.workflow === 'blackdiamond');
      assert.ok(parent && child);
      assert.deepEqual(child.parent, { runId: parent.id, jobName: 'pegasus-plan_diamond_subworkflow' });
      const fromDb = read.runs.find((r) => r.workflow === 'blackdiamond') as SourceRun;
      assert.equal(child.id, fromDb.id);
      assert.deepEqual(child.edges, fromDb.edges);
      for (const j of child.jobs) for (const p of ['submit', 'executeStart', 'executeEnd', 'runtime', 'queueDelay', 'ready', 'state']) assert.equal(j[p], (fromDb.jobs[j.index] as SourceJob)[p], `${j.name} ${p}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the database file is never modified by reading it', async () => {
    const dir = copySubmitDirs('process_wf_success');
    try {
      const db = dbOf(dir, 'process_wf_success');
      const past = new Date('2023-03-04T00:00:00Z');
      fs.utimesSync(db, past, past);
      const before = crypto.createHash('sha256').update(fs.readFileSync(db)).digest('hex');
      const r = await readSubmitDirs(dir);
      assert.equal(r.runs.length, 1);
      assert.equal(crypto.createHash('sha256').update(fs.readFileSync(db)).digest('hex'), before);
      assert.equal(fs.statSync(db).mtimeMs, past.getTime());
      assert.deepEqual(fs.readdirSync(path.dirname(db)).filter((n) => /stampede\.db-(journal|wal|shm)$/.test(n)), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
