/**
 * Reading runs back as plain records for training, scoring and export: a run with its jobs in
 * template order (job i = template job i) and the workflow's DAG as index pairs. One query per
 * page of runs; job properties come back as positional lists to keep the payload small.
 */
import neo4j from 'neo4j-driver';
import type { Graph } from './driver';

/** Job properties read for features, in this order in `RunRecord.jobs[i]`. */
export const JOB_FIELDS = [
  'type',
  'isClustered',
  'ready',
  'submit',
  'executeStart',
  'executeEnd',
  'postScriptStart',
  'postScriptEnd',
  'wmsDelay',
  'queueDelay',
  'runtime',
  'postScriptDelay',
  'stageInDelay',
  'stageOutDelay',
  'stageInBytes',
  'stageOutBytes',
  'cpuTime',
  'kickstartStatus',
  'exitCode',
  'kickstartHostname',
] as const;
export type JobField = (typeof JOB_FIELDS)[number];
export type JobValues = Array<string | number | null>;

export interface RunRecord {
  id: string;
  workflow: string;
  label: string;
  category: string;
  level: number | null;
  startedAt: number | null;
  /** Job names in template order. */
  jobNames: string[];
  /** jobs[i][k] is JOB_FIELDS[k] of job i (null when missing). */
  jobs: JobValues[];
  /** Flattened [p0, c0, p1, c1, ...] template edges, parent → child. */
  edges: number[];
}

export interface RunQuery {
  workflows?: string[];
  runIds?: string[];
}

const READ = `
MATCH (w:Workflow)-[:HAS_RUN]->(r:Run)
WHERE ($workflows IS NULL OR w.name IN $workflows) AND ($ids IS NULL OR r.id IN $ids)
  AND r.id > $after
WITH w, r ORDER BY r.id LIMIT $limit
CALL (r) {
  MATCH (r)-[:HAS_JOB]->(j:Job)
  WITH j ORDER BY j.index
  RETURN collect(j.name) AS names, collect([${JOB_FIELDS.map((f) => `j.${f}`).join(', ')}]) AS jobs
}
RETURN r.id AS id, w.name AS workflow, r.label AS label, r.category AS category, r.level AS level,
       r.startedAt AS startedAt, names, jobs, w.templateEdges AS edges`;

function record(rec: { get(key: string): unknown }): RunRecord {
  return {
    id: rec.get('id') as string,
    workflow: rec.get('workflow') as string,
    label: rec.get('label') as string,
    category: rec.get('category') as string,
    level: rec.get('level') as number | null,
    startedAt: rec.get('startedAt') as number | null,
    jobNames: rec.get('names') as string[],
    jobs: rec.get('jobs') as JobValues[],
    edges: rec.get('edges') as number[],
  };
}

/**
 * Matching runs in run-id order, one page per yield. The next page is requested before the
 * current one is handed out, so the database reads it while the caller works on this one.
 */
export async function* readRunPages(graph: Graph, q: RunQuery = {}, pageSize = 1000): AsyncGenerator<RunRecord[]> {
  const fetch = (after: string): Promise<RunRecord[]> =>
    graph
      .read((tx) => tx.run(READ, { workflows: q.workflows ?? null, ids: q.runIds ?? null, after, limit: neo4j.int(pageSize) }))
      .then((res) => res.records.map(record));
  let next: Promise<RunRecord[]> | null = fetch('');
  try {
    while (next) {
      const page: RunRecord[] = await next;
      const last = page[page.length - 1];
      next = page.length === pageSize && last ? fetch(last.id) : null;
      if (page.length) yield page;
    }
  } finally {
    // A caller that stops early leaves a read in flight: don't let its outcome go unhandled.
    next?.catch(() => undefined);
  }
}

/** All matching runs, in run-id order, fetched in pages. */
export async function readRuns(graph: Graph, q: RunQuery = {}, pageSize = 1000): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for await (const page of readRunPages(graph, q, pageSize)) out.push(...page);
  return out;
}

/** How many runs readRuns would return for this query (for progress totals). */
export async function countRuns(graph: Graph, q: RunQuery = {}): Promise<number> {
  const res = await graph.read((tx) =>
    tx.run('MATCH (w:Workflow)-[:HAS_RUN]->(r:Run) WHERE ($workflows IS NULL OR w.name IN $workflows) AND ($ids IS NULL OR r.id IN $ids) RETURN count(r) AS n', {
      workflows: q.workflows ?? null,
      ids: q.runIds ?? null,
    }),
  );
  return (res.records[0]?.get('n') as number | undefined) ?? 0;
}
