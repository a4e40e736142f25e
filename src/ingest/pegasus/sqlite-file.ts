/**
 * Opens an SQLite file for reading without any way to change it: its bytes are read once and
 * handed to SQLite compiled to WebAssembly (sql.js), which works on that in-memory copy. No
 * native build, nothing downloaded at install, and the file on disk is never opened for writing
 * (a live pegasus-monitord may be writing it; its mtime and bytes stay as they were).
 *
 * Checks before any query, each failure a reason naming the file's defect:
 *   - the 16-byte header "SQLite format 3\0";
 *   - the size: a whole number of pages, and at least the page count the header records
 *     (a copy cut short, e.g. by a full disk);
 *   - `PRAGMA quick_check` (damaged b-trees, pages pointing outside the file).
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import initSqlJs, { type Database, type SqlJsStatic, type SqlValue } from 'sql.js';

let sqlJs: Promise<SqlJsStatic> | null = null;
export function loadSqlJs(): Promise<SqlJsStatic> {
  // V8 optimises WebAssembly in background threads; a process ending while one still runs hung
  // at exit now and then on this Node 20 (about 1 run in 12 under load). The baseline compiler
  // alone is fast enough for reading a monitoring database, and ends cleanly.
  if (sqlJs === null) v8.setFlagsFromString('--no-wasm-tier-up');
  sqlJs ??= initSqlJs({ locateFile: (f: string) => path.join(path.dirname(require.resolve('sql.js')), f) });
  return sqlJs;
}

export type Row = Record<string, SqlValue>;

export interface SqliteFile {
  /** Rows of a query as objects keyed by column name. */
  rows(sql: string): Row[];
  tables(): string[];
  columns(table: string): string[];
  close(): void;
}

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** The open database, or why the file is not a usable SQLite database. */
export async function openSqlite(file: string): Promise<SqliteFile | { defect: string }> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    return { defect: `cannot read: ${(err as Error).message}` };
  }
  const res = await check(bytes);
  if ('defect' in res) return { defect: `${res.defect}${beingWritten(file)}` };
  return res;
}

/** A hint when SQLite's journal of the file is there: a writer may have been mid-transaction. */
function beingWritten(file: string): string {
  for (const ext of ['-journal', '-wal']) {
    try {
      if (fs.statSync(file + ext).size > 0) return ` (${path.basename(file + ext)} is present: a program, e.g. pegasus-monitord, may be writing the database; ingest again once it is done)`;
    } catch {
      // no journal
    }
  }
  return '';
}

/** Header, size and integrity checks, then the database opened on the bytes. */
async function check(bytes: Buffer): Promise<SqliteFile | { defect: string }> {
  if (bytes.length < 100 || !bytes.subarray(0, 16).equals(HEADER)) {
    const head = JSON.stringify(bytes.subarray(0, 16).toString('latin1').replace(/[^\x20-\x7e]/g, '.'));
    return { defect: bytes.length === 0 ? 'empty file (0 bytes)' : `not an SQLite 3 database (${bytes.length} bytes, starts ${head})` };
  }
  const rawPage = bytes.readUInt16BE(16);
  const pageSize = rawPage === 1 ? 65536 : rawPage;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return { defect: `damaged header: page size ${rawPage}` };
  // The header's page count is valid only when its version-valid-for number equals the change counter.
  const pages = bytes.readUInt32BE(24) === bytes.readUInt32BE(92) ? bytes.readUInt32BE(28) : 0;
  if (bytes.length % pageSize !== 0 || pages * pageSize > bytes.length) {
    const want = pages > 0 ? `${pages} pages of ${pageSize} bytes = ${pages * pageSize} bytes` : `whole pages of ${pageSize} bytes`;
    return { defect: `truncated: the header says ${want}, the file has ${bytes.length} bytes` };
  }

  const SQL = await loadSqlJs();
  let db: Database;
  try {
    db = new SQL.Database(bytes);
    const check = db.exec('PRAGMA quick_check');
    const verdict = check[0]?.values.map((v) => String(v[0])) ?? [];
    if (verdict.length !== 1 || verdict[0] !== 'ok') {
      db.close();
      return { defect: `SQLite integrity check failed: ${verdict.slice(0, 3).join('; ')}` };
    }
  } catch (err) {
    return { defect: `SQLite cannot read it: ${(err as Error).message}` };
  }

  const rows = (sql: string): Row[] => {
    const out: Row[] = [];
    const st = db.prepare(sql);
    try {
      while (st.step()) out.push(st.getAsObject());
    } finally {
      st.free();
    }
    return out;
  };
  return {
    rows,
    tables: () => rows("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => String(r.name)),
    columns: (table: string) => rows(`PRAGMA table_info("${table.replace(/"/g, '""')}")`).map((r) => String(r.name)),
    close: () => db.close(),
  };
}
