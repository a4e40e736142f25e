/**
 * `wfad stats`: per workflow the DAG size (of its newest template version), the number of template
 * versions, stored runs by label and category (`unlabelled` for runs of unknown truth), plus the
 * integrity check `incompleteRuns` (stored runs whose jobs or in-run edges differ from their DAG).
 */
import { CATEGORIES, UNLABELLED } from '../ingest/labels';
import type { Graph } from './driver';

export interface WorkflowStats {
  name: string;
  jobs: number;
  edges: number;
  /** Template versions stored (DAGs seen) for this workflow. */
  templates: number;
  runs: Record<string, number>;
  runsByCategory: Record<string, number>;
}

export interface Stats {
  workflows: WorkflowStats[];
  incompleteRuns: number;
}

const BY_LABEL = `
MATCH (w:Workflow)
OPTIONAL MATCH (w)-[:HAS_RUN]->(r:Run)
RETURN w.name AS name, w.jobs AS jobs, w.edges AS edges, COUNT { (w)-[:HAS_TEMPLATE]->(:Template) } AS templates,
       coalesce(r.label, CASE WHEN r IS NULL THEN null ELSE 'unlabelled' END) AS label,
       coalesce(r.category, CASE WHEN r IS NULL THEN null ELSE 'unlabelled' END) AS category, count(r) AS runs
ORDER BY name, label`;

const INCOMPLETE = `
MATCH (w:Workflow)-[:HAS_RUN]->(r:Run)
WITH w, r,
     COUNT { (r)-[:HAS_JOB]->(:Job) } AS jobs,
     COUNT { (r)-[:HAS_JOB]->(:Job)-[:FEEDS]->(:Job)<-[:HAS_JOB]-(r) } AS edges
OPTIONAL MATCH (r)-[:USES_TEMPLATE]->(t:Template)
WITH r, jobs, edges, coalesce(t.jobCount, w.jobs) AS wantJobs, coalesce(r.edgeCount, t.edgeCount, w.edges) AS wantEdges
WHERE jobs <> wantJobs OR edges <> wantEdges OR jobs <> r.jobCount
RETURN count(r) AS incomplete`;

/** Orphans: runs attached to no workflow count as incomplete too. */
const ORPHANS = `MATCH (r:Run) WHERE NOT (r)<-[:HAS_RUN]-(:Workflow) RETURN count(r) AS n`;

/** normal first, then categories alphabetically, levels numerically: cpu_2 < cpu_3 < hdd_50 < hdd_100. */
export function labelOrder(a: string, b: string): number {
  const key = (l: string): [string, number] => {
    const [c, v] = l.split('_');
    return [c === 'normal' ? '' : c === UNLABELLED ? '\uffff' : (c ?? l), Number(v ?? 0)];
  };
  const [ca, va] = key(a);
  const [cb, vb] = key(b);
  return ca === cb ? va - vb : ca < cb ? -1 : 1;
}

const CATEGORY_ORDER = [...CATEGORIES, UNLABELLED];

function sortedRecord(rec: Record<string, number>, cmp: (a: string, b: string) => number): Record<string, number> {
  return Object.fromEntries(Object.entries(rec).sort(([a], [b]) => cmp(a, b)));
}

export async function stats(graph: Graph): Promise<Stats> {
  return graph.read(async (tx) => {
    const byName = new Map<string, WorkflowStats>();
    for (const rec of (await tx.run(BY_LABEL)).records) {
      const name = rec.get('name') as string;
      let w = byName.get(name);
      if (!w) {
        w = { name, jobs: rec.get('jobs') as number, edges: rec.get('edges') as number, templates: rec.get('templates') as number, runs: {}, runsByCategory: {} };
        byName.set(name, w);
      }
      const label = rec.get('label') as string | null;
      const n = rec.get('runs') as number;
      if (label === null || n === 0) continue;
      w.runs[label] = n;
      const cat = rec.get('category') as string;
      w.runsByCategory[cat] = (w.runsByCategory[cat] ?? 0) + n;
    }
    const incomplete = (await tx.run(INCOMPLETE)).records[0]?.get('incomplete') as number;
    const orphans = (await tx.run(ORPHANS)).records[0]?.get('n') as number;
    const workflows = [...byName.values()].map((w) => ({
      ...w,
      runs: sortedRecord(w.runs, labelOrder),
      runsByCategory: sortedRecord(w.runsByCategory, (a, b) => CATEGORY_ORDER.indexOf(a) - CATEGORY_ORDER.indexOf(b)),
    }));
    return { workflows, incompleteRuns: incomplete + orphans };
  });
}
