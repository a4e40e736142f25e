/**
 * What `wfad report <run-id>` reads: one run with every stored property of its jobs, its in-run DAG
 * edges (the `FEEDS` relationships, so runs with their own DAG read the same as templated ones), its
 * stored predictions (run level and job level, with the models that made them), and the values of
 * the same jobs in the workflow's latest normal runs (the baseline deviations are measured against).
 * All values travel as $parameters; property lists are written out in the query text.
 */
import neo4j from 'neo4j-driver';
import type { Graph } from './driver';

/** Measurements compared with normal runs, in the order of `BaselineRow.values`. */
export const MEASURES = ['wmsDelay', 'queueDelay', 'runtime', 'postScriptDelay', 'stageInDelay', 'stageOutDelay', 'cpuTime'] as const;
export type Measure = (typeof MEASURES)[number];

export interface ReportJob {
  id: string;
  name: string;
  /** The template job it stands for (names of auxiliary jobs carry the run's instance id). */
  key: string;
  /** Every stored property of the job (timestamps in epoch seconds, delays in seconds). */
  props: Record<string, unknown>;
}

export interface StoredPrediction {
  modelId: string;
  level: 'graph' | 'node';
  task: string | null;
  active: boolean;
  predicted: string;
  score: number;
  classes: string[];
  probabilities: number[];
  scoredAt: string | null;
  /** Every stored property of the prediction node (an explanation, when the detector stores one). */
  props: Record<string, unknown>;
}

export interface ReportRun {
  id: string;
  workflow: string;
  props: Record<string, unknown>;
  jobs: ReportJob[];
  /** [parent job id, child job id]. */
  edges: Array<[string, string]>;
  runPredictions: StoredPrediction[];
  /** Per job id, its stored job-level predictions. */
  jobPredictions: Map<string, StoredPrediction[]>;
}

/** A number from a Neo4j value (Integer, float, or null). */
export function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (neo4j.isInt(v)) return (v as { toNumber(): number }).toNumber();
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Plain JS values: Neo4j integers as numbers, temporal values as ISO strings. */
function plain(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (neo4j.isInt(v)) out[k] = (v as { toNumber(): number }).toNumber();
    else if (Array.isArray(v)) out[k] = v.map((x) => (neo4j.isInt(x) ? (x as { toNumber(): number }).toNumber() : x));
    else if (v !== null && typeof v === 'object' && 'toString' in v && !(v.constructor === Object)) out[k] = String(v);
    else out[k] = v;
  }
  return out;
}

const RUN = `
MATCH (w:Workflow)-[:HAS_RUN]->(r:Run {id: $runId})
CALL (r) {
  MATCH (r)-[:HAS_JOB]->(j:Job)
  OPTIONAL MATCH (j)-[:HAS_PREDICTION]->(p:Prediction)-[:BY_MODEL]->(m:Model)
  WITH j, collect(CASE WHEN p IS NULL THEN null ELSE {p: properties(p), model: properties(m)} END) AS preds
  RETURN collect({id: j.id, name: j.name, key: coalesce(j.template, j.name), props: properties(j), preds: preds}) AS jobs
}
CALL (r) {
  MATCH (r)-[:HAS_JOB]->(a:Job)-[:FEEDS]->(b:Job)<-[:HAS_JOB]-(r)
  RETURN collect([a.id, b.id]) AS edges
}
CALL (r) {
  OPTIONAL MATCH (r)-[:HAS_PREDICTION]->(p:Prediction)-[:BY_MODEL]->(m:Model)
  RETURN collect(CASE WHEN p IS NULL THEN null ELSE {p: properties(p), model: properties(m)} END) AS preds
}
RETURN w.name AS workflow, properties(r) AS props, jobs, edges, preds`;

function prediction(x: { p: Record<string, unknown>; model: Record<string, unknown> }): StoredPrediction {
  const p = plain(x.p);
  const m = plain(x.model);
  return {
    modelId: String(p.modelId ?? m.id),
    level: (p.level ?? m.level) as 'graph' | 'node',
    task: (m.task as string | undefined) ?? null,
    active: m.active === true,
    predicted: String(p.predicted),
    score: Number(p.score),
    classes: (m.classes as string[] | undefined) ?? [],
    probabilities: (p.probabilities as number[] | undefined) ?? [],
    scoredAt: (p.scoredAt as string | undefined) ?? null,
    props: p,
  };
}

/** One run with its jobs, edges and stored predictions; null when no run has this id. */
export async function readReportRun(graph: Graph, runId: string): Promise<ReportRun | null> {
  const res = await graph.query(RUN, { runId });
  const rec = res.records[0];
  if (!rec) return null;
  type RawJob = { id: string; name: string; key: string; props: Record<string, unknown>; preds: Array<{ p: Record<string, unknown>; model: Record<string, unknown> }> };
  const rawJobs = rec.get('jobs') as RawJob[];
  const jobPredictions = new Map<string, StoredPrediction[]>();
  for (const j of rawJobs) if (j.preds.length) jobPredictions.set(j.id, j.preds.map(prediction));
  const jobs = rawJobs
    .map((j) => ({ id: j.id, name: j.name, key: j.key, props: plain(j.props) }))
    .sort((a, b) => (num(a.props.index) ?? Infinity) - (num(b.props.index) ?? Infinity) || a.name.localeCompare(b.name));
  return {
    id: runId,
    workflow: rec.get('workflow') as string,
    props: plain(rec.get('props') as Record<string, unknown>),
    jobs,
    edges: rec.get('edges') as Array<[string, string]>,
    runPredictions: (rec.get('preds') as Array<{ p: Record<string, unknown>; model: Record<string, unknown> }>).map(prediction),
    jobPredictions,
  };
}

export interface Baseline {
  /** Normal runs the baseline was taken from. */
  runs: number;
  /** Per template job key, per measure: the values seen in those runs. */
  values: Map<string, Array<number[]>>;
}

const BASELINE = `
MATCH (w:Workflow {name: $workflow})-[:HAS_RUN]->(r:Run {category: 'normal'})
WHERE r.id <> $runId
WITH r ORDER BY r.startedAt DESC, r.id LIMIT $maxRuns
MATCH (r)-[:HAS_JOB]->(j:Job)
RETURN coalesce(j.template, j.name) AS key,
       collect([j.wmsDelay, j.queueDelay, j.runtime, j.postScriptDelay, j.stageInDelay, j.stageOutDelay, j.cpuTime]) AS rows,
       count(DISTINCT r) AS runs`;

/**
 * The measurements of each template job in the workflow's latest `maxRuns` normal runs (by truth),
 * the run itself excluded. Empty when the workflow has no labelled normal run.
 */
export async function readBaseline(graph: Graph, workflow: string, runId: string, maxRuns: number): Promise<Baseline> {
  const res = await graph.query(BASELINE, { workflow, runId, maxRuns: neo4j.int(maxRuns) });
  const values = new Map<string, Array<number[]>>();
  let runs = 0;
  for (const r of res.records) {
    const rows = r.get('rows') as unknown[][];
    const cols: Array<number[]> = MEASURES.map(() => []);
    for (const row of rows) row.forEach((v, i) => {
      const x = num(v);
      if (x !== null) cols[i]?.push(x);
    });
    values.set(r.get('key') as string, cols);
    runs = Math.max(runs, num(r.get('runs')) ?? 0);
  }
  return { runs, values };
}
