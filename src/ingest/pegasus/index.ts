/**
 * Pegasus submit directories → runs. `readSubmitDirs(path)` finds every submit directory at or
 * below the path (submit-dir.ts), reads each from its monitoring database (stampede.ts) or, when
 * there is none, from jobstate.log + the .dag file (jobstate-log.ts), and returns one `SourceRun`
 * per (sub-)workflow, each saying its source (`kind`), plus a named rejection for everything not
 * read. Touches nothing but the files it reads (and never writes them); knows nothing of Neo4j.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WfadError } from '../../errors';
import type { SourceRun } from '../run-shape';
import type { RunSource } from '../source';
import { readJobstateLog } from './jobstate-log';
import { reject, type PegasusRejection } from './rejection';
import { readStampedeDb } from './stampede';
import { findSubmitDirs, type SubmitDir } from './submit-dir';
export { SUBMIT_DIR_NEEDS, submitDirOfFile } from './submit-dir';
import { subwfJobFor } from './submit-names';

export type { PegasusRejectCode, PegasusRejection } from './rejection';

export interface SubmitDirRead {
  root: string;
  /** Submit directories found. */
  submitDirs: number;
  runs: SourceRun[];
  rejected: PegasusRejection[];
  /** Submit directories not read on their own because a database elsewhere holds their workflow. */
  covered: Array<{ dir: string; by: string }>;
  /** Things worth telling that are not rejections (e.g. a sub-workflow read without its parent). */
  notes: string[];
}

/** True when `target` is, or holds, a Pegasus submit directory (or is a stampede database). */
export function looksLikeSubmitDirs(target: string): boolean {
  if (target.endsWith('.stampede.db')) return fs.existsSync(target);
  return findSubmitDirs(target).length > 0;
}

/** What reading found besides runs and rejections. */
export interface SubmitDirReport {
  covered: Array<{ dir: string; by: string }>;
  notes: string[];
}

/** Every submit directory at or below `target` (or the one database `target` names). */
function submitDirsAt(target: string): { root: string; base: string; dirs: SubmitDir[] } {
  const root = path.resolve(target);
  if (!fs.existsSync(root)) throw new WfadError('BAD_INPUT', `${target} does not exist`);
  const isDbFile = fs.statSync(root).isFile();
  const base = isDbFile ? path.dirname(root) : root;
  const dirs: SubmitDir[] = isDbFile ? [{ dir: base, databases: [root], jobstateLog: false, dagFile: null, dagFiles: [], braindump: null }] : findSubmitDirs(root);
  return { root, base, dirs };
}

/**
 * The runs of the submit directories, one directory at a time (a database's workflows together):
 * databases first, as they decide which sub-workflow folders need no reading of their own.
 */
async function* runsOf(base: string, dirs: SubmitDir[], report: SubmitDirReport, foundRuns: (n: number) => void = () => undefined): AsyncGenerator<SourceRun | PegasusRejection> {
  const rel = (p: string): string => path.relative(base, p) || path.basename(p);
  const coveredBy = new Map<string, string>();
  const runByDir = new Map<string, SourceRun>();

  for (const d of dirs.filter((x) => x.databases.length > 0)) {
    for (const db of d.databases) {
      const res = await readStampedeDb(db, rel(db));
      if ('code' in res) {
        yield res;
        continue;
      }
      for (const u of res.uuids) coveredBy.set(u, rel(db));
      foundRuns(res.runs.length - 1);
      for (const r of res.runs) {
        if (!('code' in r) && r.parent === null) runByDir.set(d.dir, r);
        yield r;
      }
    }
  }

  for (const d of dirs.filter((x) => x.databases.length === 0)) {
    const source = rel(d.dir);
    const uuid = d.braindump?.wfUuid ?? null;
    const by = uuid === null ? undefined : coveredBy.get(uuid);
    if (by !== undefined) {
      report.covered.push({ dir: source, by });
      foundRuns(-1);
      continue;
    }
    if (!d.jobstateLog) {
      const sub = d.braindump?.rootWfUuid && d.braindump.wfUuid && d.braindump.rootWfUuid !== d.braindump.wfUuid;
      const why = sub
        ? `a sub-workflow's submit directory without its own jobstate.log: its run is in the root workflow's database (root wf_uuid ${d.braindump?.rootWfUuid}); ingest the root's submit directory`
        : 'a Pegasus submit directory (braindump) with neither a *.stampede.db nor jobstate.log + a .dag file: nothing records how its run went';
      yield reject({ file: source, workflow: d.braindump?.daxLabel ?? undefined }, 'NO_RUN_RECORD', why);
      continue;
    }
    if (d.dagFile === null) {
      const why = d.dagFiles.length === 0 ? 'no .dag file' : `several .dag files (${d.dagFiles.join(', ')}) and no braindump naming one`;
      yield reject({ file: source }, 'NO_RUN_RECORD', `jobstate.log without its DAG: ${why}`);
      continue;
    }
    const bd = d.braindump ?? { wfUuid: null, rootWfUuid: null, daxLabel: null, dag: null, submitDir: null };
    let parent: { runId: string; jobName: string } | null = null;
    let note: string | null = null;
    if (bd.rootWfUuid !== null && bd.wfUuid !== null && bd.rootWfUuid !== bd.wfUuid) {
      const anc = nearestAncestor(d.dir, runByDir);
      if (anc === null) note = 'a sub-workflow read without its parent workflow (not under the path given): stored without its parent link';
      else {
        const jobName = subwfJobFor(path.basename(d.dir), anc.jobs.filter((j) => j.type === 'subwf').map((j) => j.name));
        if (jobName === null) {
          yield reject({ file: source, workflow: bd.daxLabel ?? undefined }, 'UNLINKED_SUBWORKFLOW', `sub-workflow ${bd.wfUuid}: no sub-workflow job of its parent run ${anc.id} is named after the folder ${path.basename(d.dir)}`);
          continue;
        }
        parent = { runId: anc.id, jobName };
      }
    }
    const r = readJobstateLog({ dir: d.dir, source, dagFile: d.dagFile, braindump: bd, parent });
    if (!('code' in r)) {
      runByDir.set(d.dir, r);
      if (note !== null) {
        r.notes = [...(r.notes ?? []), note];
        report.notes.push(`${source}: ${note}`);
      }
    }
    yield r;
  }
}

/** All runs and rejections at once (tests, small folders); the ingest streams `openPegasusSource`. */
export async function readSubmitDirs(target: string): Promise<SubmitDirRead> {
  const { root, base, dirs } = submitDirsAt(target);
  const out: SubmitDirRead = { root, submitDirs: dirs.length, runs: [], rejected: [], covered: [], notes: [] };
  for await (const r of runsOf(base, dirs, out)) {
    if ('code' in r) out.rejected.push(r);
    else out.runs.push(r);
  }
  return out;
}

const IN_PROGRESS_NOTE = 'stored in progress (no end recorded yet: DAGMan still running, or its monitor stopped); ingesting it again once it has ended replaces it';

/**
 * The submit directories at or below `target` as a source for the ingest pipeline. Runs stream
 * one submit directory at a time; a run still in progress carries a note saying so.
 */
export function openPegasusSource(target: string): RunSource {
  const { base, dirs } = submitDirsAt(target);
  const report: SubmitDirReport = { covered: [], notes: [] };
  const skipped: RunSource['skipped'] = [];
  const source: RunSource = {
    root: base,
    // One run (or rejection) per submit directory, until a database tells how many workflows it
    // holds and which folders it covers.
    total: dirs.reduce((n, d) => n + Math.max(1, d.databases.length), 0),
    ignoredFiles: [],
    skipped,
    templates: [],
    rejected: [],
    async *runs() {
      for await (const r of runsOf(base, dirs, report, (n) => void (source.total += n))) {
        if (!('code' in r) && r.state === 'running') r.notes = [...(r.notes ?? []), IN_PROGRESS_NOTE];
        yield r;
      }
      // Known only once read; the pipeline builds its summary after the last run.
      for (const c of report.covered) skipped.push({ path: c.dir, reason: `a sub-workflow's folder: its run is read from ${c.by}` });
    },
  };
  return source;
}

function nearestAncestor(dir: string, runByDir: ReadonlyMap<string, SourceRun>): SourceRun | null {
  for (let p = path.dirname(dir); p !== path.dirname(p); p = path.dirname(p)) {
    const r = runByDir.get(p);
    if (r) return r;
  }
  return null;
}
