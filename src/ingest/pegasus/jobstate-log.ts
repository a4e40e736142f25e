/**
 * Reads a submit directory that has no monitoring database: `jobstate.log` (the job events
 * pegasus-monitord writes, one per line) + the `.dag` file (the DAG) + each job's `.sub` file
 * (its Pegasus job class). Gives the same run shape, with the same derivations (run-builder.ts),
 * as the database. Cpu time, host, user and executables come from each job's kickstart record
 * (`<job>.out.<retry>`, kickstart.ts) when it is there.
 *
 * jobstate.log lines:
 *   <epoch> <job> <STATE> <condor id | exit code> <site> <−> <job submit seq>
 *   <epoch> INTERNAL *** DAGMAN_STARTED <condor id> ***        a DAGMan (re)start
 *   <epoch> INTERNAL *** DAGMAN_FINISHED <status> ***          DAGMan's end (0 = success)
 * The job submit sequence identifies the instance (a retry is a new one). For JOB_SUCCESS /
 * JOB_FAILURE the 4th field is the job's exit code (regular, not raw).
 */
import fs from 'node:fs';
import path from 'node:path';
import { COLUMNS } from '../columns';
import type { SourceRun } from '../run-shape';
import type { Braindump } from './braindump';
import { parseDagFile } from './dag-file';
import { rawToRegular, type JobEvent } from './job-timeline';
import { readKickstart } from './kickstart';
import { reject, type PegasusRejection } from './rejection';
import { buildRun, type ReadJob } from './run-builder';
import { TYPE_BY_JOB_CLASS, typeFromName, type JobType } from './stampede-schema';
import { runNumberOf } from './submit-names';

/** Trace columns no submit directory file gives (transfers, kickstart_status). */
const NEVER = COLUMNS.filter((c) => c.column.startsWith('stage_') || c.column === 'kickstart_status').map((c) => c.column);
/** Trace columns only the kickstart records give. */
const FROM_KICKSTART = ['kickstart_user', 'kickstart_hostname', 'kickstart_transformations', 'kickstart_executables', 'kickstart_executables_argv', 'kickstart_executables_cpu_time'];

export interface JobstateLogInput {
  /** The submit directory. */
  dir: string;
  /** How reports name it. */
  source: string;
  dagFile: string;
  braindump: Braindump;
  parent: { runId: string; jobName: string } | null;
}

interface LogInstance {
  events: JobEvent[];
  exitCode: number | null;
  site: string | null;
}

export function readJobstateLog(input: JobstateLogInput): SourceRun | PegasusRejection {
  const { dir, source, braindump: bd } = input;
  const label = bd.daxLabel ?? path.basename(input.dagFile).replace(/(-\d+)?\.dag$/, '');
  const ctx = { file: source, workflow: label };
  const logFile = path.join(dir, 'jobstate.log');
  const relLog = path.join(source, 'jobstate.log');
  const relDag = path.join(source, path.basename(input.dagFile));

  let dagText: string;
  let logText: string;
  try {
    dagText = fs.readFileSync(input.dagFile, 'utf8');
    logText = fs.readFileSync(logFile, 'utf8');
  } catch (err) {
    return reject(ctx, 'BAD_SUBMIT_FILE', `cannot read: ${(err as Error).message}`);
  }
  const dag = parseDagFile(dagText);
  if ('reason' in dag) return reject({ ...ctx, file: relDag }, 'BAD_SUBMIT_FILE', `line ${dag.line}: ${dag.reason}`);

  const starts: number[] = [];
  let terminal: { ts: number; status: number } | null = null;
  const byJob = new Map<string, Map<number, LogInstance>>();
  const lines = logText.split('\n');
  // A log still being written may end in half a line: that line is left for the next ingest.
  let partial: string | null = null;
  if (!logText.endsWith('\n') && lines.length > 0) partial = lines.pop() as string;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const f = line.split(/\s+/);
    const ts = Number(f[0]);
    if (f.length < 3 || !Number.isFinite(ts) || ts <= 0) {
      return reject({ ...ctx, file: relLog }, 'BAD_SUBMIT_FILE', `line ${i + 1} is not "<epoch seconds> <job> <state> …": "${line.slice(0, 120)}"`, { field: 'line', value: String(i + 1) });
    }
    if (f[1] === 'INTERNAL') {
      if (f[3] === 'DAGMAN_STARTED') {
        starts.push(ts);
        terminal = null;
      } else if (f[3] === 'DAGMAN_FINISHED') terminal = { ts, status: Number(f[4] ?? 1) || 0 };
      continue;
    }
    const job = f[1] as string;
    const seq = Number(f[f.length - 1]);
    const inst = Number.isInteger(seq) && f.length >= 7 ? seq : 0;
    const insts = byJob.get(job) ?? new Map<number, LogInstance>();
    byJob.set(job, insts);
    const rec = insts.get(inst) ?? { events: [], exitCode: null, site: null };
    insts.set(inst, rec);
    rec.events.push({ state: f[2] as string, ts, seq: i });
    if ((f[2] === 'JOB_SUCCESS' || f[2] === 'JOB_FAILURE') && f[3] !== undefined && /^-?\d+$/.test(f[3])) rec.exitCode = Number(f[3]);
    if (f[4] !== undefined && f[4] !== '-') rec.site = f[4];
  }

  const defined = new Set(dag.nodes.map((n) => n.name));
  const stray = [...byJob.keys()].find((j) => !defined.has(j));
  if (stray !== undefined) {
    return reject({ ...ctx, file: relLog }, 'BAD_SUBMIT_FILE', `jobstate.log has events of job "${stray}", which ${path.basename(input.dagFile)} does not define`, { job: stray });
  }

  let withRecord = 0;
  const unreadable: string[] = [];
  const jobs: ReadJob[] = dag.nodes.map((n) => {
    const insts = byJob.get(n.name);
    const seqs = insts ? [...insts.keys()].sort((a, b) => a - b) : [];
    const last = insts && seqs.length ? insts.get(seqs[seqs.length - 1] as number) : undefined;
    const cls = n.submitFile ? jobClass(path.join(dir, n.submitFile)) : null;
    // The last try's record: DAGMan numbers the .out files by retry (000 = first try).
    const ksFile = n.submitFile && seqs.length ? path.join(dir, path.dirname(n.submitFile), `${n.name}.out.${String(seqs.length - 1).padStart(3, '0')}`) : null;
    const read = ksFile ? readKickstart(ksFile) : null;
    const ks = read !== null && !('defect' in read) ? read : null;
    if (read !== null && 'defect' in read) unreadable.push(`${path.relative(dir, ksFile as string)} (${read.defect})`);
    if (ks) withRecord++;
    const logExit = last?.exitCode ?? null;
    const known: JobType | undefined = n.subdag ? 'subwf' : cls?.jobClass !== undefined ? TYPE_BY_JOB_CLASS[cls.jobClass] : undefined;
    return {
      name: n.name,
      type: known ?? typeFromName(n.name),
      typeHow: known ? null : 'no Pegasus job class in the job\'s .sub file: typed from the job name',
      isClustered: cls?.clusterSize === undefined ? null : cls.clusterSize > 1 ? 1 : 0,
      instances: seqs.length,
      events: last?.events ?? [],
      localDuration: null,
      exitRaw: null,
      exitCode: logExit ?? (ks?.exitRaw != null ? rawToRegular(ks.exitRaw) : null),
      site: last?.site ?? null,
      hostname: ks?.hostname ?? null,
      user: ks?.user ?? null,
      cpuTime: ks?.cpuTime ?? null,
      kickstartDuration: ks?.duration ?? null,
      transformations: ks?.transformations ?? null,
      executables: ks?.executables ?? null,
      argv: ks?.argv ?? null,
    };
  });

  const run = buildRun({
    kind: 'jobstate-log',
    source,
    uuid: bd.wfUuid ?? `${label}-${starts[0] ?? 'unstarted'}`,
    label,
    runNumber: runNumberOf(path.basename(dir)) ?? runNumberOf(path.basename(bd.submitDir ?? '')),
    starts,
    terminal,
    jobs,
    edges: dag.edges,
    parent: input.parent,
    missingColumns: withRecord > 0 ? NEVER : [...NEVER, ...FROM_KICKSTART],
  });
  if (!('code' in run) && partial !== null && partial.trim() !== '' && terminal === null) {
    run.notes = [...(run.notes ?? []), `jobstate.log ends in an incomplete line (still being written), not read: "${partial.slice(0, 80)}"`];
  } else if (partial !== null && partial.trim() !== '' && !('code' in run)) {
    return reject({ ...ctx, file: relLog }, 'BAD_SUBMIT_FILE', `the last line has no line end, in a finished run: "${partial.slice(0, 120)}"`, { field: 'line', value: String(lines.length + 1) });
  }
  if (!('code' in run) && unreadable.length) {
    run.notes = [...(run.notes ?? []), `${unreadable.length} kickstart record(s) could not be read, their values are absent: ${unreadable.slice(0, 3).join('; ')}${unreadable.length > 3 ? ' …' : ''}`];
  }
  return run;
}

/** `+pegasus_job_class` and `+pegasus_cluster_size` of a .sub file; null when it cannot be read. */
function jobClass(subFile: string): { jobClass?: number; clusterSize?: number } | null {
  let text: string;
  try {
    text = fs.readFileSync(subFile, 'utf8');
  } catch {
    return null;
  }
  const out: { jobClass?: number; clusterSize?: number } = {};
  const c = /^\+pegasus_job_class\s*=\s*"?(\d+)"?/m.exec(text);
  if (c) out.jobClass = Number(c[1]);
  const s = /^\+pegasus_cluster_size\s*=\s*"?(\d+)"?/m.exec(text);
  if (s) out.clusterSize = Number(s[1]);
  return out;
}
