/**
 * Ingest fuzzer: seeded mutations of real run files (CSV) and DAG templates (JSON), written as a
 * dataset tree in the flowgad layout, and the check of an ingest's outcome against what each
 * mutator declares. Independent of src/ apart from types and the parser used to pick clean bases.
 *
 * Every case is one or more files with an expected outcome: `stored` (a run file stored whole;
 * for a template: accepted), `rejected` (listed in `rejected`, optionally with one of `codes`) or
 * `either` (no claim beyond "stored xor rejected, with a reason").
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { IngestSummary } from '../../src/ingest/pipeline';
import { loadTemplates } from '../../src/ingest/template';
import { parseRunFile, type RejectCode } from '../../src/ingest/trace';
import { Mulberry32 } from '../../src/random/mulberry32';

export type Expect = 'stored' | 'rejected' | 'either';

/** Seeded choices over the project's PRNG (src/random): the same seed gives the same cases. */
export class Rng extends Mulberry32 {
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A clean real run file, split into cells. */
export interface Base {
  workflow: string;
  label: string;
  fileName: string;
  /** `<workflow>-<instance>` part of the file name. */
  stem: string;
  text: string;
  header: string[];
  rows: string[][];
  /** The template file name (in adjacency_list_dags/) and its text. */
  templateFile: string;
  templateText: string;
  /** The parser's content hash of the unmutated file: what a content-preserving variation must store. */
  contentHash: string;
}

export interface FuzzFile {
  /** Path relative to the dataset root, e.g. `data/normal/x-run0001.csv`. */
  rel: string;
  /** Bytes to write; a folder is created instead when null. */
  bytes: Buffer | null;
  expect: Expect;
  /** For `rejected`: the acceptable codes (any when absent). */
  codes?: RejectCode[];
  /** For content-preserving variations: the content hash the stored run must have (its base's). */
  contentHash?: string;
}

export interface FuzzCase {
  id: number;
  mutator: string;
  kind: 'run' | 'template';
  files: FuzzFile[];
}

// ---------------------------------------------------------------------------------------------
// CSV helpers

const cell = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
export const toCsv = (rows: string[][], eol = '\n'): string => rows.map((r) => r.map(cell).join(',')).join(eol) + eol;

const REQUIRED = ['type', 'submit', 'execute_start', 'execute_end'];
const TIMESTAMPS = ['ready', 'submit', 'execute_start', 'execute_end', 'post_script_start', 'post_script_end'];
const DURATIONS = ['wms_delay', 'queue_delay', 'runtime', 'post_script_delay', 'stage_in_delay', 'stage_out_delay'];
const BYTES = ['stage_in_bytes', 'stage_out_bytes'];
const CODES = ['kickstart_status', 'kickstart_executables_exitcode'];
const NUMERIC = [...TIMESTAMPS, ...DURATIONS, ...BYTES, ...CODES, 'kickstart_executables_cpu_time', 'is_clustered'];
const AUX_RE = /^(create_dir|cleanup)_(.+)_(\d+)_([A-Za-z0-9]+)$/;

interface Csv {
  header: string[];
  rows: string[][];
}

const clone = (b: Base): Csv => ({ header: [...b.header], rows: b.rows.map((r) => [...r]) });
const col = (c: Csv, name: string): number => c.header.indexOf(name);
/** Rows that have a non-empty value in column `name`. */
const rowsWith = (c: Csv, name: string): number[] => {
  const i = col(c, name);
  return i < 0 ? [] : c.rows.flatMap((r, k) => ((r[i] ?? '') !== '' ? [k] : []));
};

/** A random (row, column) holding a non-empty value of one of the given columns, or null. */
function pickCell(rng: Rng, c: Csv, names: readonly string[]): { r: number; i: number; name: string } | null {
  const options = names.flatMap((name) => rowsWith(c, name).map((r) => ({ r, i: col(c, name), name })));
  return options.length ? rng.pick(options) : null;
}

function setCell(c: Csv, at: { r: number; i: number }, v: string): Csv {
  (c.rows[at.r] as string[])[at.i] = v;
  return c;
}

// ---------------------------------------------------------------------------------------------
// Run-file mutators

interface RunOut {
  /** Label folder (default: the base's); may be a nested path such as `normal/sub`, or '' for data/. */
  label?: string;
  fileName?: string;
  text?: string;
  bytes?: Buffer;
}

interface Ctx {
  rng: Rng;
  base: Base;
  bases: readonly Base[];
  /** A run number no other case uses. */
  runNo: number;
}

export interface RunMutator {
  name: string;
  expect: Expect;
  codes?: RejectCode[];
  /** Relative weight in the round robin (default 1). */
  weight?: number;
  /** Only the bytes change, not the content: the stored run must hash like the unmutated file. */
  preservesContent?: boolean;
  /** null when the mutation does not apply to this base (another base is tried). */
  apply(ctx: Ctx): RunOut | null;
}

const csvOut = (c: Csv, eol = '\n'): RunOut => ({ text: toCsv([c.header, ...c.rows], eol) });
const BAD_NUMBERS = ['abc', '12abc', '0x1F', 'true', '1.2.3', '--1', '1e', '1,5', '½', '١٢٣', '1_000', '.', '+', 'e5', '0b101', 'null', 'None', 'N/A'];
const NAN_INF = ['NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', 'INF', '+Infinity'];

export const RUN_MUTATORS: RunMutator[] = [
  // --- valid variations: stored ---------------------------------------------------------------
  { name: 'control', expect: 'stored', preservesContent: true, weight: 6, apply: ({ base }) => ({ text: base.text }) },
  { name: 'crlf', expect: 'stored', preservesContent: true, apply: ({ base }) => ({ text: base.text.replace(/\r?\n/g, '\r\n') }) },
  { name: 'cr-only', expect: 'stored', preservesContent: true, apply: ({ base }) => ({ text: base.text.replace(/\r?\n/g, '\r') }) },
  { name: 'utf8-bom', expect: 'stored', preservesContent: true, apply: ({ base }) => ({ text: `\uFEFF${base.text}` }) },
  { name: 'trailing-blank-lines', expect: 'stored', preservesContent: true, apply: ({ base, rng }) => ({ text: base.text + '\n'.repeat(1 + rng.int(5)) }) },
  { name: 'no-final-newline', expect: 'stored', preservesContent: true, apply: ({ base }) => ({ text: base.text.replace(/\r?\n$/, '') }) },
  {
    name: 'rows-shuffled',
    expect: 'stored',
    preservesContent: true,
    apply: ({ base, rng }) => {
      const c = clone(base);
      for (let i = c.rows.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [c.rows[i], c.rows[j]] = [c.rows[j] as string[], c.rows[i] as string[]];
      }
      return csvOut(c);
    },
  },
  {
    name: 'columns-permuted',
    expect: 'stored',
    preservesContent: true,
    apply: ({ base, rng }) => {
      // Column 0 (the job name) stays first: it has no header.
      const order = base.header.map((_, i) => i).slice(1);
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      const perm = [0, ...order];
      return { text: toCsv([base.header, ...base.rows].map((r) => perm.map((i) => r[i] ?? ''))) };
    },
  },
  {
    name: 'extra-unknown-column',
    expect: 'stored',
    apply: ({ base, rng }) => {
      const c = clone(base);
      const at = 1 + rng.int(c.header.length);
      c.header.splice(at, 0, rng.pick(['comment', 'extra', 'pegasus_version', 'x y', '']).concat('_fz'));
      for (const r of c.rows) r.splice(at, 0, rng.pick(['1', 'abc', '', 'NaN']));
      return csvOut(c);
    },
  },
  {
    name: 'optional-column-dropped',
    expect: 'stored',
    apply: ({ base, rng }) => {
      const c = clone(base);
      const optional = c.header.filter((h, i) => i > 0 && !REQUIRED.includes(h));
      if (!optional.length) return null;
      const i = col(c, rng.pick(optional));
      c.header.splice(i, 1);
      for (const r of c.rows) r.splice(i, 1);
      return csvOut(c);
    },
  },
  { name: 'all-fields-quoted', expect: 'stored', preservesContent: true, apply: ({ base }) => ({ text: [base.header, ...base.rows].map((r) => r.map((v) => `"${v.replace(/"/g, '""')}"`).join(',')).join('\n') + '\n' }) },
  {
    name: 'quoted-comma-in-text',
    expect: 'stored',
    apply: ({ base, rng }) => {
      const c = clone(base);
      const i = col(c, 'kickstart_executables_argv');
      if (i < 0) return null;
      return csvOut(setCell(c, { r: rng.int(c.rows.length), i }, 'a,b,"c",d'));
    },
  },
  {
    name: 'quoted-newline-in-text',
    expect: 'stored',
    apply: ({ base, rng }) => {
      const c = clone(base);
      const i = col(c, 'kickstart_executables_argv');
      if (i < 0) return null;
      return csvOut(setCell(c, { r: rng.int(c.rows.length), i }, rng.pick(['line1\nline2', 'a\r\nb', 'x\ry'])));
    },
  },
  {
    name: 'whitespace-around-values',
    expect: 'stored',
    preservesContent: true,
    apply: ({ base, rng }) => {
      const c = clone(base);
      for (const r of c.rows) for (let i = 1; i < r.length; i++) if (rng.chance(0.3) && r[i] !== '') r[i] = ` ${r[i] ?? ''}\t`;
      return csvOut(c);
    },
  },
  {
    name: 'number-reformatted',
    expect: 'stored',
    preservesContent: true,
    apply: ({ base, rng }) => {
      const c = clone(base);
      const at = pickCell(rng, c, NUMERIC);
      if (!at) return null;
      const n = Number(c.rows[at.r]?.[at.i]);
      const forms = [n.toExponential(), `+${n}`, n.toFixed(3), `${n}`, `${n}.`.replace(/\.(\d*)\.$/, '.$1'), n === 0 ? '0e0' : `${n * 10}e-1`];
      const v = rng.pick(forms.filter((f) => Number(f) === n && /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(f)));
      return csvOut(setCell(c, at, v ?? String(n)));
    },
  },
  {
    name: 'duration-changed-valid',
    expect: 'stored',
    apply: ({ base, rng }) => {
      const c = clone(base);
      const at = pickCell(rng, c, [...DURATIONS, ...BYTES, 'kickstart_executables_cpu_time']);
      return at ? csvOut(setCell(c, at, String(Math.round(rng.next() * 1e5) / 100))) : null;
    },
  },
  { name: 'other-valid-label', expect: 'stored', apply: ({ base, rng }) => ({ label: rng.pick(['loss_7', 'cpu_16', 'hdd_33', 'loss_0.25', 'cpu_1']), text: base.text }) },
  {
    name: 'optional-cell-emptied',
    expect: 'stored',
    apply: ({ base, rng }) => {
      const c = clone(base);
      const optional = c.header.filter((h, i) => i > 0 && !REQUIRED.includes(h));
      const at = pickCell(rng, c, optional);
      return at ? csvOut(setCell(c, at, '')) : null;
    },
  },
  {
    name: 'cpu-time-sentinel',
    expect: 'stored',
    apply: ({ base, rng }) => {
      const c = clone(base);
      const i = col(c, 'kickstart_executables_cpu_time');
      return i < 0 ? null : csvOut(setCell(c, { r: rng.int(c.rows.length), i }, '-1.0'));
    },
  },
  {
    name: 'non-ascii-text',
    expect: 'stored',
    apply: ({ base, rng }) => {
      const c = clone(base);
      const i = col(c, 'kickstart_hostname');
      return i < 0 ? null : csvOut(setCell(c, { r: rng.int(c.rows.length), i }, rng.pick(['wörker-1', '節點-2', 'узел', '🚀-node', 'e\u0301'])));
    },
  },
  {
    name: 'huge-text-cell',
    expect: 'stored',
    apply: ({ base, rng }) => {
      const c = clone(base);
      const i = col(c, 'kickstart_executables_argv');
      return i < 0 ? null : csvOut(setCell(c, { r: rng.int(c.rows.length), i }, 'x'.repeat(100_000 + rng.int(100_000))));
    },
  },
  {
    name: 'header-cells-padded',
    expect: 'stored',
    preservesContent: true,
    apply: ({ base }) => {
      const c = clone(base);
      c.header = c.header.map((h, i) => (i === 0 ? h : ` ${h} `));
      return csvOut(c);
    },
  },

  // --- broken files: rejected -------------------------------------------------------------------
  { name: 'empty-file', expect: 'rejected', codes: ['EMPTY_FILE'], apply: () => ({ text: '' }) },
  { name: 'header-only', expect: 'rejected', codes: ['EMPTY_FILE'], apply: ({ base }) => ({ text: toCsv([base.header]) }) },
  { name: 'whitespace-only', expect: 'rejected', codes: ['EMPTY_FILE'], apply: ({ rng }) => ({ text: rng.pick(['\n\n\n', '   \r\n\t\n', ' ']) }) },
  {
    name: 'truncated-bytes',
    expect: 'rejected',
    codes: ['TRUNCATED_ROW', 'JOB_SET_MISMATCH', 'BAD_VALUE', 'DUPLICATE_JOB', 'BAD_CSV'],
    apply: ({ base, rng }) => {
      // Cut somewhere after the header and before the last row starts: rows are lost or cut short.
      const start = base.text.indexOf('\n') + 1;
      const lastRow = base.text.lastIndexOf('\n', base.text.length - 2) + 1;
      if (lastRow <= start + 1) return null;
      return { text: base.text.slice(0, start + 1 + rng.int(lastRow - start - 1)) };
    },
  },
  {
    name: 'row-cut-short',
    expect: 'rejected',
    codes: ['TRUNCATED_ROW'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const r = c.rows[rng.int(c.rows.length)] as string[];
      r.splice(r.length - 1 - rng.int(r.length - 2));
      return csvOut(c);
    },
  },
  {
    name: 'row-with-extra-cells',
    expect: 'rejected',
    codes: ['TRUNCATED_ROW'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      (c.rows[rng.int(c.rows.length)] as string[]).push(...Array.from({ length: 1 + rng.int(3) }, () => '7'));
      return csvOut(c);
    },
  },
  {
    name: 'wrong-type',
    expect: 'rejected',
    codes: ['BAD_VALUE'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const at = pickCell(rng, c, NUMERIC);
      return at ? csvOut(setCell(c, at, rng.pick(BAD_NUMBERS))) : null;
    },
  },
  {
    name: 'nan-infinity',
    expect: 'rejected',
    codes: ['BAD_VALUE'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const at = pickCell(rng, c, NUMERIC);
      return at ? csvOut(setCell(c, at, rng.pick(NAN_INF))) : null;
    },
  },
  {
    name: 'huge-number',
    expect: 'rejected',
    codes: ['BAD_VALUE'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const at = pickCell(rng, c, [...TIMESTAMPS, ...DURATIONS, ...CODES, 'kickstart_executables_cpu_time', ...BYTES]);
      if (!at) return null;
      const huge = ['1e400', '9'.repeat(400), '1e300', '1.7976931348623157e308', '1e20', '18446744073709551616'];
      return csvOut(setCell(c, at, rng.pick(huge)));
    },
  },
  {
    name: 'negative-duration',
    expect: 'rejected',
    codes: ['BAD_VALUE'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const at = pickCell(rng, c, [...DURATIONS, ...BYTES]);
      return at ? csvOut(setCell(c, at, `-${1 + rng.int(1000)}.5`)) : null;
    },
  },
  {
    name: 'negative-or-zero-timestamp',
    expect: 'rejected',
    codes: ['BAD_VALUE'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const at = pickCell(rng, c, TIMESTAMPS);
      return at ? csvOut(setCell(c, at, rng.pick(['0', '-1589777698.0', '-0.5']))) : null;
    },
  },
  {
    name: 'timestamps-in-milliseconds',
    expect: 'rejected',
    codes: ['BAD_VALUE'],
    apply: ({ base }) => {
      const c = clone(base);
      for (const name of TIMESTAMPS) {
        const i = col(c, name);
        if (i >= 0) for (const r of c.rows) if (r[i]) r[i] = String(Number(r[i]) * 1000);
      }
      return csvOut(c);
    },
  },
  {
    name: 'timestamps-out-of-order',
    expect: 'rejected',
    codes: ['BAD_VALUE'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const s = col(c, 'execute_start');
      const e = col(c, 'execute_end');
      const r = c.rows[rng.int(c.rows.length)] as string[];
      // execute_end a minute before execute_start.
      r[e] = String(Number(r[s]) - 60);
      return csvOut(c);
    },
  },
  {
    name: 'bad-job-type',
    expect: 'rejected',
    codes: ['BAD_VALUE'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      return csvOut(setCell(c, { r: rng.int(c.rows.length), i: col(c, 'type') }, rng.pick(['computer', 'COMPUTE', 'x', '1', 'auxiliary;rm -rf'])));
    },
  },
  {
    name: 'bad-flag',
    expect: 'rejected',
    codes: ['BAD_VALUE'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const i = col(c, 'is_clustered');
      return i < 0 ? null : csvOut(setCell(c, { r: rng.int(c.rows.length), i }, rng.pick(['2', '-1', '0.5', 'yes'])));
    },
  },
  {
    name: 'huge-code',
    expect: 'rejected',
    codes: ['BAD_VALUE'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const at = pickCell(rng, c, CODES);
      return at ? csvOut(setCell(c, at, rng.pick(['4294967296', '1e20', '2147483648', '-2147483649', '1.5']))) : null;
    },
  },
  {
    name: 'required-column-dropped',
    expect: 'rejected',
    codes: ['MISSING_COLUMNS'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const i = col(c, rng.pick(REQUIRED));
      c.header.splice(i, 1);
      for (const r of c.rows) r.splice(i, 1);
      return csvOut(c);
    },
  },
  {
    name: 'required-header-misspelled',
    expect: 'rejected',
    codes: ['MISSING_COLUMNS'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const i = col(c, rng.pick(REQUIRED));
      c.header[i] = rng.pick(['sumbit', 'SUBMIT', 'Type', 'execute-start', 'execute_end_', 'typ']);
      return csvOut(c);
    },
  },
  {
    name: 'duplicate-header-column',
    expect: 'rejected',
    codes: ['DUPLICATE_COLUMN'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const i = 1 + rng.int(c.header.length - 1);
      const j = 1 + rng.int(c.header.length - 1);
      if (i === j) return null;
      c.header[j] = c.header[i] as string;
      return csvOut(c);
    },
  },
  {
    name: 'header-line-missing',
    expect: 'rejected',
    codes: ['MISSING_COLUMNS', 'DUPLICATE_COLUMN'],
    apply: ({ base }) => ({ text: toCsv(base.rows) }),
  },
  {
    name: 'duplicate-job',
    expect: 'rejected',
    codes: ['DUPLICATE_JOB'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const r = rng.int(c.rows.length);
      c.rows.splice(rng.int(c.rows.length + 1), 0, [...(c.rows[r] as string[])]);
      return csvOut(c);
    },
  },
  {
    name: 'job-dropped',
    expect: 'rejected',
    codes: ['JOB_SET_MISMATCH'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      if (c.rows.length < 2) return null;
      c.rows.splice(rng.int(c.rows.length), 1);
      return csvOut(c);
    },
  },
  {
    name: 'job-renamed',
    expect: 'rejected',
    codes: ['JOB_SET_MISMATCH'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const plain = c.rows.flatMap((r, k) => (AUX_RE.test(r[0] ?? '') ? [] : [k]));
      if (!plain.length) return null;
      const r = c.rows[rng.pick(plain)] as string[];
      r[0] = rng.pick([`${r[0]}_x`, `${r[0]} `.trim() + 'X', 'ghost_job', `${r[0]}\u200b`]);
      return csvOut(c);
    },
  },
  {
    name: 'job-name-empty',
    expect: 'rejected',
    codes: ['BAD_VALUE'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      (c.rows[rng.int(c.rows.length)] as string[])[0] = rng.pick(['', '   ']);
      return csvOut(c);
    },
  },
  {
    name: 'aux-instance-changed',
    expect: 'rejected',
    codes: ['INSTANCE_MISMATCH'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const aux = c.rows.filter((r) => AUX_RE.test(r[0] ?? ''));
      if (!aux.length) return null;
      const r = rng.pick(aux);
      r[0] = (r[0] as string).replace(AUX_RE, (_m, kind: string, inst: string, n: string, site: string) => `${kind}_${inst}X_${n}_${site}`);
      return csvOut(c);
    },
  },
  {
    name: 'utf16le-with-bom',
    expect: 'rejected',
    codes: ['NOT_UTF8'],
    apply: ({ base }) => ({ bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(base.text, 'utf16le')]) }),
  },
  {
    name: 'utf16be-with-bom',
    expect: 'rejected',
    codes: ['NOT_UTF8'],
    apply: ({ base }) => ({ bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(base.text, 'utf16le').swap16()]) }),
  },
  { name: 'utf16le-no-bom', expect: 'rejected', codes: ['NOT_UTF8'], apply: ({ base }) => ({ bytes: Buffer.from(base.text, 'utf16le') }) },
  {
    name: 'invalid-utf8',
    expect: 'rejected',
    codes: ['NOT_UTF8'],
    apply: ({ base, rng }) => {
      const b = Buffer.from(base.text, 'utf8');
      const at = rng.int(b.length);
      const bad = rng.pick([[0xff], [0xc3, 0x28], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]]);
      return { bytes: Buffer.concat([b.subarray(0, at), Buffer.from(bad), b.subarray(at)]) };
    },
  },
  {
    name: 'latin1-text',
    expect: 'rejected',
    codes: ['NOT_UTF8'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const i = col(c, 'kickstart_hostname');
      if (i < 0) return null;
      return { bytes: Buffer.from(toCsv([c.header, ...setCell(c, { r: rng.int(c.rows.length), i }, 'wörker-é').rows]), 'latin1') };
    },
  },
  {
    name: 'nul-bytes',
    expect: 'rejected',
    codes: ['NOT_UTF8'],
    apply: ({ base, rng }) => {
      const b = Buffer.from(base.text, 'utf8');
      const at = rng.int(b.length);
      return { bytes: Buffer.concat([b.subarray(0, at), Buffer.alloc(1 + rng.int(4)), b.subarray(at)]) };
    },
  },
  {
    name: 'random-bytes',
    expect: 'rejected',
    apply: ({ rng }) => ({ bytes: Buffer.from(Array.from({ length: 1 + rng.int(4096) }, () => rng.int(256))) }),
  },
  {
    name: 'unclosed-quote',
    expect: 'rejected',
    codes: ['BAD_CSV'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const r = c.rows[rng.int(c.rows.length)] as string[];
      const i = 1 + rng.int(r.length - 1);
      // Raw text: the quote opens a field that never closes.
      const lines = toCsv([c.header, ...c.rows]).split('\n');
      const k = 1 + c.rows.indexOf(r);
      const cells = (lines[k] as string).split(',');
      cells[i] = `"${cells[i] ?? ''}`;
      lines[k] = cells.join(',');
      return { text: lines.join('\n') };
    },
  },
  {
    name: 'quote-inside-unquoted-field',
    expect: 'rejected',
    codes: ['BAD_CSV'],
    apply: ({ base, rng }) => {
      const lines = base.text.split('\n');
      const k = 1 + rng.int(base.rows.length);
      const cells = (lines[k] as string).split(',');
      const i = 1 + rng.int(cells.length - 1);
      cells[i] = `ab"c${cells[i] ?? ''}`;
      lines[k] = cells.join(',');
      return { text: lines.join('\n') };
    },
  },
  {
    name: 'newline-inside-quoted-number',
    expect: 'rejected',
    codes: ['BAD_VALUE'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const at = pickCell(rng, c, TIMESTAMPS);
      if (!at) return null;
      const v = c.rows[at.r]?.[at.i] as string;
      return csvOut(setCell(c, at, `${v.slice(0, 3)}\n${v.slice(3)}`));
    },
  },
  {
    name: 'bad-file-name',
    expect: 'rejected',
    codes: ['BAD_FILE_NAME'],
    apply: ({ base, rng, runNo }) => ({
      text: base.text,
      fileName: rng.pick([
        `${base.stem}-${runNo}.csv`,
        `${base.stem}-run${runNo}a.csv`,
        `${base.stem}_run${runNo}.csv`,
        `${base.stem}-run-${runNo}.csv`,
        `${base.stem}-run${runNo} .csv`,
        `${base.stem}-run${runNo}.tsv.csv`,
        `${base.stem}-RUN${runNo}.csv`,
        `run${runNo}.csv`,
      ]),
    }),
  },
  {
    name: 'huge-run-number',
    expect: 'rejected',
    codes: ['BAD_FILE_NAME'],
    apply: ({ base, rng, runNo }) => ({ text: base.text, fileName: `${base.stem}-run${rng.pick([`${runNo}999999`, `${2147383648 + runNo}`, `${runNo}${'9'.repeat(40)}`])}.csv` }),
  },
  {
    name: 'unknown-workflow',
    expect: 'rejected',
    codes: ['UNKNOWN_WORKFLOW'],
    apply: ({ base, rng, runNo }) => ({ text: base.text, fileName: `${rng.pick(['xyz-', 'genome1000-', 'Wind-', '_'])}${base.stem}-run${runNo}.csv` }),
  },
  {
    name: 'unknown-label',
    expect: 'rejected',
    codes: ['UNKNOWN_LABEL'],
    // Folders meant as labels but misspelled: rejected, never taken for unlabelled ones.
    apply: ({ base, rng }) => ({ text: base.text, label: rng.pick(['cpu_x', 'CPU_2', 'normal_1', 'hdd_', 'loss_-1', 'cpu_2.x', 'normal ', 'cpu_1e3', 'cpu__2', 'Normal', 'cpu']) }),
  },
  // A folder that is no label holds runs of unknown truth: stored unlabelled (with a note).
  { name: 'folder-not-a-label', expect: 'stored', apply: ({ base, rng }) => ({ text: base.text, label: rng.pick(['foo', 'ünknown', 'runs', '2024-06']) }) },
  { name: 'file-outside-label-folder', expect: 'stored', apply: ({ base }) => ({ text: base.text, label: '' }) },
  { name: 'label-folder-nested', expect: 'stored', apply: ({ base, rng }) => ({ text: base.text, label: `${base.label}/${rng.pick(['sub', 'old', '2020'])}` }) },
  {
    name: 'many-junk-rows',
    expect: 'rejected',
    codes: ['JOB_SET_MISMATCH'],
    apply: ({ base, rng }) => {
      const c = clone(base);
      const proto = c.rows[0] as string[];
      const n = 500 + rng.int(1500);
      for (let k = 0; k < n; k++) c.rows.push([`junk_ID${k}`, ...proto.slice(1)]);
      return csvOut(c);
    },
  },
  {
    name: 'rows-of-another-workflow',
    expect: 'rejected',
    codes: ['JOB_SET_MISMATCH', 'INSTANCE_MISMATCH'],
    apply: ({ base, bases, rng }) => {
      const other = bases.filter((b) => b.workflow !== base.workflow);
      return other.length ? { text: rng.pick(other).text } : null;
    },
  },

  // --- anything goes: either, as long as it is stored xor rejected with a reason ----------------
  {
    name: 'random-cell-edit',
    expect: 'either',
    weight: 2,
    apply: ({ base, rng }) => {
      const c = clone(base);
      const r = c.rows[rng.int(c.rows.length)] as string[];
      const i = rng.int(r.length);
      const v = r[i] ?? '';
      const ops = [
        () => v.slice(0, rng.int(v.length + 1)),
        () => v + rng.pick(['0', '.', 'e', '-', ' ', '"', ',', '\n', 'x']),
        () => rng.pick(['', '0', '-0', '1e-300', '00001', '1.', '.5', '١', 'NULL']),
        () => v.split('').reverse().join(''),
      ];
      r[i] = rng.pick(ops)();
      return csvOut(c);
    },
  },
  {
    name: 'random-byte-flips',
    expect: 'either',
    weight: 2,
    apply: ({ base, rng }) => {
      const b = Buffer.from(base.text, 'utf8');
      for (let k = 1 + rng.int(4); k > 0; k--) b[rng.int(b.length)] = rng.int(256);
      return { bytes: b };
    },
  },
  {
    name: 'random-line-splice',
    expect: 'either',
    apply: ({ base, rng }) => {
      const lines = base.text.split('\n');
      const k = rng.int(lines.length);
      if (rng.chance(0.5)) lines.splice(k, 1);
      else lines.splice(rng.int(lines.length), 0, lines[k] as string);
      return { text: lines.join('\n') };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Template mutators: each case gets its own workflow (`fz<id>-<workflow>`) whose template is the
// real one mutated, plus one run file of the real workflow renamed to it.

interface TemplateOut {
  /** Template text (or bytes; a folder when `dir`). */
  text?: string;
  bytes?: Buffer;
  dir?: boolean;
  /** Also write this second template file name for the same workflow (a duplicate). */
  twin?: boolean;
}

export interface TemplateMutator {
  name: string;
  /** The template file's outcome: `stored` = accepted. */
  expect: 'stored' | 'rejected';
  /** The run file's outcome with this template (BAD_TEMPLATE when the template is rejected). */
  runExpect: Expect;
  runCodes?: RejectCode[];
  weight?: number;
  apply(rng: Rng, adjacency: Record<string, string[]>, text: string): TemplateOut;
}

const jobsOf = (a: Record<string, string[]>): string[] => Object.keys(a);
const json = (a: Record<string, unknown>, indent?: number): string => JSON.stringify(a, null, indent);
const sinks = (a: Record<string, string[]>): string[] => jobsOf(a).filter((j) => (a[j] ?? []).length === 0);
const sources = (a: Record<string, string[]>): string[] => {
  const child = new Set(Object.values(a).flat());
  return jobsOf(a).filter((j) => !child.has(j));
};

const TEMPLATE_REJECTED = { expect: 'rejected' as const, runExpect: 'rejected' as const, runCodes: ['BAD_TEMPLATE'] as RejectCode[] };

export const TEMPLATE_MUTATORS: TemplateMutator[] = [
  { name: 'template-control', expect: 'stored', runExpect: 'stored', weight: 2, apply: (_r, _a, text) => ({ text }) },
  { name: 'template-reformatted', expect: 'stored', runExpect: 'stored', apply: (rng, a) => ({ text: json(a, rng.pick([0, 1, 4])).replace(/\n/g, rng.pick(['\n', '\r\n'])) }) },
  {
    name: 'template-keys-reordered',
    expect: 'stored',
    runExpect: 'stored',
    apply: (rng, a) => {
      const keys = jobsOf(a);
      for (let i = keys.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
      }
      return { text: json(Object.fromEntries(keys.map((k) => [k, a[k]]))) };
    },
  },
  { name: 'template-bom', expect: 'stored', runExpect: 'stored', apply: (_r, _a, text) => ({ text: `\uFEFF${text}` }) },
  {
    name: 'template-unicode-escapes',
    expect: 'stored',
    runExpect: 'stored',
    // JSON escapes spell the same names: \u0061 is "a".
    apply: (_r, a) => ({ text: json(a).replace(/"([a-z])/g, (_m, ch: string) => `"\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`) }),
  },
  {
    name: 'template-cycle',
    ...TEMPLATE_REJECTED,
    apply: (rng, a) => {
      const b = structuredClone(a);
      (b[rng.pick(sinks(b))] as string[]).push(rng.pick(sources(b)));
      return { text: json(b) };
    },
  },
  {
    name: 'template-self-loop',
    ...TEMPLATE_REJECTED,
    apply: (rng, a) => {
      const b = structuredClone(a);
      const j = rng.pick(jobsOf(b));
      (b[j] as string[]).push(j);
      return { text: json(b) };
    },
  },
  {
    name: 'template-dangling-child',
    ...TEMPLATE_REJECTED,
    apply: (rng, a) => {
      const b = structuredClone(a);
      (b[rng.pick(jobsOf(b))] as string[]).push(rng.pick(['ghost', 'constructor', '__proto__', 'toString', '']));
      return { text: json(b) };
    },
  },
  {
    name: 'template-duplicate-edge',
    ...TEMPLATE_REJECTED,
    apply: (rng, a) => {
      const b = structuredClone(a);
      const j = rng.pick(jobsOf(b).filter((k) => (b[k] ?? []).length > 0));
      (b[j] as string[]).push((b[j] as string[])[0] as string);
      return { text: json(b) };
    },
  },
  {
    name: 'template-duplicate-key',
    ...TEMPLATE_REJECTED,
    apply: (rng, a) => {
      // Written by hand: JSON.stringify cannot produce duplicate keys.
      const j = rng.pick(jobsOf(a));
      const entries = jobsOf(a).map((k) => `${JSON.stringify(k)}: ${JSON.stringify(a[k])}`);
      entries.splice(rng.int(entries.length + 1), 0, `${JSON.stringify(j)}: ${JSON.stringify(rng.chance(0.5) ? [] : a[j])}`);
      return { text: `{${entries.join(', ')}}` };
    },
  },
  { name: 'template-not-an-object', ...TEMPLATE_REJECTED, apply: (rng, a) => ({ text: rng.pick([JSON.stringify(Object.entries(a)), '42', '"dag"', 'null', 'true', '[]']) }) },
  { name: 'template-invalid-json', ...TEMPLATE_REJECTED, apply: (rng, _a, text) => ({ text: rng.pick([text.slice(0, 1 + rng.int(text.length - 2)), text.replace(/]/, ''), `${text},`, text.replace(/"/, "'"), `{${text}`]) }) },
  { name: 'template-empty-object', ...TEMPLATE_REJECTED, apply: () => ({ text: '{}' }) },
  { name: 'template-empty-file', ...TEMPLATE_REJECTED, apply: (rng) => ({ text: rng.pick(['', ' ', '\n']) }) },
  {
    name: 'template-children-not-array',
    ...TEMPLATE_REJECTED,
    apply: (rng, a) => {
      const b: Record<string, unknown> = structuredClone(a);
      const j = rng.pick(jobsOf(a));
      b[j] = rng.pick([null, 'child', 1, { a: 1 }, true]);
      return { text: json(b) };
    },
  },
  {
    name: 'template-child-not-string',
    ...TEMPLATE_REJECTED,
    apply: (rng, a) => {
      const b: Record<string, unknown[]> = structuredClone(a);
      (b[rng.pick(jobsOf(a))] as unknown[]).push(rng.pick([1, null, ['x'], { name: 'x' }, false]));
      return { text: json(b) };
    },
  },
  { name: 'template-utf16', ...TEMPLATE_REJECTED, apply: (_r, _a, text) => ({ bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) }) },
  { name: 'template-invalid-utf8', ...TEMPLATE_REJECTED, apply: (rng, _a, text) => ({ bytes: Buffer.concat([Buffer.from(text.slice(0, 1)), Buffer.from([rng.pick([0xff, 0xc3, 0x80])]), Buffer.from(text.slice(1))]) }) },
  {
    name: 'template-aux-collision',
    ...TEMPLATE_REJECTED,
    apply: (_r, a) => {
      const b = structuredClone(a);
      const aux = jobsOf(b).find((j) => AUX_RE.test(j));
      b[aux ? aux.replace(AUX_RE, '$1_OTHER-INSTANCE_$3_$4') : 'create_dir_A_0_condorpool'] = [];
      if (!aux) b.create_dir_B_0_condorpool = [];
      return { text: json(b) };
    },
  },
  {
    name: 'template-huge-chain',
    expect: 'stored',
    runExpect: 'rejected',
    runCodes: ['JOB_SET_MISMATCH'],
    apply: (rng, a) => {
      const b = structuredClone(a);
      const n = 2000 + rng.int(3000);
      for (let k = 0; k < n; k++) b[`extra_ID${k}`] = k + 1 < n ? [`extra_ID${k + 1}`] : [];
      return { text: json(b) };
    },
  },
  {
    name: 'template-huge-cycle',
    ...TEMPLATE_REJECTED,
    apply: (rng, a) => {
      const b = structuredClone(a);
      const n = 2000 + rng.int(3000);
      for (let k = 0; k < n; k++) b[`extra_ID${k}`] = [`extra_ID${(k + 1) % n}`];
      return { text: json(b) };
    },
  },
  {
    name: 'template-deep-nesting',
    ...TEMPLATE_REJECTED,
    apply: (rng, a) => {
      const d = 10_000 + rng.int(90_000);
      return { text: json(a).replace(/^\{/, `{"deep": ${'['.repeat(d)}${']'.repeat(d)}, `) };
    },
  },
  { name: 'template-extra-job', expect: 'stored', runExpect: 'rejected', runCodes: ['JOB_SET_MISMATCH'], apply: (rng, a) => ({ text: json({ ...a, [rng.pick(['extra_job', '__proto__', 'constructor', 'hasOwnProperty'])]: [] }) }) },
  {
    name: 'template-job-removed',
    expect: 'stored',
    runExpect: 'rejected',
    runCodes: ['JOB_SET_MISMATCH'],
    apply: (rng, a) => {
      const gone = rng.pick(jobsOf(a));
      const b = Object.fromEntries(jobsOf(a).filter((j) => j !== gone).map((j) => [j, (a[j] ?? []).filter((c) => c !== gone)]));
      return { text: json(b) };
    },
  },
  { name: 'template-long-job-name', ...TEMPLATE_REJECTED, apply: (rng, a) => ({ text: json({ ...a, [`long_${'n'.repeat(1000 + rng.int(20_000))}`]: [] }) }) },
  { name: 'template-empty-job-name', ...TEMPLATE_REJECTED, apply: (_r, a) => ({ text: json({ ...a, '': [] }) }) },
  { name: 'template-twin-file', ...TEMPLATE_REJECTED, apply: (_r, _a, text) => ({ text, twin: true }) },
  { name: 'template-is-a-folder', ...TEMPLATE_REJECTED, apply: () => ({ dir: true }) },
];

// ---------------------------------------------------------------------------------------------
// Bases and the tree

const FILE_RE = /^(.+)-run(\d+)\.csv$/;

/**
 * Picks `perWorkflow` clean run files per workflow from a real dataset (seeded), keeping only
 * files the ingest's own parser accepts (the real data has a few it rightly rejects).
 */
export function loadBases(dataset: string, seed: number, perWorkflow = 4): Base[] {
  const rng = new Rng(seed ^ 0x5eed);
  const tdir = path.join(dataset, 'adjacency_list_dags');
  const { templates } = loadTemplates(tdir);
  const labels = fs.readdirSync(path.join(dataset, 'data')).sort();
  const byWorkflow = new Map<string, Array<{ label: string; file: string }>>();
  for (const label of labels) {
    for (const file of fs.readdirSync(path.join(dataset, 'data', label)).sort()) {
      const wf = [...templates.keys()].filter((w) => file.startsWith(`${w}-`) || file.startsWith(`${w}_`)).sort((x, y) => y.length - x.length)[0];
      if (wf) byWorkflow.set(wf, [...(byWorkflow.get(wf) ?? []), { label, file }]);
    }
  }
  const bases: Base[] = [];
  for (const [wf, files] of [...byWorkflow].sort((x, y) => x[0].localeCompare(y[0]))) {
    const t = templates.get(wf);
    if (!t) continue;
    let tries = 0;
    let got = 0;
    while (got < perWorkflow && tries++ < 50) {
      const { label, file } = rng.pick(files);
      const bytes = fs.readFileSync(path.join(dataset, 'data', label, file));
      const parsed = parseRunFile({ source: file, labelFolder: label, fileName: file, bytes }, templates);
      if ('reason' in parsed || bases.some((b) => b.fileName === file && b.label === label)) continue;
      const contentHash = parsed.contentHash;
      const text = bytes.toString('utf8');
      const rows = parseCsv(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
      bases.push({
        workflow: wf,
        label,
        fileName: file,
        stem: (FILE_RE.exec(file) as RegExpExecArray)[1] as string,
        text,
        header: rows[0] as string[],
        rows: rows.slice(1),
        templateFile: path.basename(t.file),
        templateText: fs.readFileSync(t.file, 'utf8'),
        contentHash,
      });
      got++;
    }
  }
  return bases;
}

/** Round robin over mutators by weight, so every mutator gets its share of any case count. */
function schedule<T extends { weight?: number }>(ms: readonly T[]): T[] {
  return ms.flatMap((m) => Array.from({ length: m.weight ?? 1 }, () => m));
}

/** Share of cases that mutate templates (each also carries a run file). */
const TEMPLATE_SHARE = 0.2;

export function generateCases(bases: readonly Base[], n: number, seed: number): FuzzCase[] {
  if (!bases.length) throw new Error('no base files to mutate');
  const rng = new Rng(seed);
  const runPlan = schedule(RUN_MUTATORS);
  const tplPlan = schedule(TEMPLATE_MUTATORS);
  const cases: FuzzCase[] = [];
  let ri = 0;
  let ti = 0;
  for (let id = 0; id < n; id++) {
    const runNo = 100000 + id;
    const isTemplate = rng.next() < TEMPLATE_SHARE;
    if (isTemplate) {
      const m = tplPlan[ti++ % tplPlan.length] as TemplateMutator;
      const base = rng.pick(bases);
      const adjacency = JSON.parse(base.templateText) as Record<string, string[]>;
      const out = m.apply(rng, adjacency, base.templateText);
      const wf = `fz${id}-${base.workflow}`;
      const tfile = `adjacency_list_dags/fz${id}_${base.templateFile}`;
      const files: FuzzFile[] = [];
      const bytes = out.dir ? null : (out.bytes ?? Buffer.from(out.text ?? '', 'utf8'));
      files.push({ rel: tfile, bytes, expect: m.expect, ...(m.expect === 'rejected' ? { codes: ['BAD_TEMPLATE'] as RejectCode[] } : {}) });
      if (out.twin) files.push({ rel: `adjacency_list_dags/${wf}.json`, bytes, expect: 'rejected', codes: ['BAD_TEMPLATE'] });
      files.push({ rel: `data/${base.label}/fz${id}-${base.stem}-run${runNo}.csv`, bytes: Buffer.from(base.text, 'utf8'), expect: m.runExpect, ...(m.runCodes ? { codes: m.runCodes } : {}) });
      cases.push({ id, mutator: m.name, kind: 'template', files });
      continue;
    }
    const m = runPlan[ri++ % runPlan.length] as RunMutator;
    let out: RunOut | null = null;
    let base = rng.pick(bases);
    for (let t = 0; t < 20 && out === null; t++) {
      base = rng.pick(bases);
      out = m.apply({ rng, base, bases, runNo });
    }
    if (out === null) continue;
    const label = out.label ?? base.label;
    const rel = path.posix.join('data', label, out.fileName ?? `${base.stem}-run${runNo}.csv`);
    const same = m.preservesContent && out.label === undefined ? { contentHash: base.contentHash } : {};
    cases.push({ id, mutator: m.name, kind: 'run', files: [{ rel, bytes: out.bytes ?? Buffer.from(out.text ?? '', 'utf8'), expect: m.expect, ...(m.codes ? { codes: m.codes } : {}), ...same }] });
  }
  // File names carry the case's run number or id, so no two cases write the same path.
  const seen = new Set<string>();
  for (const f of cases.flatMap((c) => c.files)) {
    if (seen.has(f.rel)) throw new Error(`fuzz: two cases write ${f.rel}`);
    seen.add(f.rel);
  }
  return cases;
}

/** Writes the tree: the real templates, then every case's files. Returns the root. */
export function writeTree(root: string, bases: readonly Base[], cases: readonly FuzzCase[]): string {
  fs.mkdirSync(path.join(root, 'adjacency_list_dags'), { recursive: true });
  for (const b of bases) fs.writeFileSync(path.join(root, 'adjacency_list_dags', b.templateFile), b.templateText);
  for (const c of cases) {
    for (const f of c.files) {
      const p = path.join(root, f.rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      if (f.bytes === null) fs.mkdirSync(p, { recursive: true });
      else fs.writeFileSync(p, f.bytes);
    }
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// The check

export interface FileOutcome {
  rel: string;
  mutator: string;
  expect: Expect;
  outcome: 'stored' | 'rejected' | 'both' | 'neither';
  code?: string;
}

export interface CheckResult {
  outcomes: FileOutcome[];
  violations: string[];
  /** Content-preserving variations compared with their unmutated file, and those stored otherwise. */
  contentChecked: number;
  contentMismatches: string[];
}

/**
 * Compares an ingest summary and the run sources stored in Neo4j with the cases: every run file
 * stored xor rejected; every template file accepted xor rejected; rejections name a file of the
 * tree with a known code and a non-empty reason; each file's outcome (and code) as its mutator
 * declared; template rejections named in the reasons of their runs.
 */
export function checkOutcome(cases: readonly FuzzCase[], summary: Pick<IngestSummary, 'rejected'>, storedRuns: ReadonlyMap<string, string>): CheckResult {
  const storedSources = new Set(storedRuns.keys());
  let contentChecked = 0;
  const contentMismatches: string[] = [];
  const violations: string[] = [];
  const rejected = new Map<string, { code: string; reason: string }>();
  for (const r of summary.rejected) {
    if (!r.file || !r.reason || !r.code) violations.push(`rejection without file, code or reason: ${JSON.stringify(r).slice(0, 200)}`);
    if (rejected.has(r.file)) violations.push(`${r.file}: rejected twice`);
    rejected.set(r.file, { code: r.code, reason: r.reason });
  }
  const known = new Set(cases.flatMap((c) => c.files.map((f) => f.rel)));
  for (const f of rejected.keys()) if (!known.has(f) && !f.startsWith('adjacency_list_dags/')) violations.push(`${f}: rejected, but no case wrote it`);
  for (const s of storedSources) if (!known.has(s)) violations.push(`${s}: stored, but no case wrote it`);
  const outcomes: FileOutcome[] = [];
  for (const c of cases) {
    for (const f of c.files) {
      const isTemplate = f.rel.startsWith('adjacency_list_dags/');
      const rej = rejected.get(f.rel);
      const stored = isTemplate ? !rej : storedSources.has(f.rel);
      const outcome = stored && rej ? 'both' : stored ? 'stored' : rej ? 'rejected' : 'neither';
      // A template case's run file is tallied apart from the template itself.
      const mutator = c.kind === 'template' && !isTemplate ? `${c.mutator} → run` : c.mutator;
      outcomes.push({ rel: f.rel, mutator, expect: f.expect, outcome, ...(rej ? { code: rej.code } : {}) });
      const what = `${f.rel} [${c.mutator}]`;
      if (f.contentHash !== undefined && storedRuns.has(f.rel)) {
        contentChecked++;
        if (storedRuns.get(f.rel) !== f.contentHash) contentMismatches.push(`${what}: stored content ${storedRuns.get(f.rel)?.slice(0, 12)}, the unmutated file's ${f.contentHash.slice(0, 12)}`);
      }
      if (outcome === 'both' || outcome === 'neither') violations.push(`${what}: ${outcome} stored and rejected`);
      else if (f.expect !== 'either' && outcome !== f.expect) violations.push(`${what}: expected ${f.expect}, got ${outcome}${rej ? ` (${rej.code}: ${rej.reason.slice(0, 160)})` : ''}`);
      else if (rej && f.expect === 'rejected' && f.codes && !f.codes.includes(rej.code as RejectCode)) violations.push(`${what}: expected code ${f.codes.join('|')}, got ${rej.code}: ${rej.reason.slice(0, 160)}`);
      if (rej && rej.code === 'BAD_TEMPLATE' && !isTemplate && c.kind === 'template') {
        const tfile = c.files[0]?.rel as string;
        if (!rej.reason.includes(tfile)) violations.push(`${what}: BAD_TEMPLATE reason does not name ${tfile}: ${rej.reason.slice(0, 160)}`);
      }
    }
  }
  return { outcomes, violations, contentChecked, contentMismatches };
}

/** Figures for reports: cases by mutator with their outcomes, and the rejection codes. */
export function tally(outcomes: readonly FileOutcome[]): {
  byMutator: Record<string, { expect: Expect; files: number; stored: number; rejected: number }>;
  byExpect: Record<Expect, { files: number; stored: number; rejected: number }>;
  codes: Record<string, number>;
} {
  const byMutator: Record<string, { expect: Expect; files: number; stored: number; rejected: number }> = {};
  const byExpect: Record<Expect, { files: number; stored: number; rejected: number }> = {
    stored: { files: 0, stored: 0, rejected: 0 },
    rejected: { files: 0, stored: 0, rejected: 0 },
    either: { files: 0, stored: 0, rejected: 0 },
  };
  const codes: Record<string, number> = {};
  for (const o of outcomes) {
    const m = (byMutator[o.mutator] ??= { expect: o.expect, files: 0, stored: 0, rejected: 0 });
    for (const t of [m, byExpect[o.expect]]) {
      t.files++;
      if (o.outcome === 'stored') t.stored++;
      if (o.outcome === 'rejected') t.rejected++;
    }
    if (o.code) codes[o.code] = (codes[o.code] ?? 0) + 1;
  }
  return { byMutator, byExpect, codes };
}
