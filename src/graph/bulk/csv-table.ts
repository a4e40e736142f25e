/**
 * Input files for Neo4j's bulk importer (`neo4j-admin database import full`), written as rows
 * arrive: for each node label or relationship type, CSV files with a typed header
 * (`id:ID(Run)`, `jobCount:long`, `jobNames:string[]`, `:START_ID(Job)`, …).
 *
 * Import ids are integers the caller numbers (`--id-type=integer`), not stored: the stored `id`/
 * `name` are ordinary properties. A header is fixed when its file is opened, so a row whose
 * properties (or their types) the open file cannot hold opens another file. An absent property is an empty, unquoted field; every string
 * is quoted, so an empty string stays an empty string. Values the importer cannot carry exactly
 * (an empty list, a one-element list holding '', a list element holding the array delimiter, a
 * nested value) throw `UnrepresentableValue`: the caller then stores the input transactionally.
 */
import fs from 'node:fs';
import path from 'node:path';
import neo4j from 'neo4j-driver';

/** Separates list elements in a field (`--array-delimiter`): a control character, absent from real names. */
export const ARRAY_DELIMITER = '\u001f';

/** A value the bulk importer's CSV cannot express exactly. */
export class UnrepresentableValue extends Error {
  constructor(readonly where: string) {
    super(`${where} cannot be written to the bulk importer's CSV exactly`);
    this.name = 'UnrepresentableValue';
  }
}

/** A stored timestamp (e.g. `ingestedAt`), written as the importer's `datetime` type. */
export class DateTimeValue {
  constructor(readonly iso: string) {}
}

type CsvType = 'string' | 'long' | 'double' | 'boolean' | 'datetime' | 'string[]' | 'long[]' | 'double[]';

const isInt = (v: unknown): boolean => neo4j.isInt(v);

function scalarType(v: unknown): CsvType | null {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'boolean') return 'boolean';
  if (isInt(v)) return 'long';
  if (v instanceof DateTimeValue) return 'datetime';
  return null;
}

/** Where a value is, for an error message: built only when one is thrown. */
export type Where = () => string;

/** Property names whose integral numbers are stored as integers (`long`), as `graph/runs.ts` types them. */
export type LongKeys = ReadonlySet<string>;

function typeOf(v: unknown, where: Where, k: string, longs: LongKeys | undefined): CsvType {
  if (typeof v === 'number' && longs?.has(k) && Number.isInteger(v)) return 'long';
  const t = scalarType(v);
  if (t) return t;
  if (Array.isArray(v) && v.length > 0) {
    const first = scalarType(v[0]);
    if ((first === 'string' || first === 'long' || first === 'double') && v.every((x) => scalarType(x) === first)) {
      if (first === 'string' && v.length === 1 && v[0] === '') throw new UnrepresentableValue(`${where()}: property ${k} (a list holding one empty string)`);
      return `${first}[]`;
    }
  }
  throw new UnrepresentableValue(`${where()}: property ${k} ${Array.isArray(v) && v.length === 0 ? '(an empty list)' : `(a ${Array.isArray(v) ? 'mixed list' : typeof v})`}`);
}

type Int = { inSafeRange(): boolean; toNumber(): number; toString(): string };

/** A driver Integer's digits (its own toString divides 64-bit values step by step: slow per value). */
const longText = (v: unknown): string => {
  // A plain integral number (see LongKeys) beyond 2^53 goes through the driver's Integer, as when sent.
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : longText(neo4j.int(v));
  return (v as Int).inSafeRange() ? String((v as Int).toNumber()) : (v as Int).toString();
};

const quote = (s: string): string => (s.includes('"') ? `"${s.replace(/"/g, '""')}"` : `"${s}"`);

function field(v: unknown, t: CsvType, where: Where, k: string): string {
  switch (t) {
    case 'string':
      return quote(v as string);
    case 'double':
      return String(v);
    case 'long':
      return longText(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'datetime':
      return (v as DateTimeValue).iso;
    default: {
      const items = (v as unknown[]).map((x) => (t === 'string[]' ? (x as string) : t === 'long[]' ? longText(x) : String(x)));
      if (t === 'string[]' && items.some((x) => x.includes(ARRAY_DELIMITER))) throw new UnrepresentableValue(`${where()}: property ${k} (a list element holding U+001F)`);
      return quote(items.join(ARRAY_DELIMITER));
    }
  }
}

/** Property names a CSV header holds as they are. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A property map's shape: property → type. */
type Shape = Map<string, CsvType>;

/** Buffered appends to one file (synchronous: the reader waits while a chunk goes to disk). */
class Sink {
  private fd: number;
  private buf: string[] = [];
  private size = 0;
  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'w');
  }
  write(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size >= 1 << 20) this.flush();
  }
  flush(): void {
    if (this.buf.length) fs.writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

interface OpenFile {
  sink: Sink;
  shape: Shape;
  keys: string[];
}

export interface ImportFileGroup {
  /** `--nodes=<label>=<file>` or `--relationships=<type>=<file>`, one per file (each has its own header). */
  kind: 'nodes' | 'relationships';
  name: string;
  files: string[];
}

/**
 * Nodes of one label: an integer import id (`:ID(<label>)`, not stored; ids are numbered by the
 * caller, which keeps the importer's id mapping cheap) and the node's properties.
 */
export class NodeTable {
  private files: OpenFile[] = [];
  /** Row signature (property names and types) → the file it goes to. */
  private bySignature = new Map<string, OpenFile>();
  private last: OpenFile | null = null;
  /** Whether any string written holds a line break (the importer then parses multi-line fields). */
  multiline = false;
  rows = 0;

  /** `tag`: told apart from other writers' files of this label in one folder (e.g. `w0`). */
  constructor(
    private readonly dir: string,
    readonly name: string,
    private readonly tag = '',
  ) {}

  /**
   * Appends a node: its import id and its properties (null and undefined ones absent). `longs`:
   * properties whose integral numbers are integers (others' numbers are doubles, driver Integers
   * always integers).
   */
  add(id: number, props: Record<string, unknown>, where: Where, longs?: LongKeys): void {
    const f = this.fitsLast(props, where, longs) ?? this.fileOf(props, where, longs);
    let line = String(id);
    for (const k of f.keys) {
      const v = props[k];
      if (v === null || v === undefined) {
        line += ',';
        continue;
      }
      const t = f.shape.get(k) as CsvType;
      const text = field(v, t, where, k);
      if (!this.multiline && (t === 'string' || t === 'string[]') && (text.includes('\n') || text.includes('\r'))) this.multiline = true;
      line += `,${text}`;
    }
    f.sink.write(`${line}\n`);
    this.rows++;
  }

  /**
   * The last file, when its header holds every property of this row with its type (the common
   * case: rows of one label mostly share a shape), checked without building the row's signature.
   */
  private fitsLast(props: Record<string, unknown>, where: Where, longs: LongKeys | undefined): OpenFile | null {
    const f = this.last;
    if (!f) return null;
    for (const k in props) {
      const v = props[k];
      if (v === null || v === undefined) continue;
      if (f.shape.get(k) !== typeOf(v, where, k, longs)) return null;
    }
    return f;
  }

  private fileOf(props: Record<string, unknown>, where: Where, longs: LongKeys | undefined): OpenFile {
    const keys: string[] = [];
    const types: CsvType[] = [];
    let sig = '';
    for (const k in props) {
      const v = props[k];
      if (v === null || v === undefined) continue;
      const t = typeOf(v, where, k, longs);
      keys.push(k);
      types.push(t);
      sig += `${k}:${t},`;
    }
    return this.bySignature.get(sig) ?? this.fileFor(sig, keys, types, where);
  }

  private fileFor(sig: string, keys: string[], types: CsvType[], where: Where): OpenFile {
    const shape: Shape = new Map();
    keys.forEach((k, i) => {
      if (!PLAIN_NAME.test(k)) throw new UnrepresentableValue(`${where()}: property name ${JSON.stringify(k)}`);
      shape.set(k, types[i] as CsvType);
    });
    const fits = (f: OpenFile): boolean => [...shape].every(([k, t]) => f.shape.get(k) === t);
    let f = this.last && fits(this.last) ? this.last : this.files.find(fits);
    if (!f) {
      // A new header: this row's properties plus the last file's (of the same types), so rows that
      // differ only in which properties are absent share a file.
      const merged: Shape = new Map(shape);
      for (const [k, t] of this.last?.shape ?? []) if (!merged.has(k)) merged.set(k, t);
      const sorted = [...merged.keys()].sort();
      const sink = new Sink(path.join(this.dir, `nodes-${this.name}${this.tag && `-${this.tag}`}-${this.files.length}.csv`));
      sink.write(`${[`:ID(${this.name})`, ...sorted.map((k) => `${k}:${merged.get(k) as CsvType}`)].join(',')}\n`);
      f = { sink, shape: merged, keys: sorted };
      this.files.push(f);
    }
    this.bySignature.set(sig, f);
    return (this.last = f);
  }

  /** Closes the files; the group to pass to the importer (null when no row was written). */
  close(): ImportFileGroup | null {
    for (const f of this.files) f.sink.close();
    return this.rows ? { kind: 'nodes', name: this.name, files: this.files.map((f) => f.sink.file) } : null;
  }
}

/** Relationships of one type, without properties: start and end import ids. */
export class RelationshipTable {
  private readonly sink: Sink;
  rows = 0;

  constructor(
    dir: string,
    readonly name: string,
    from: string,
    to: string,
    tag = '',
  ) {
    this.sink = new Sink(path.join(dir, `relationships-${name}${tag && `-${tag}`}.csv`));
    this.sink.write(`:START_ID(${from}),:END_ID(${to})\n`);
  }

  add(a: number, b: number): void {
    this.sink.write(`${a},${b}\n`);
    this.rows++;
  }

  close(): ImportFileGroup | null {
    this.sink.close();
    return this.rows ? { kind: 'relationships', name: this.name, files: [this.sink.file] } : null;
  }
}
