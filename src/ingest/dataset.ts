/**
 * Finds what to ingest under a user-given path: the dataset root is the nearest folder (the path
 * itself or an ancestor) holding `adjacency_list_dags/`; run files are the .csv files under the
 * path, each in a label folder. So `wfad ingest <root>`, `<root>/data` and `<root>/data/hdd_60`
 * all work.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WfadError } from '../errors';

export interface DatasetFiles {
  root: string;
  templatesDir: string;
  /** Absolute paths of run files, sorted. */
  files: string[];
  /** Absolute paths of the other files under the path (not .csv), sorted. */
  ignored: string[];
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

export function discover(target: string): DatasetFiles {
  const abs = path.resolve(target);
  if (!fs.existsSync(abs)) throw new WfadError('BAD_INPUT', `${target}: no such file or folder`);
  const root = findDatasetRoot(abs);
  if (root === null) {
    throw new WfadError('BAD_INPUT', `${target}: no adjacency_list_dags/ folder here or above it; expected the layout <root>/adjacency_list_dags/*.json + <root>/data/<label>/*.csv`);
  }
  const files: string[] = [];
  const ignored: string[] = [];
  const walk = (p: string, depth: number): void => {
    const st = fs.statSync(p);
    if (st.isFile()) {
      (p.toLowerCase().endsWith('.csv') ? files : ignored).push(p);
      return;
    }
    if (!st.isDirectory() || depth > 4) return;
    if (path.basename(p) === 'adjacency_list_dags') return;
    for (const e of fs.readdirSync(p)) if (!e.startsWith('.')) walk(path.join(p, e), depth + 1);
  };
  walk(abs, 0);
  files.sort();
  ignored.sort();
  return { root, templatesDir: path.join(root, 'adjacency_list_dags'), files, ignored };
}
