/**
 * Writing runs. One transaction per batch of runs (a run is stored whole or not at all), all data
 * as UNWIND parameters. Inside the same transaction function the batch's run ids are looked up
 * first, so re-ingesting a file changes nothing and a different file under a stored id is reported,
 * never merged. Edges are created from the template's index pairs against the run's freshly
 * created jobs, so no index lookup is needed per edge.
 */
import neo4j, { type ManagedTransaction } from 'neo4j-driver';
import type { ParsedRun } from '../ingest/trace';
import type { DagTemplate } from '../ingest/template';
import type { Graph } from './driver';

export interface WorkflowRecord {
  name: string;
  jobs: number;
  edges: number;
  templateHash: string;
}

const UPSERT_WORKFLOWS = `
UNWIND $workflows AS w
MERGE (wf:Workflow {name: w.name})
ON CREATE SET wf.jobs = w.jobs, wf.edges = w.edges, wf.templateJobs = w.templateJobs,
              wf.templateEdges = w.templateEdges, wf.templateHash = w.templateHash
RETURN wf.name AS name, wf.templateHash AS templateHash`;

/** Creates Workflow nodes; returns the names whose stored template differs from the given one. */
export async function upsertWorkflows(graph: Graph, templates: Iterable<DagTemplate & { hash: string }>): Promise<string[]> {
  const workflows = [...templates].map((t) => ({
    name: t.workflow,
    jobs: neo4j.int(t.jobs.length),
    edges: neo4j.int(t.edges.length),
    templateJobs: t.jobs,
    // Flattened [p0, c0, p1, c1, ...]: Neo4j properties cannot hold nested lists.
    templateEdges: ints(t.edges.flat()),
    templateHash: t.hash,
  }));
  const res = await graph.write((tx) => tx.run(UPSERT_WORKFLOWS, { workflows }));
  const want = new Map(workflows.map((w) => [w.name, w.templateHash]));
  return res.records.filter((r) => want.get(r.get('name')) !== r.get('templateHash')).map((r) => r.get('name') as string);
}

const EXISTING = `
UNWIND $ids AS id
MATCH (r:Run {id: id})
RETURN r.id AS id, r.contentHash AS hash`;

const CREATE_RUNS = `
UNWIND $runs AS r
MATCH (w:Workflow {name: r.props.workflow})
CREATE (run:Run)
SET run = r.props, run.ingestedAt = datetime()
CREATE (w)-[:HAS_RUN]->(run)
WITH run, r
CALL (run, r) {
  UNWIND r.jobs AS j
  CREATE (job:Job)
  SET job = j
  CREATE (run)-[:HAS_JOB]->(job)
  WITH job ORDER BY job.index
  RETURN collect(job) AS jobs
}
CALL (jobs, r) {
  UNWIND $edges[r.props.workflow] AS e
  WITH jobs[e[0]] AS a, jobs[e[1]] AS b
  CREATE (a)-[:FEEDS]->(b)
  RETURN count(*) AS edgeCount
}
RETURN count(run) AS runs, sum(size(jobs)) AS jobs, sum(edgeCount) AS edges`;

export interface BatchResult {
  stored: string[];
  unchanged: string[];
  /** Run ids already stored with other content: [id, stored hash]. */
  conflicts: Array<[string, string]>;
  jobs: number;
  edges: number;
}

/** Properties stored as Neo4j integers (JS numbers would otherwise be sent as floats). */
const INT_PROPS = new Set(['index', 'isClustered', 'kickstartStatus', 'exitCode', 'runNumber', 'jobCount']);

/** Drops missing values (Neo4j stores no nulls) and types integer properties. */
function toProps(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined) continue;
    out[k] = INT_PROPS.has(k) && typeof v === 'number' ? neo4j.int(v) : v;
  }
  return out;
}

const ints = (xs: number[]): unknown[] => xs.map((x) => neo4j.int(x));

export function runProps(run: ParsedRun): Record<string, unknown> {
  return toProps({
    id: run.id,
    workflow: run.workflow,
    label: run.label,
    category: run.category,
    level: run.level,
    source: run.source,
    instance: run.instance,
    runNumber: run.runNumber,
    contentHash: run.contentHash,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    jobCount: run.jobs.length,
    missingColumns: run.missingColumns.length ? run.missingColumns : null,
  });
}

/** Stores the runs not yet in the graph, in one transaction. */
export async function writeRunBatch(graph: Graph, runs: ParsedRun[], edgesByWorkflow: Record<string, number[][]>): Promise<BatchResult> {
  return graph.write(async (tx: ManagedTransaction) => {
    const existing = new Map(
      (await tx.run(EXISTING, { ids: runs.map((r) => r.id) })).records.map((rec) => [rec.get('id') as string, rec.get('hash') as string]),
    );
    const fresh = runs.filter((r) => !existing.has(r.id));
    const result: BatchResult = { stored: [], unchanged: [], conflicts: [], jobs: 0, edges: 0 };
    for (const r of runs) {
      const h = existing.get(r.id);
      if (h === undefined) continue;
      if (h === r.contentHash) result.unchanged.push(r.id);
      else result.conflicts.push([r.id, h]);
    }
    if (fresh.length) {
      const edges: Record<string, unknown[][]> = {};
      for (const r of fresh) edges[r.workflow] = (edgesByWorkflow[r.workflow] ?? []).map(ints);
      const res = await tx.run(CREATE_RUNS, {
        runs: fresh.map((r) => ({ props: runProps(r), jobs: r.jobs.map((j) => toProps(j)) })),
        edges,
      });
      const rec = res.records[0];
      result.jobs = (rec?.get('jobs') as number | null) ?? 0;
      result.edges = (rec?.get('edges') as number | null) ?? 0;
      result.stored = fresh.map((r) => r.id);
    }
    return result;
  });
}
