/**
 * DAG templates: `adjacency_list_dags/<workflow_with_underscores>.json`, an object mapping each
 * job name to the names of its children. Validated here (children must be jobs, no self-loops,
 * no duplicate edges, acyclic) and indexed: jobs get a stable index (template order), edges become
 * `edge_index`-style pairs of indices, parent → child.
 */
import fs from 'node:fs';
import path from 'node:path';
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
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'TemplateError';
  }
}

/** `nowcast_clustering_8.json` → `nowcast-clustering-8` (the name used in run file names). */
export function workflowFromTemplateFile(file: string): string {
  return path.basename(file, '.json').replace(/_/g, '-');
}

export function parseTemplate(file: string, text: string): DagTemplate {
  const workflow = workflowFromTemplateFile(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new TemplateError(file, `not valid JSON: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TemplateError(file, 'expected an object {"job": ["child", ...], ...}');
  }
  const adjacency = raw as Record<string, unknown>;
  const jobs = Object.keys(adjacency);
  if (jobs.length === 0) throw new TemplateError(file, 'template has no jobs');
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
    if (!Array.isArray(children)) throw new TemplateError(file, `children of "${parent}" must be an array, got ${JSON.stringify(children)}`);
    for (const child of children) {
      if (typeof child !== 'string') throw new TemplateError(file, `child of "${parent}" is not a job name: ${JSON.stringify(child)}`);
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
  if (cycle) throw new TemplateError(file, `template has a cycle: ${cycle.map((i) => jobs[i]).join(' → ')}`);
  return { workflow, file, jobs, keys, keyIndex, edges };
}

/** Kahn's algorithm; returns one cycle (as job indices) if the graph is not a DAG. */
function findCycle(n: number, edges: Array<[number, number]>): number[] | null {
  const indeg = new Array<number>(n).fill(0);
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const [p, c] of edges) {
    indeg[c] = (indeg[c] ?? 0) + 1;
    out[p]?.push(c);
  }
  const queue: number[] = [];
  indeg.forEach((d, i) => d === 0 && queue.push(i));
  let visited = 0;
  while (queue.length) {
    const v = queue.pop() as number;
    visited++;
    for (const c of out[v] ?? []) if (--(indeg[c] as number) === 0) queue.push(c);
  }
  if (visited === n) return null;
  // Every node Kahn could not remove has a parent that also remains, so walking parents from
  // any remaining node must revisit one: that stretch of the walk is a cycle (in reverse).
  const remaining = new Set(indeg.flatMap((d, i) => (d > 0 ? [i] : [])));
  const parents: number[][] = Array.from({ length: n }, () => []);
  for (const [p, c] of edges) parents[c]?.push(p);
  let v = remaining.values().next().value as number;
  const walk: number[] = [];
  const pos = new Map<number, number>();
  while (!pos.has(v)) {
    pos.set(v, walk.length);
    walk.push(v);
    v = parents[v]?.find((p) => remaining.has(p)) as number;
  }
  const cycle = walk.slice(pos.get(v)).reverse();
  return [...cycle, cycle[0] as number];
}

export function loadTemplates(dir: string): { templates: Map<string, DagTemplate>; errors: TemplateError[] } {
  const templates = new Map<string, DagTemplate>();
  const errors: TemplateError[] = [];
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const file = path.join(dir, f);
    try {
      const t = parseTemplate(file, fs.readFileSync(file, 'utf8'));
      templates.set(t.workflow, t);
    } catch (err) {
      if (err instanceof TemplateError) errors.push(err);
      else throw err;
    }
  }
  return { templates, errors };
}
