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
  /** The runs; a sub-workflow's run may come before or after its parent's. */
  runs(): Iterable<SourceRun | Rejection> | AsyncIterable<SourceRun | Rejection>;
}
