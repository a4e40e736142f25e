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
import { readJobstateLog } from './jobstate-log';
import { reject, type PegasusRejection } from './rejection';
import { readStampedeDb } from './stampede';
import { findSubmitDirs, type SubmitDir } from './submit-dir';
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

export async function readSubmitDirs(target: string, onProgress?: (done: number, total: number) => void): Promise<SubmitDirRead> {
  const root = path.resolve(target);
  if (!fs.existsSync(root)) throw new WfadError('BAD_INPUT', `${target} does not exist`);
  const isDbFile = fs.statSync(root).isFile();
  const base = isDbFile ? path.dirname(root) : root;
  const rel = (p: string): string => path.relative(base, p) || path.basename(p);
  const dirs: SubmitDir[] = isDbFile
    ? [{ dir: base, databases: [root], jobstateLog: false, dagFile: null, dagFiles: [], braindump: null }]
    : findSubmitDirs(root);

  const out: SubmitDirRead = { root, submitDirs: dirs.length, runs: [], rejected: [], covered: [], notes: [] };
  const coveredBy = new Map<string, string>();
  const runByDir = new Map<string, SourceRun>();
  let done = 0;
  const tick = (): void => onProgress?.(++done, dirs.length);

  // Databases first: they decide which sub-workflow folders need no reading of their own.
  for (const d of dirs.filter((x) => x.databases.length > 0)) {
    for (const db of d.databases) {
      const res = await readStampedeDb(db, rel(db));
      if ('code' in res) {
        out.rejected.push(res);
        continue;
      }
      for (const u of res.uuids) coveredBy.set(u, rel(db));
      for (const r of res.runs) {
        if ('code' in r) out.rejected.push(r);
        else {
          out.runs.push(r);
          if (r.parent === null) runByDir.set(d.dir, r);
        }
      }
    }
    tick();
  }

  for (const d of dirs.filter((x) => x.databases.length === 0)) {
    tick();
    const source = rel(d.dir);
    const uuid = d.braindump?.wfUuid ?? null;
    const by = uuid === null ? undefined : coveredBy.get(uuid);
    if (by !== undefined) {
      out.covered.push({ dir: source, by });
      continue;
    }
    if (!d.jobstateLog) {
      out.rejected.push(reject({ file: source }, 'NO_RUN_RECORD', 'a Pegasus submit directory (braindump) with neither a *.stampede.db nor jobstate.log + a .dag file: nothing records how its run went'));
      continue;
    }
    if (d.dagFile === null) {
      const why = d.dagFiles.length === 0 ? 'no .dag file' : `several .dag files (${d.dagFiles.join(', ')}) and no braindump naming one`;
      out.rejected.push(reject({ file: source }, 'NO_RUN_RECORD', `jobstate.log without its DAG: ${why}`));
      continue;
    }
    const bd = d.braindump ?? { wfUuid: null, rootWfUuid: null, daxLabel: null, dag: null, submitDir: null };
    let parent: { runId: string; jobName: string } | null = null;
    if (bd.rootWfUuid !== null && bd.wfUuid !== null && bd.rootWfUuid !== bd.wfUuid) {
      const anc = nearestAncestor(d.dir, runByDir);
      if (anc === null) out.notes.push(`${source}: a sub-workflow read without its parent workflow (not under the path given): stored unlinked`);
      else {
        const jobName = subwfJobFor(path.basename(d.dir), anc.jobs.filter((j) => j.type === 'subwf').map((j) => j.name));
        if (jobName === null) {
          out.rejected.push(reject({ file: source, workflow: bd.daxLabel ?? undefined }, 'UNLINKED_SUBWORKFLOW', `sub-workflow ${bd.wfUuid}: no sub-workflow job of its parent run ${anc.id} is named after the folder ${path.basename(d.dir)}`));
          continue;
        }
        parent = { runId: anc.id, jobName };
      }
    }
    const r = readJobstateLog({ dir: d.dir, source, dagFile: d.dagFile, braindump: bd, parent });
    if ('code' in r) out.rejected.push(r);
    else {
      out.runs.push(r);
      runByDir.set(d.dir, r);
    }
  }
  return out;
}

function nearestAncestor(dir: string, runByDir: ReadonlyMap<string, SourceRun>): SourceRun | null {
  for (let p = path.dirname(dir); p !== path.dirname(p); p = path.dirname(p)) {
    const r = runByDir.get(p);
    if (r) return r;
  }
  return null;
}
