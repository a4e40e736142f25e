/**
 * DAG templates: `adjacency_list_dags/<workflow_with_underscores>.json`, an object mapping each
 * job name to the names of its children. Validated here (children must be jobs, no self-loops,
 * no duplicate edges, acyclic) and indexed: jobs get a stable index (template order), edges become
 * `edge_index`-style pairs of indices, parent → child.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cycleText, findCycle } from './dag';
import { auxKey } from './names';

export interface DagTemplate {
  workflow: string;
  file: string;
  /** Job names in template order; a job's index is its position here. */
  jobs: string[];
  /** Instance-independent key of each job (see names.ts), same order as `jobs`. */
  keys: string[];
  keyIndex: Map<string, number>;
  /** [parent, child] index pairs. */
  edges: Array<[number, number]>;
}

export class TemplateError extends Error {
  readonly reason: string;
  constructor(readonly file: string, reason: string) {
    // Reasons quote job names from the file: clipped, so a huge name stays a short message.
    const clipped = reason.length > 1000 ? `${reason.slice(0, 1000)}…` : reason;
    super(`${file}: ${clipped}`);
    this.reason = clipped;
    this.name = 'TemplateError';
  }
}

/** `nowcast_clustering_8.json` → `nowcast-clustering-8` (the name used in run file names). */
export function workflowFromTemplateFile(file: string): string {
  return path.basename(file, '.json').replace(/_/g, '-');
}

/**
 * Longest job name a template may hold: job ids (`<run id>/<job name>`) are keys of a unique index,
 * and Neo4j refuses index keys over ~8 KB, which would fail the write of a whole batch of runs.
 */
export const MAX_JOB_NAME = 1000;

/**
 * The first key that appears twice in one JSON object of `text` (already known to be valid JSON),
 * or null. JSON.parse keeps only the last of duplicate keys, which would silently drop a job's
 * edges. Iterative, so deeply nested input cannot overflow the stack.
 */
export function duplicateJsonKey(text: string): string | null {
  const stack: Array<{ keys: Set<string> | null; expectKey: boolean }> = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (ch === 0x7b /* { */) stack.push({ keys: new Set(), expectKey: true });
    else if (ch === 0x5b /* [ */) stack.push({ keys: null, expectKey: false });
    else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) stack.pop();
    else if (ch === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    }
  }
  return null;
}

/**
 * A JSON value for a message. Never JSON.stringify of the value itself: a deeply nested array
 * overflows the stack there (found by the fuzzer; it crashed the whole ingest).
 */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}

export function parseTemplate(file: string, text: string): DagTemplate {
  const workflow = workflowFromTemplateFile(file);
  let raw: unknown;
  const json = text.replace(/^\uFEFF/, '');
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new TemplateError(file, `not valid JSON: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TemplateError(file, 'expected an object {"job": ["child", ...], ...}');
  }
  const dup = duplicateJsonKey(json);
  if (dup !== null) throw new TemplateError(file, `key ${JSON.stringify(dup.slice(0, 200))} appears twice in one object (JSON would silently keep only the last)`);
  const adjacency = raw as Record<string, unknown>;
  const jobs = Object.keys(adjacency);
  if (jobs.length === 0) throw new TemplateError(file, 'template has no jobs');
  const long = jobs.find((j) => j.length > MAX_JOB_NAME);
  if (long !== undefined) throw new TemplateError(file, `job name "${long.slice(0, 60)}…" is ${long.length} characters long (at most ${MAX_JOB_NAME})`);
  if (jobs.includes('')) throw new TemplateError(file, 'a job has an empty name');
  const keys = jobs.map(auxKey);
  const keyIndex = new Map<string, number>();
  keys.forEach((k, i) => {
    const prev = keyIndex.get(k);
    if (prev !== undefined) throw new TemplateError(file, `jobs "${jobs[prev]}" and "${jobs[i]}" are the same job once instance ids are removed`);
    keyIndex.set(k, i);
  });
  const index = new Map(jobs.map((j, i) => [j, i]));
  const edges: Array<[number, number]> = [];
  const seen = new Set<string>();
  jobs.forEach((parent, p) => {
    const children = adjacency[parent];
    if (!Array.isArray(children)) throw new TemplateError(file, `children of "${parent}" must be an array, got ${show(children)}`);
    for (const child of children) {
      if (typeof child !== 'string') throw new TemplateError(file, `child of "${parent}" is not a job name: ${show(child)}`);
      const c = index.get(child);
      if (c === undefined) throw new TemplateError(file, `"${parent}" has child "${child}", which is not a job of the template (dangling edge)`);
      if (c === p) throw new TemplateError(file, `"${parent}" depends on itself`);
      const key = `${p}>${c}`;
      if (seen.has(key)) throw new TemplateError(file, `edge "${parent}" → "${child}" is listed twice`);
      seen.add(key);
      edges.push([p, c]);
    }
  });
  const cycle = findCycle(jobs.length, edges);
  if (cycle) {
    const names = cycleText(cycle.map((i) => jobs[i] as string));
    throw new TemplateError(file, `template has a cycle: ${names}`);
  }
  return { workflow, file, jobs, keys, keyIndex, edges };
}

/** A template file's text: UTF-8 (a BOM is dropped later), or a TemplateError saying why not. */
function readTemplateText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new TemplateError(file, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (bytes.length === 0) throw new TemplateError(file, 'empty file (0 bytes)');
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) throw new TemplateError(file, 'UTF-16 text: save it as UTF-8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TemplateError(file, 'not UTF-8 text');
  }
}

export function loadTemplates(dir: string): { templates: Map<string, DagTemplate>; errors: TemplateError[] } {
  const templates = new Map<string, DagTemplate>();
  const errors: TemplateError[] = [];
  const files = new Map<string, string[]>();
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort()) {
    const file = path.join(dir, f);
    const wf = workflowFromTemplateFile(file);
    files.set(wf, [...(files.get(wf) ?? []), file]);
    try {
      const t = parseTemplate(file, readTemplateText(file));
      templates.set(t.workflow, t);
    } catch (err) {
      if (err instanceof TemplateError) errors.push(err);
      else throw err;
    }
  }
  // `a_b.json` and `a-b.json` name the same workflow: which one applies would be a guess.
  for (const [wf, fs2] of files) {
    if (fs2.length < 2) continue;
    templates.delete(wf);
    for (const file of fs2) {
      if (!errors.some((e) => e.file === file)) errors.push(new TemplateError(file, `${fs2.length} template files name workflow ${wf} (${fs2.map((x) => path.basename(x)).join(', ')})`));
    }
  }
  return { templates, errors };
}

/**
 * Canonical hash of a DAG: the sorted job keys (instance ids removed) and the sorted edges by key.
 * Independent of job order and of the run's instance, so two runs with the same DAG share a
 * template whatever order their source lists the jobs in.
 */
export function dagHash(keys: readonly string[], edges: ReadonlyArray<readonly [number, number]>): string {
  const sortedKeys = [...keys].sort();
  const sortedEdges = edges.map(([p, c]) => `${keys[p]}\u0000${keys[c]}`).sort();
  return createHash('sha256').update(JSON.stringify([sortedKeys, sortedEdges])).digest('hex').slice(0, 16);
}

/**
 * A template from a run's own DAG (job names + [parent, child] index pairs), validated like a
 * template file: returns the template or why the DAG is unusable (cycle, unknown job, self-loop).
 */
export function templateFromDag(workflow: string, file: string, jobs: readonly string[], edges: ReadonlyArray<readonly [number, number]>): DagTemplate | { reason: string } {
  if (jobs.length === 0) return { reason: 'the run has no jobs' };
  const keys = jobs.map(auxKey);
  const keyIndex = new Map<string, number>();
  for (const [i, k] of keys.entries()) {
    const prev = keyIndex.get(k);
    if (prev !== undefined) return { reason: `jobs "${jobs[prev]}" and "${jobs[i]}" are the same job once instance ids are removed` };
    keyIndex.set(k, i);
  }
  const seen = new Set<string>();
  const out: Array<[number, number]> = [];
  for (const [p, c] of edges) {
    if (!Number.isInteger(p) || !Number.isInteger(c) || p < 0 || c < 0 || p >= jobs.length || c >= jobs.length) return { reason: `edge ${p} → ${c} names a job the run does not have` };
    if (p === c) return { reason: `"${jobs[p]}" depends on itself` };
    const key = `${p}>${c}`;
    if (seen.has(key)) return { reason: `edge "${jobs[p]}" → "${jobs[c]}" is listed twice` };
    seen.add(key);
    out.push([p, c]);
  }
  const cycle = findCycle(jobs.length, out);
  if (cycle) {
    const names = cycleText(cycle.map((i) => jobs[i] as string));
    return { reason: `the DAG has a cycle: ${names}` };
  }
  return { workflow, file, jobs: [...jobs], keys, keyIndex, edges: out };
}

/**
 * A template named explicitly (`--template <workflow>=<file.json>`): the file's DAG under the given
 * workflow name, whatever the file is called. A missing file is the user's typo: a named error, not
 * a rejection. A file that is not a usable template throws TemplateError like any template file.
 */
export function loadNamedTemplate(workflow: string, file: string): DagTemplate {
  if (!fs.existsSync(file)) throw new NamedTemplateMissing(workflow, file);
  const t = parseTemplate(file, readTemplateText(file));
  return { ...t, workflow };
}

export class NamedTemplateMissing extends Error {
  constructor(readonly workflow: string, readonly file: string) {
    super(`--template ${workflow}=${file}: no such file`);
    this.name = 'NamedTemplateMissing';
  }
}
