/**
 * What the ingest pipeline takes: a `RunSource`, one per input layout (CSV traces, Pegasus submit
 * directories, …). A source lists what it found and yields `SourceRun`s (or rejections) one by one;
 * the pipeline stores them. A new layout is a new module producing a RunSource, nothing more.
 */
import type { Rejection } from './rejection';
import type { SourceRun } from './run-shape';

/** A DAG a layout defines up front (template files): stored before any run of it. */
export interface SourceTemplate {
  workflow: string;
  jobs: string[];
  edges: Array<[number, number]>;
  /** The file it came from, shown in reports. */
  origin: string;
}

export interface RunSource {
  /** What the paths in reports are relative to. */
  root: string;
  /** Runs (files, submit dirs) expected: the progress total. */
  total: number;
  /** Files under the path that are not run files: listed, not read. */
  ignoredFiles: string[];
  /** Entries not walked (hidden, too deep, unreadable folders), with why. */
  skipped: Array<{ path: string; reason: string }>;
  templates: SourceTemplate[];
  /** Rejections found before reading any run (unusable templates). */
  rejected: Rejection[];
  /**
   * The runs; a sub-workflow's run may come before or after its parent's. `stored`: source digests
   * of runs already stored (`SourceRun.sourceDigest`); a source that digests its input yields
   * `Unchanged` for those instead of reading them again.
   */
  runs(stored?: ReadonlySet<string>): Iterable<SourceItem> | AsyncIterable<SourceItem>;
  /** Whether this source sets `sourceDigest` (and so can use `stored`). */
  digests?: boolean;
  /**
   * How other threads read the same runs (the bulk path's CSV workers): `module` exports
   * `readSourceItem(context, item, stored)`, which gives for `items[i]` what `runs()` yields i-th.
   * `context` and `items` are plain data (copied to each thread).
   */
  parallel?: { module: string; context: unknown; items: unknown[] };
}

/** A run file whose exact input is already stored: not parsed again. */
export interface Unchanged {
  unchanged: true;
  /** The file, as in reports. */
  source: string;
}

export type SourceItem = SourceRun | Rejection | Unchanged;

export function isUnchanged(x: SourceItem): x is Unchanged {
  return (x as Partial<Unchanged>).unchanged === true;
}
