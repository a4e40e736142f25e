/**
 * The real Pegasus submit directories (../shared/datasets/pegasus-submit-dirs, read in place,
 * never modified) and writable temp copies of them for the bad-input cases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config';
import { loadSqlJs } from '../../src/ingest/pegasus/sqlite-file';

export const SUBMIT_DIRS = path.resolve(process.env.WFAD_PEGASUS_SUBMIT_DIRS ?? path.join(PROJECT_ROOT, '..', 'shared', 'datasets', 'pegasus-submit-dirs'));
export const haveSubmitDirs = fs.existsSync(path.join(SUBMIT_DIRS, 'process_wf_success'));
export const skipNoSubmitDirs = haveSubmitDirs ? false : `Pegasus submit directories not found at ${SUBMIT_DIRS} (set WFAD_PEGASUS_SUBMIT_DIRS)`;

/** A writable copy of some of the submit directories (all when none named) in a fresh temp folder. */
export function copySubmitDirs(...names: string[]): string {
  const dst = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-pegasus-'));
  for (const n of names.length ? names : fs.readdirSync(SUBMIT_DIRS).filter((e) => fs.statSync(path.join(SUBMIT_DIRS, e)).isDirectory())) {
    fs.cpSync(path.join(SUBMIT_DIRS, n), path.join(dst, n), { recursive: true });
  }
  makeWritable(dst);
  return dst;
}

function makeWritable(p: string): void {
  const st = fs.statSync(p);
  fs.chmodSync(p, st.mode | 0o200);
  if (st.isDirectory()) for (const e of fs.readdirSync(p)) makeWritable(path.join(p, e));
}

/** Runs SQL on a copy's database file and writes it back (SQLite in WebAssembly, as the reader). */
export async function alterDb(file: string, sql: string): Promise<void> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  db.run(sql);
  fs.writeFileSync(file, db.export());
  db.close();
}

/** Rows of a query on a database file, as objects (the tests' own SQL, independent of the reader). */
export async function query(file: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  try {
    const st = db.prepare(sql);
    const out: Array<Record<string, unknown>> = [];
    while (st.step()) out.push(st.getAsObject());
    st.free();
    return out;
  } finally {
    db.close();
  }
}

export const dbOf = (root: string, dir: string): string => {
  const f = fs.readdirSync(path.join(root, dir)).find((n) => n.endsWith('.stampede.db'));
  if (!f) throw new Error(`no stampede database in ${dir}`);
  return path.join(root, dir, f);
};
