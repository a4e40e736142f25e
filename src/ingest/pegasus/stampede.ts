/**
 * Reads a Pegasus monitoring database (`*.stampede.db`): every workflow in it (the root and its
 * sub-workflows) becomes one run. Meanings of the tables: stampede-schema.ts. Read-only: the
 * database is opened through sqlite-file.ts, which never writes the file.
 */
import path from 'node:path';
import type { SourceRun } from '../run-shape';
import { rawToRegular, type JobEvent } from './job-timeline';
import { reject, type PegasusRejection } from './rejection';
import { buildRun, runIdOf, type ReadJob, type ReadWorkflow } from './run-builder';
import { openSqlite, type Row, type SqliteFile } from './sqlite-file';
import { KNOWN_DB_VERSIONS, REQUIRED_COLUMNS, TYPE_BY_DESC, typeFromName } from './stampede-schema';
import { runNumberOf, subwfJobFor } from './submit-names';

/** Trace columns a stampede database has no value for. */
export const STAMPEDE_MISSING = ['stage_in_delay', 'stage_in_bytes', 'stage_out_delay', 'stage_out_bytes', 'kickstart_status'];

export interface StampedeResult {
  /** One entry per workflow in the database: its run, or why it was not read. */
  runs: Array<SourceRun | PegasusRejection>;
  /** wf_uuid of every workflow the database holds (a sub-workflow's own folder is covered by it). */
  uuids: string[];
}

const num = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};
/** A value that is there but is no number (e.g. the text "abc" in a timestamp column). */
const unreadable = (v: unknown): boolean => v !== null && v !== undefined && v !== '' && !Number.isFinite(Number(v));

/** A cell of the database that cannot be read as what its column holds. */
interface BadCell {
  table: string;
  column: string;
  row: string;
  value: string;
}
function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Sums of NUMERIC(10,3) durations, without binary float noise (0.399 + … = 0.39899999999999997). */
const micro = (x: number): number => Math.round(x * 1e6) / 1e6;
const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

/**
 * @param file the database
 * @param source how reports name it (relative to what the user named)
 */
export async function readStampedeDb(file: string, source: string): Promise<StampedeResult | PegasusRejection> {
  const ctx = { file: source };
  const db = await openSqlite(file);
  if ('defect' in db) return reject(ctx, 'CORRUPT_DB', db.defect);
  try {
    const bad = checkSchema(db, ctx);
    if (bad) return bad;
    return readWorkflows(db, file, source);
  } catch (err) {
    // A page damaged beyond what quick_check saw surfaces only when a query reaches it.
    return reject(ctx, 'CORRUPT_DB', `SQLite cannot read it: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}

function checkSchema(db: SqliteFile, ctx: { file: string }): PegasusRejection | null {
  const tables = new Set(db.tables());
  const stampede = ['workflow', 'job', 'job_instance', 'jobstate'];
  if (!stampede.every((t) => tables.has(t))) {
    const have = [...tables].sort().slice(0, 12).join(', ') || 'none';
    return reject(ctx, 'NOT_STAMPEDE_DB', `not a Pegasus monitoring database: it lacks the tables ${stampede.filter((t) => !tables.has(t)).join(', ')} (its tables: ${have})`);
  }
  if (!tables.has('dbversion')) {
    return reject(ctx, 'UNKNOWN_SCHEMA_VERSION', 'no dbversion table: the schema version cannot be told (Pegasus before 4.5?)', { field: 'dbversion' });
  }
  const v = db.rows('SELECT version FROM dbversion ORDER BY id DESC LIMIT 1')[0]?.version;
  const version = num(v);
  if (version === null || Math.floor(version) < KNOWN_DB_VERSIONS.min || Math.floor(version) > KNOWN_DB_VERSIONS.max) {
    return reject(ctx, 'UNKNOWN_SCHEMA_VERSION', `schema version ${v === undefined ? '(none recorded)' : JSON.stringify(v)} is not one this reader knows (${KNOWN_DB_VERSIONS.min}…${KNOWN_DB_VERSIONS.max}: Pegasus 4.7 to 5.x)`, {
      field: 'dbversion.version',
      value: String(v ?? ''),
    });
  }
  const missing: string[] = [];
  for (const [table, cols] of Object.entries(REQUIRED_COLUMNS)) {
    const have = tables.has(table) ? new Set(db.columns(table)) : new Set<string>();
    for (const c of cols) if (!have.has(c)) missing.push(`${table}.${c}`);
  }
  if (missing.length) return reject(ctx, 'NOT_STAMPEDE_DB', `schema version ${v} but columns are missing: ${missing.join(', ')}`, { field: missing[0] as string });
  return null;
}

interface Instance {
  id: number;
  jobId: number;
  seq: number;
  site: string | null;
  user: string | null;
  localDuration: number | null;
  subwfId: number | null;
  exitRaw: number | null;
  hostId: number | null;
}

interface Invocations {
  cpu: number | null;
  duration: number | null;
  exitMax: number | null;
  transformations: string[];
  executables: string[];
  argv: string[];
}

function readWorkflows(db: SqliteFile, file: string, source: string): StampedeResult {
  const wfs = db.rows('SELECT wf_id, wf_uuid, dax_label, submit_dir, parent_wf_id FROM workflow ORDER BY wf_id');
  const wfById = new Map(wfs.map((w) => [num(w.wf_id) as number, w]));
  const labelOf = (w: Row): string => str(w.dax_label) ?? str(w.wf_uuid) ?? `workflow-${w.wf_id}`;

  const states = new Map<number, Row[]>();
  // An event time that is no number is bad input, as a jobstate.log line that is no event is: the
  // workflow it belongs to is rejected (BAD_VALUE) naming the table, column, row and value.
  const badWf = new Map<number, BadCell>();
  for (const r of db.rows("SELECT rowid AS row_id, wf_id, state, timestamp, status FROM workflowstate ORDER BY timestamp, CASE state WHEN 'WORKFLOW_STARTED' THEN 0 ELSE 1 END")) {
    const wfId = num(r.wf_id) as number;
    if (unreadable(r.timestamp) && !badWf.has(wfId)) badWf.set(wfId, { table: 'workflowstate', column: 'timestamp', row: `rowid ${String(r.row_id)}, state ${String(r.state)}`, value: String(r.timestamp) });
    push(states, wfId, r);
  }
  const hosts = new Map(db.rows('SELECT host_id, hostname FROM host').map((h) => [num(h.host_id), str(h.hostname)]));

  const instancesByJob = new Map<number, Instance[]>();
  for (const r of db.rows('SELECT job_instance_id, job_id, job_submit_seq, site, user, local_duration, subwf_id, exitcode, host_id FROM job_instance ORDER BY job_id, job_submit_seq')) {
    const inst: Instance = {
      id: num(r.job_instance_id) as number,
      jobId: num(r.job_id) as number,
      seq: num(r.job_submit_seq) ?? 0,
      site: str(r.site),
      user: str(r.user),
      localDuration: num(r.local_duration),
      subwfId: num(r.subwf_id),
      exitRaw: num(r.exitcode),
      hostId: num(r.host_id),
    };
    push(instancesByJob, inst.jobId, inst);
  }
  const lastInstance = new Map<number, Instance>();
  for (const [jobId, list] of instancesByJob) lastInstance.set(jobId, list[list.length - 1] as Instance);
  const lastIds = new Set([...lastInstance.values()].map((i) => i.id));

  const events = new Map<number, JobEvent[]>();
  const badInstance = new Map<number, BadCell>();
  for (const r of db.rows('SELECT rowid AS row_id, job_instance_id, state, timestamp, jobstate_submit_seq FROM jobstate')) {
    const id = num(r.job_instance_id) as number;
    if (!lastIds.has(id)) continue;
    if (unreadable(r.timestamp) && !badInstance.has(id)) badInstance.set(id, { table: 'jobstate', column: 'timestamp', row: `rowid ${String(r.row_id)}, job_instance_id ${id}, state ${String(r.state)}`, value: String(r.timestamp) });
    const ts = num(r.timestamp);
    if (ts === null) continue;
    push(events, id, { state: String(r.state), ts, seq: num(r.jobstate_submit_seq) ?? 0 });
  }

  // Kickstart records: tasks are task_submit_seq ≥ 1 (monitord numbers them from 1, so the
  // ≥ 0 of pegasus-statistics selects the same rows); −1 is the PRE script, −2 the POST script.
  const invs = new Map<number, Invocations>();
  for (const r of db.rows('SELECT job_instance_id, task_submit_seq, remote_duration, remote_cpu_time, exitcode, transformation, executable, argv FROM invocation WHERE task_submit_seq >= -1 ORDER BY job_instance_id, task_submit_seq')) {
    const id = num(r.job_instance_id) as number;
    if (!lastIds.has(id)) continue;
    const a = invs.get(id) ?? { cpu: null, duration: null, exitMax: null, transformations: [], executables: [], argv: [] };
    invs.set(id, a);
    const seq = num(r.task_submit_seq) ?? 0;
    const exit = num(r.exitcode);
    // pegasus-statistics "Exit": max(invocation.exitcode) over task_submit_seq ≥ −1 (PM-704).
    if (exit !== null) a.exitMax = a.exitMax === null ? exit : Math.max(a.exitMax, exit);
    if (seq < 0) continue;
    // SQL SUM semantics (pegasus-statistics "remote_cpu_time"): nulls skipped, all null → null.
    const cpu = num(r.remote_cpu_time);
    if (cpu !== null) a.cpu = micro((a.cpu ?? 0) + cpu);
    const dur = num(r.remote_duration);
    if (dur !== null) a.duration = micro((a.duration ?? 0) + dur);
    a.transformations.push(str(r.transformation) ?? '');
    a.executables.push(str(r.executable) ?? '');
    a.argv.push((str(r.argv) ?? '').trim());
  }

  const jobsByWf = new Map<number, Row[]>();
  for (const r of db.rows('SELECT job_id, wf_id, exec_job_id, type_desc, clustered FROM job ORDER BY job_id')) {
    push(jobsByWf, num(r.wf_id) as number, r);
  }
  const edgesByWf = new Map<number, Array<[string, string]>>();
  for (const r of db.rows('SELECT wf_id, parent_exec_job_id, child_exec_job_id FROM job_edge')) {
    push(edgesByWf, num(r.wf_id) as number, [String(r.parent_exec_job_id), String(r.child_exec_job_id)]);
  }
  // Which job ran each sub-workflow (job_instance.subwf_id), by the sub-workflow's wf_id.
  const subwfJob = new Map<number, { wfId: number; name: string }>();
  for (const [wfId, jobs] of jobsByWf) {
    for (const j of jobs) {
      for (const inst of instancesByJob.get(num(j.job_id) as number) ?? []) {
        if (inst.subwfId !== null) subwfJob.set(inst.subwfId, { wfId, name: String(j.exec_job_id) });
      }
    }
  }

  const rootRecorded = str(wfs.find((w) => w.parent_wf_id === null)?.submit_dir) ?? null;
  const runs: Array<SourceRun | PegasusRejection> = [];
  for (const w of wfs) {
    const wfId = num(w.wf_id) as number;
    const label = labelOf(w);
    const uuid = String(w.wf_uuid);
    const ctx = { file: source, workflow: label };

    let parent: ReadWorkflow['parent'] = null;
    const parentId = num(w.parent_wf_id);
    if (parentId !== null) {
      const pw = wfById.get(parentId);
      const link = subwfJob.get(wfId);
      const jobName =
        link?.name ??
        subwfJobFor(
          path.basename(str(w.submit_dir) ?? ''),
          (jobsByWf.get(parentId) ?? []).filter((j) => TYPE_BY_DESC[String(j.type_desc)] === 'subwf' || typeFromName(String(j.exec_job_id)) === 'subwf').map((j) => String(j.exec_job_id)),
        );
      if (!pw || jobName === null) {
        runs.push(reject(ctx, 'UNLINKED_SUBWORKFLOW', `sub-workflow ${uuid} (parent wf_id ${parentId}): no job of the parent ran it (no job_instance.subwf_id, no sub-workflow job named after ${str(w.submit_dir) ?? 'its folder'})`));
        continue;
      }
      parent = { runId: runIdOf(labelOf(pw), String(pw.wf_uuid)), jobName };
    }

    const badJobs = (jobsByWf.get(wfId) ?? []).flatMap((j) => {
      const last = lastInstance.get(num(j.job_id) as number);
      const bad = last ? badInstance.get(last.id) : undefined;
      return bad ? [{ job: String(j.exec_job_id), ...bad }] : [];
    });
    const wfBad = badWf.get(wfId);
    const bad = wfBad ? { job: undefined, ...wfBad } : badJobs[0];
    if (bad) {
      const others = badJobs.length - (wfBad ? 0 : 1);
      const what = `${bad.table}.${bad.column} = ${JSON.stringify(bad.value)} (${bad.row}${bad.job === undefined ? '' : `, job ${bad.job}`}) is not a time`;
      runs.push(reject(ctx, 'BAD_VALUE', `${what}${others > 0 ? `; ${others} more job(s) with unreadable event times` : ''}: the run's timings cannot be told, the run is not stored (a jobstate.log line that is no event is refused the same way)`, { job: bad.job, field: `${bad.table}.${bad.column}`, value: bad.value }));
      continue;
    }

    const st = states.get(wfId) ?? [];
    const starts = st.filter((s) => s.state === 'WORKFLOW_STARTED').map((s) => num(s.timestamp)).filter((t): t is number => t !== null);
    const lastState = st[st.length - 1];
    const terminal = lastState?.state === 'WORKFLOW_TERMINATED' ? { ts: num(lastState.timestamp) ?? 0, status: num(lastState.status) ?? 1 } : null;

    const jobs: ReadJob[] = (jobsByWf.get(wfId) ?? []).map((j) => {
      const jobId = num(j.job_id) as number;
      const name = String(j.exec_job_id);
      const desc = String(j.type_desc);
      const known = TYPE_BY_DESC[desc];
      const last = lastInstance.get(jobId);
      const inv = last ? invs.get(last.id) : undefined;
      const exitRaw = inv?.exitMax ?? last?.exitRaw ?? null;
      const join = (xs: string[] | undefined): string | null => (xs && xs.length ? xs.join(';') : null);
      return {
        name,
        type: known ?? typeFromName(name),
        typeHow: known ? null : `type_desc "${desc}" is not a known Pegasus job type: typed from the job name`,
        isClustered: num(j.clustered),
        instances: instancesByJob.get(jobId)?.length ?? 0,
        events: last ? (events.get(last.id) ?? []) : [],
        localDuration: last?.localDuration ?? null,
        exitRaw: last?.exitRaw ?? null,
        exitCode: exitRaw === null ? null : rawToRegular(exitRaw),
        site: last?.site ?? null,
        hostname: last?.hostId != null ? (hosts.get(last.hostId) ?? null) : null,
        user: last?.user ?? null,
        cpuTime: inv?.cpu ?? null,
        kickstartDuration: inv?.duration ?? null,
        transformations: join(inv?.transformations),
        executables: join(inv?.executables),
        argv: join(inv?.argv),
      };
    });

    runs.push(
      buildRun({
        kind: 'stampede-db',
        source,
        uuid,
        label,
        runNumber: runNumberOf(localDirName(file, rootRecorded, str(w.submit_dir))) ?? runNumberOf(path.basename(str(w.submit_dir) ?? '')),
        starts,
        terminal,
        jobs,
        edges: edgesByWf.get(wfId) ?? [],
        parent,
        missingColumns: STAMPEDE_MISSING,
      }),
    );
  }
  return { runs, uuids: wfs.map((w) => String(w.wf_uuid)) };
}

/** The local folder name of a workflow's submit dir: the database's own folder for the root. */
function localDirName(dbFile: string, rootRecorded: string | null, recorded: string | null): string {
  const dbDir = path.dirname(dbFile);
  if (recorded === null || rootRecorded === null || recorded === rootRecorded) return path.basename(dbDir);
  return path.basename(path.join(dbDir, path.relative(rootRecorded, recorded)));
}
