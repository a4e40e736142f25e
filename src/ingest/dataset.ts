/**
 * Finds what to ingest under a user-given path: the dataset root is the nearest folder (the path
 * itself or an ancestor) holding `adjacency_list_dags/`; run files are the .csv files under the
 * path, each in a label folder. So `wfad ingest <root>`, `<root>/data` and `<root>/data/hdd_60`
 * all work. With templates named explicitly (`--template`), no `adjacency_list_dags/` is needed:
 * the root is then the path itself. Nothing under the path is passed over without being listed:
 * other files are `ignored`, hidden entries and folders past the depth limit are `skipped`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WfadError } from '../errors';

/** Folders deeper than this under the path are listed, not walked (a symlink loop cannot run away). */
export const MAX_DEPTH = 16;

export interface DatasetFiles {
  root: string;
  /** null when the layout has no adjacency_list_dags/ (templates named explicitly). */
  templatesDir: string | null;
  /** Absolute paths of run files, sorted. */
  files: string[];
  /** Absolute paths of the other files under the path (not .csv), sorted. */
  ignored: string[];
  /** Entries not walked, with why (hidden, too deep, not a file or folder), sorted by path. */
  skipped: Array<{ path: string; reason: string }>;
}

export function findDatasetRoot(start: string): string | null {
  let dir = path.resolve(start);
  if (fs.existsSync(dir) && fs.statSync(dir).isFile()) dir = path.dirname(dir);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'adjacency_list_dags'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export function discover(target: string, opts: { templatesNamed?: boolean } = {}): DatasetFiles {
  const abs = path.resolve(target);
  if (!fs.existsSync(abs)) throw new WfadError('BAD_INPUT', `${target}: no such file or folder`);
  let root = findDatasetRoot(abs);
  if (root === null && !opts.templatesNamed) {
    throw new WfadError('BAD_INPUT', `${target}: no adjacency_list_dags/ folder here or above it; expected the layout <root>/adjacency_list_dags/*.json + <root>/data/<label>/*.csv, or name templates with --template <workflow>=<file.json>`);
  }
  const templatesDir = root === null ? null : path.join(root, 'adjacency_list_dags');
  root ??= fs.statSync(abs).isFile() ? path.dirname(abs) : abs;
  const files: string[] = [];
  const ignored: string[] = [];
  const skipped: Array<{ path: string; reason: string }> = [];
  const walk = (p: string, depth: number): void => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (err) {
      skipped.push({ path: p, reason: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      return;
    }
    if (st.isFile()) {
      (p.toLowerCase().endsWith('.csv') ? files : ignored).push(p);
      return;
    }
    if (!st.isDirectory()) {
      skipped.push({ path: p, reason: 'not a file or folder' });
      return;
    }
    if (path.basename(p) === 'adjacency_list_dags') return;
    if (depth >= MAX_DEPTH) {
      skipped.push({ path: p, reason: `folder deeper than ${MAX_DEPTH} levels under the path: not read` });
      return;
    }
    let entries: string[];
    try {
      entries = fs.readdirSync(p);
    } catch (err) {
      skipped.push({ path: p, reason: `cannot list: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      return;
    }
    for (const e of entries) {
      if (e.startsWith('.')) skipped.push({ path: path.join(p, e), reason: 'hidden (name starts with a dot): not read' });
      else walk(path.join(p, e), depth + 1);
    }
  };
  walk(abs, 0);
  files.sort();
  ignored.sort();
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, templatesDir, files, ignored, skipped };
}
