/**
 * Writing runs (`SourceRun`, whatever reader made them). One transaction per batch of runs (a run is
 * stored whole or not at all), all data as UNWIND parameters. Inside the same transaction the
 * batch's run ids are looked up first, so re-ingesting changes nothing and different content under
 * a stored id is reported, never merged. Each run is placed in its workflow's template (graph/
 * templates.ts): a new DAG becomes a new template version in the same transaction. Edges are the
 * run's own, created from index pairs against the run's freshly created jobs.
 *
 * Truth: a labelled run has `label`/`category`/`level`; an unlabelled one has none of them. Each job
 * carries its own truth where the source has it, else the run's; none when both are unknown.
 *
 * Sub-workflows: `(parentJob:Job)-[:RUNS]->(sub:Run)-[:SUBWORKFLOW_OF]->(parent:Run)`, linked in
 * the transaction that stores the second of the two (parent or child), whichever comes last.
 *
 * A run stored while still in progress (`state: 'running'`) is replaced, in the same transaction,
 * when its source later brings other content (the run went on); a finished run never is
 * (different content under its id is a conflict).
 */
import neo4j, { type ManagedTransaction } from 'neo4j-driver';
import type { SourceRun } from '../ingest/run-shape';
import type { Graph } from './driver';
import { RESERVED_PROPS } from '../ingest/columns';
import { jobTableProps } from './job-table';
import { templateProps, type PlacedRun, type TemplateCatalog, type TemplateRef } from './templates';

const STORE_TEMPLATES = `
UNWIND $templates AS t
MERGE (w:Workflow {name: t.workflow})
MERGE (tp:Template {id: t.id})
ON CREATE SET tp += t
MERGE (w)-[:HAS_TEMPLATE]->(tp)
// The Workflow shows its newest template's size.
WITH DISTINCT w
MATCH (w)-[:HAS_TEMPLATE]->(any:Template)
WITH w, max(any.version) AS newest
MATCH (w)-[:HAS_TEMPLATE]->(latest:Template {version: newest})
SET w.jobs = latest.jobCount, w.edges = latest.edgeCount, w.templates = newest`;

/** Stores templates (and their Workflow nodes); a template already stored is left as it is. */
export async function storeTemplates(graph: Graph, templates: readonly TemplateRef[]): Promise<void> {
  if (templates.length === 0) return;
  await graph.write((tx) => tx.run(STORE_TEMPLATES, { templates: templates.map(templateProps) }));
}

const SOURCE_DIGESTS = `
MATCH (r:Run) WHERE r.sourceDigest IS NOT NULL
RETURN collect(r.sourceDigest) AS digests`;

/** Source digests of the stored runs (`SourceRun.sourceDigest`): inputs already stored exactly. */
export async function storedSourceDigests(graph: Graph): Promise<Set<string>> {
  const res = await graph.query(SOURCE_DIGESTS);
  return new Set((res.records[0]?.get('digests') as string[] | undefined) ?? []);
}

const EXISTING = `
UNWIND $ids AS id
MATCH (r:Run {id: id})
RETURN r.id AS id, r.contentHash AS hash, r.state AS state`;

/**
 * Removes runs whole: the run, its jobs, their predictions and its own (in-progress runs only
 * with $onlyRunning: those about to be stored again). Sub-workflow runs of a deleted run stay,
 * unlinked; they keep `parentRunId`, so the parent stored again links them again.
 */
const DELETE_RUNS = `
UNWIND $ids AS id
MATCH (r:Run {id: id}) WHERE NOT $onlyRunning OR r.state = 'running'
CALL (r) {
  OPTIONAL MATCH (r)-[:HAS_JOB]->(j:Job)
  OPTIONAL MATCH (j)-[:HAS_PREDICTION]->(jp:Prediction)
  DETACH DELETE jp
  WITH DISTINCT j
  DETACH DELETE j
  RETURN count(j) AS jobs
}
CALL (r) {
  OPTIONAL MATCH (r)-[:HAS_PREDICTION]->(rp:Prediction)
  DETACH DELETE rp
  RETURN count(rp) AS predictions
}
WITH r, r.id AS rid, jobs, predictions
DETACH DELETE r
RETURN collect(rid) AS deleted, sum(jobs) AS jobs, sum(predictions) AS predictions`;

export interface DeleteResult {
  /** Ids of the runs deleted; of the ids asked for, the others are not stored. */
  deleted: string[];
  jobs: number;
  /** Run-level predictions deleted (their jobs' went with the jobs). */
  predictions: number;
}

/**
 * Gives unlabelled runs a truth (an operator who knows those runs went fine, or which were
 * disturbed): the run's label, category and level, and every job without truth of its own gets the
 * run's, on its Job node and in the run's job table. A run that already has a truth keeps it (it
 * came from its source: a labelled folder or per-job truth).
 */
const LABEL_RUNS = `
UNWIND $ids AS id
MATCH (r:Run {id: id}) WHERE r.label IS NULL
SET r.label = $t.label, r.category = $t.category, r.level = $t.level,
    r.jobLabels = CASE WHEN r.jobLabels IS NULL THEN null ELSE [l IN r.jobLabels | CASE WHEN l = '' THEN $t.label ELSE l END] END
WITH r
CALL (r) {
  MATCH (r)-[:HAS_JOB]->(j:Job) WHERE j.label IS NULL
  SET j.label = $t.label, j.category = $t.category, j.level = $t.level
  RETURN count(j) AS jobs
}
RETURN collect(r.id) AS labelled, sum(jobs) AS jobs`;

export interface LabelResult {
  /** Runs given the truth; of the ids asked for, the others are not stored or have a truth already. */
  labelled: string[];
  /** Of those, runs that already had a truth (unchanged). */
  alreadyLabelled: Array<{ id: string; label: string }>;
  jobs: number;
}

/** Labels the unlabelled stored runs among `ids` with `truth`, in one transaction (wfad label). */
export async function labelRuns(graph: Graph, ids: readonly string[], truth: { label: string; category: string; level: number | null }): Promise<LabelResult> {
  return graph.write(async (tx) => {
    const unique = [...new Set(ids)];
    const had = (await tx.run('UNWIND $ids AS id MATCH (r:Run {id: id}) WHERE r.label IS NOT NULL RETURN r.id AS id, r.label AS label', { ids: unique })).records;
    const rec = (await tx.run(LABEL_RUNS, { ids: unique, t: truth })).records[0];
    return {
      labelled: (rec?.get('labelled') as string[] | undefined) ?? [],
      alreadyLabelled: had.map((h) => ({ id: h.get('id') as string, label: h.get('label') as string })),
      jobs: Number(rec?.get('jobs') ?? 0),
    };
  });
}

/** Deletes the stored runs among `ids` whole, in one transaction (wfad delete). */
export async function deleteRuns(graph: Graph, ids: readonly string[]): Promise<DeleteResult> {
  return graph.write(async (tx) => {
    const rec = (await tx.run(DELETE_RUNS, { ids: [...new Set(ids)], onlyRunning: false })).records[0];
    return { deleted: (rec?.get('deleted') as string[] | undefined) ?? [], jobs: Number(rec?.get('jobs') ?? 0), predictions: Number(rec?.get('predictions') ?? 0) };
  });
}

/**
 * A job's properties travel as a row: the values of `JOB_KEYS` by position, then a map of any
 * others (extra columns, a reader's own fields) or null. Positions instead of a map per job: the
 * property names are sent and resolved once per query, not once per job (the map form took ~1.7×
 * the time in bench/ingest-floor). A null value leaves the property absent, as `SET job = map` did.
 */
export const JOB_KEYS: readonly string[] = [...RESERVED_PROPS];
for (const k of JOB_KEYS) if (!/^[A-Za-z][A-Za-z0-9]*$/.test(k)) throw new Error(`job property ${k} is not a plain name`);
const JOB_LITERAL = JOB_KEYS.map((k, i) => `${k}: j[${i}]`).join(', ');
const OTHER = JOB_KEYS.length;

const CREATE_RUNS = `
UNWIND $runs AS r
MATCH (tp:Template {id: r.template})
MATCH (w:Workflow {name: r.props.workflow})-[:HAS_TEMPLATE]->(tp)
CREATE (run:Run)
SET run = r.props, run.ingestedAt = datetime()
CREATE (w)-[:HAS_RUN]->(run)
CREATE (run)-[:USES_TEMPLATE]->(tp)
WITH run, r
CALL (run, r) {
  UNWIND r.jobs AS j
  CREATE (job:Job {${JOB_LITERAL}})
  FOREACH (other IN CASE WHEN j[${OTHER}] IS NULL THEN [] ELSE [j[${OTHER}]] END | SET job += other)
  CREATE (run)-[:HAS_JOB]->(job)
  WITH job ORDER BY job.index
  RETURN collect(job) AS jobs
}
CALL (jobs, r) {
  UNWIND range(0, size(r.edges) - 1, 2) AS i
  WITH jobs[r.edges[i]] AS a, jobs[r.edges[i + 1]] AS b
  CREATE (a)-[:FEEDS]->(b)
  RETURN count(*) AS edgeCount
}
RETURN collect(run.id) AS ids, sum(size(jobs)) AS jobs, sum(edgeCount) AS edges`;

/** Links sub-workflow runs and their parents, both ways round (idempotent). */
const LINK_PARENTS = `
UNWIND $ids AS id
MATCH (x:Run {id: id})
CALL (x) {
  MATCH (sub:Run) WHERE sub.id = x.id AND sub.parentRunId IS NOT NULL
  MATCH (p:Run {id: sub.parentRunId})
  RETURN sub, p
  UNION
  MATCH (sub:Run {parentRunId: x.id})
  RETURN sub, x AS p
}
MERGE (sub)-[:SUBWORKFLOW_OF]->(p)
WITH sub, p
OPTIONAL MATCH (p)-[:HAS_JOB]->(pj:Job {name: sub.parentJob})
FOREACH (_ IN CASE WHEN pj IS NULL THEN [] ELSE [1] END | MERGE (pj)-[:RUNS]->(sub))
RETURN count(*) AS links`;

export interface BatchResult {
  /** Ids of the runs this call stored, as the database counted them. */
  stored: string[];
  unchanged: string[];
  /** Run ids already stored with other content: [id, stored hash]. */
  conflicts: Array<[string, string]>;
  /** Of `stored`, runs that replaced an in-progress version of themselves. */
  replaced: string[];
  jobs: number;
  edges: number;
}

/** Properties stored as Neo4j integers (JS numbers would otherwise be sent as floats). */
export const INT_PROPS: ReadonlySet<string> = new Set(['index', 'isClustered', 'kickstartStatus', 'exitCode', 'runNumber', 'jobCount', 'edgeCount', 'retries']);

/** A value as stored: integer properties as Neo4j integers, missing as null. */
function toValue(k: string, v: unknown): unknown {
  if (v === undefined) return null;
  return INT_PROPS.has(k) && typeof v === 'number' && Number.isInteger(v) ? neo4j.int(v) : v;
}

/** Drops missing values (Neo4j stores no nulls) and types integer properties. */
function toProps(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined) continue;
    out[k] = toValue(k, v);
  }
  return out;
}

export function runProps(run: SourceRun, template: Pick<TemplateRef, 'id' | 'version'>): Record<string, unknown> {
  return toProps({
    id: run.id,
    workflow: run.workflow,
    label: run.truth?.label,
    category: run.truth?.category,
    level: run.truth?.level,
    kind: run.kind,
    state: run.state,
    source: run.source,
    instance: run.instance,
    runNumber: run.runNumber,
    contentHash: run.contentHash,
    sourceDigest: run.sourceDigest,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    jobCount: run.jobs.length,
    edgeCount: run.edges.length,
    template: template.id,
    templateVersion: template.version,
    parentRunId: run.parent?.runId,
    parentJob: run.parent?.jobName,
    missingColumns: run.missingColumns.length ? run.missingColumns : null,
  });
}

/** A job's stored properties: its own truth where the source has it, else the run's. */
export function jobProps(job: SourceRun['jobs'][number], run: SourceRun): Record<string, unknown> {
  const p = plainJobProps(job, run);
  for (const k in p) if (INT_PROPS.has(k)) p[k] = toValue(k, p[k]);
  return p;
}

const TRUTH_KEYS = ['label', 'category', 'level'] as const;

/**
 * `jobProps` before integer typing: the `INT_PROPS` values are still JavaScript numbers (the bulk
 * writer types them itself, without a driver Integer per value). Missing values dropped.
 */
export function plainJobProps(job: SourceRun['jobs'][number], run: SourceRun): Record<string, unknown> {
  const own = typeof job.label === 'string';
  const truth = (own ? job : (run.truth ?? {})) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const j = job as unknown as Record<string, unknown>;
  for (const k in j) {
    const v = k === 'label' || k === 'category' || k === 'level' ? truth[k] : j[k];
    if (v !== null && v !== undefined) out[k] = v;
  }
  for (const k of TRUTH_KEYS) if (!(k in j) && truth[k] !== null && truth[k] !== undefined) out[k] = truth[k];
  return out;
}

const JOB_KEY_SET = new Set(JOB_KEYS);

/** A job's stored properties (`jobProps`) as `CREATE_RUNS` takes them: `JOB_KEYS` values by position, then the other properties or null. */
export function jobRow(p: Record<string, unknown>): unknown[] {
  const row: unknown[] = JOB_KEYS.map((k) => p[k] ?? null);
  let other: Record<string, unknown> | null = null;
  for (const k in p) if (!JOB_KEY_SET.has(k)) (other ??= {})[k] = p[k];
  row.push(other);
  return row;
}

/**
 * Parents before children, so a batch's sub-workflow links are made when the child is created
 * (the link query also links children stored earlier, so any order ends linked).
 */
export function parentsFirst<T extends { run: SourceRun }>(runs: T[]): T[] {
  const ids = new Set(runs.map((r) => r.run.id));
  const depth = new Map<string, number>();
  const byId = new Map(runs.map((r) => [r.run.id, r.run]));
  const d = (run: SourceRun, seen: Set<string>): number => {
    const known = depth.get(run.id);
    if (known !== undefined) return known;
    const p = run.parent && ids.has(run.parent.runId) && !seen.has(run.parent.runId) ? byId.get(run.parent.runId) : undefined;
    const v = p ? d(p, new Set(seen).add(run.id)) + 1 : 0;
    depth.set(run.id, v);
    return v;
  };
  return runs.map((r, i) => ({ r, i, k: d(r.run, new Set([r.run.id])) })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.r);
}

/**
 * Stores the runs not yet in the graph, in one transaction; their templates (new versions
 * included) in the same one. `stored` lists what the database reports it created.
 */
export async function writeRunBatch(graph: Graph, runs: SourceRun[], catalog: TemplateCatalog): Promise<BatchResult> {
  const placed: PlacedRun[] = parentsFirst(runs.map((r) => catalog.place(r)));
  return graph.write(async (tx: ManagedTransaction) => {
    const found = (await tx.run(EXISTING, { ids: placed.map((p) => p.run.id) })).records;
    const existing = new Map(found.map((rec) => [rec.get('id') as string, rec.get('hash') as string]));
    const running = new Set(found.filter((rec) => rec.get('state') === 'running').map((rec) => rec.get('id') as string));
    const result: BatchResult = { stored: [], unchanged: [], conflicts: [], replaced: [], jobs: 0, edges: 0 };
    const replace: string[] = [];
    const fresh: PlacedRun[] = [];
    // The same id twice in one batch: the first is stored, the second compared with it.
    const inBatch = new Map<string, string>();
    for (const p of placed) {
      const h = inBatch.get(p.run.id) ?? existing.get(p.run.id);
      const replacing = !inBatch.has(p.run.id) && h !== undefined && h !== p.run.contentHash && running.has(p.run.id);
      if (h === undefined || replacing) {
        fresh.push(p);
        inBatch.set(p.run.id, p.run.contentHash);
        if (replacing) replace.push(p.run.id);
      } else if (h === p.run.contentHash) result.unchanged.push(p.run.id);
      else result.conflicts.push([p.run.id, h]);
    }
    if (fresh.length === 0) return result;
    if (replace.length) await tx.run(DELETE_RUNS, { ids: replace, onlyRunning: true });
    const templates = new Map(fresh.map((p) => [p.template.id, p.template]));
    await tx.run(STORE_TEMPLATES, { templates: [...templates.values()].map(templateProps) });
    const res = await tx.run(CREATE_RUNS, {
      runs: fresh.map(({ run, template }) => {
        const jobs = run.jobs.map((j) => jobProps(j, run));
        return {
          template: template.id,
          // The run's job table (readers' one-node path) from the very maps its Job nodes get.
          props: { ...runProps(run, template), ...jobTableProps(jobs) },
          jobs: jobs.map(jobRow),
          // Flat [parent, child, parent, child, …]: list indices must be integers.
          edges: run.edges.flatMap(([a, b]) => [neo4j.int(a), neo4j.int(b)]),
        };
      }),
    });
    const rec = res.records[0];
    result.stored = (rec?.get('ids') as string[] | null) ?? [];
    result.jobs = (rec?.get('jobs') as number | null) ?? 0;
    result.edges = (rec?.get('edges') as number | null) ?? 0;
    result.replaced = replace.filter((id) => result.stored.includes(id));
    if (fresh.some((p) => p.run.parent !== null) || (await hasChildrenWaiting(tx, result.stored))) {
      await tx.run(LINK_PARENTS, { ids: result.stored });
    }
    return result;
  });
}

/** Whether runs stored earlier name one of these as their parent (sub-workflows stored first). */
async function hasChildrenWaiting(tx: ManagedTransaction, ids: string[]): Promise<boolean> {
  const res = await tx.run('UNWIND $ids AS id MATCH (sub:Run {parentRunId: id}) RETURN count(sub) > 0 AS any', { ids });
  return (res.records[0]?.get('any') as boolean | undefined) ?? false;
}
