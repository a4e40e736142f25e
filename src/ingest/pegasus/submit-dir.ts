/**
 * Finds Pegasus submit directories under a path (the path itself, or any depth below it) and
 * says which record each is read from:
 *   - `*.stampede.db` in the folder: the monitoring database (all workflows in it, sub-workflows
 *     included: pegasus-monitord writes a hierarchy into the root's database);
 *   - else `jobstate.log` + a `.dag` file: the fallback reader;
 *   - else, for a folder marked as a submit dir (braindump.yml/txt, or a lone jobstate.log):
 *     nothing to read, unless a database found elsewhere holds its workflow (a sub-workflow's
 *     folder), which is then not read twice.
 * Symbolic links to folders are not followed (no loops, no double counting).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseBraindump, type Braindump } from './braindump';

export interface SubmitDir {
  dir: string;
  databases: string[];
  jobstateLog: boolean;
  /** The DAGMan file to read with jobstate.log (braindump's `dag`, else the only `*.dag`). */
  dagFile: string | null;
  /** `*.dag` candidates when there is no single one. */
  dagFiles: string[];
  braindump: Braindump | null;
}

export function isSubmitDirMarker(names: ReadonlySet<string>): boolean {
  return [...names].some((n) => n.endsWith('.stampede.db')) || names.has('jobstate.log') || names.has('braindump.yml') || names.has('braindump.txt');
}

/** What makes a folder a Pegasus submit directory wfad can read (for messages about paths that are not one). */
export const SUBMIT_DIR_NEEDS = 'a *.stampede.db (pegasus-monitord\'s database), or jobstate.log with the workflow\'s .dag file (the one braindump.yml/braindump.txt names when there are several)';

/**
 * When `file` is one of a submit directory's own files (its jobstate.log, braindump, .dag, …): that
 * folder, to be ingested instead. Null otherwise.
 */
export function submitDirOfFile(file: string): string | null {
  const dir = path.dirname(path.resolve(file));
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return null;
  }
  return isSubmitDirMarker(new Set(names)) ? dir : null;
}

/** Every submit directory at or below `target`, parents before their sub-folders. */
export function findSubmitDirs(target: string): SubmitDir[] {
  const out: SubmitDir[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const files = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
    if (isSubmitDirMarker(files)) out.push(describe(dir, files));
    for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  walk(target);
  return out;
}

function describe(dir: string, files: ReadonlySet<string>): SubmitDir {
  const names = [...files];
  const bdName = files.has('braindump.yml') ? 'braindump.yml' : files.has('braindump.txt') ? 'braindump.txt' : null;
  let braindump: Braindump | null = null;
  if (bdName) {
    try {
      braindump = parseBraindump(fs.readFileSync(path.join(dir, bdName), 'utf8'));
    } catch {
      braindump = null;
    }
  }
  const dagFiles = names.filter((n) => n.endsWith('.dag'));
  const named = braindump?.dag && files.has(braindump.dag) ? braindump.dag : null;
  const dag = named ?? (dagFiles.length === 1 ? (dagFiles[0] as string) : null);
  return {
    dir,
    databases: names.filter((n) => n.endsWith('.stampede.db')).map((n) => path.join(dir, n)),
    jobstateLog: files.has('jobstate.log'),
    dagFile: dag === null ? null : path.join(dir, dag),
    dagFiles,
    braindump,
  };
}
