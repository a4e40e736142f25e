/**
 * Run reads for the API: runs by id, filtered and sorted pages (keyset pagination), counts,
 * workflows. Every value is a parameter; only the presence of a filter changes the statement.
 */
import neo4j from 'neo4j-driver';
import type { Graph } from '../../graph/driver';
import { UNLABELLED } from '../../ingest/labels';
import { predictionFields, predictionId, toPrediction, type PredictionRecord } from './predictions';

export interface RunRow {
  id: string;
  workflow: string;
  /** null: unknown truth (unlabelled run). */
  label: string | null;
  category: string | null;
  level: number | null;
  /** Epoch seconds. */
  startedAt: number | null;
  endedAt: number | null;
  jobCount: number;
  instance: string | null;
  runNumber: number | null;
  /** succeeded, failed or running (as far as the source tells); null when it does not. */
  state: string | null;
  /** The source format (flowgad-csv, flowbench-csv, stampede-db, jobstate-log, json). */
  kind: string | null;
  /** The file or submit directory the run was read from. */
  source: string | null;
  /** A sub-workflow's parent run and the parent's job that ran it; null for a top-level run. */
  parentRunId: string | null;
  parentJob: string | null;
}

export interface RunSelection {
  workflow?: string | null;
  label?: string | null;
  category?: string | null;
  level?: number | null;
  /** true: runs of known truth only; false: unlabelled runs only. */
  labelled?: boolean | null;
  /** Epoch seconds, inclusive. */
  from?: number | null;
  /** Epoch seconds, exclusive. */
  to?: number | null;
  /** Model whose stored predictions the predicted/score filters and the score sort use. */
  modelId?: string | null;
  predicted?: string | null;
  minScore?: number | null;
  maxScore?: number | null;
}

export type SortKey = 'TIME' | 'SCORE';
export interface RunSort {
  by: SortKey;
  descending: boolean;
}

/** Position after which a page starts: the previous row's sort value and id. */
export interface Cursor {
  k: number;
  id: string;
}

/** A stored prediction's verdict alone: what a page reads when its query asks no other prediction field. */
export interface PredictionVerdict {
  predicted: string;
  /** 1 - P(normal). */
  score: number;
}

/**
 * Which stored prediction fields a page reads with its rows: all of them (the record), or the
 * verdict alone (half the bytes to read, send and decode per row).
 */
export type PagePredictionFields = 'all' | 'verdict';

/** A model whose stored predictions a page reads with its rows, and how much of each. */
export interface PagePredictions {
  modelId: string;
  fields: PagePredictionFields;
}

export interface PageRow {
  run: RunRow;
  key: number;
  score: number | null;
  /** The stored prediction of the page's model (`withPredictionOf`, fields 'all'), if any. */
  prediction: PredictionRecord | null;
  /** Its verdict (fields 'all' or 'verdict'); null when the model has stored none for the run. */
  verdict: PredictionVerdict | null;
}

/** The Run properties a RunRow holds, in the order runOfItems reads them. */
const RUN_PROPS = ['id', 'workflow', 'label', 'category', 'level', 'startedAt', 'endedAt', 'jobCount', 'instance', 'runNumber', 'state', 'kind', 'source', 'parentRunId', 'parentJob'] as const;

/** A Run node `r` as one map, named `run` (a projection: only these properties cross the wire). */
const RUN_MAP = `r{${RUN_PROPS.map((p) => `.${p}`).join(', ')}}`;
export const RUN_FIELDS = `${RUN_MAP} AS run`;

/** The same properties as list items (a page's rows: no property names on the wire). */
const RUN_ITEMS = RUN_PROPS.map((p) => `r.${p}`).join(', ');

/** A run from its RUN_FIELDS map. */
export function toRun(o: Record<string, unknown>): RunRow {
  return runOfItems(RUN_PROPS.map((p) => o[p]));
}

/** A run from the first RUN_PROPS.length items of a row list (RUN_ITEMS). */
function runOfItems(a: readonly unknown[]): RunRow {
  return {
    id: a[0] as string,
    workflow: a[1] as string,
    label: (a[2] as string | null | undefined) ?? null,
    category: (a[3] as string | null | undefined) ?? null,
    level: (a[4] as number | null | undefined) ?? null,
    startedAt: (a[5] as number | null | undefined) ?? null,
    endedAt: (a[6] as number | null | undefined) ?? null,
    jobCount: (a[7] as number | null | undefined) ?? 0,
    instance: (a[8] as string | null | undefined) ?? null,
    runNumber: (a[9] as number | null | undefined) ?? null,
    state: (a[10] as string | null | undefined) ?? null,
    kind: (a[11] as string | null | undefined) ?? null,
    source: (a[12] as string | null | undefined) ?? null,
    parentRunId: (a[13] as string | null | undefined) ?? null,
    parentJob: (a[14] as string | null | undefined) ?? null,
  };
}

export async function readRunRows(graph: Graph, ids: readonly string[]): Promise<Map<string, RunRow>> {
  const res = await graph.query(`UNWIND $ids AS id MATCH (r:Run {id: id}) RETURN ${RUN_FIELDS}`, { ids });
  return new Map(res.records.map((rec) => {
    const run = toRun(rec.get('run') as Record<string, unknown>);
    return [run.id, run];
  }));
}

/** Most sub-workflows a run answers (`Run.subworkflows`). */
export const MAX_SUBWORKFLOWS = 500;

/** Per parent run id: its sub-workflow runs (oldest first, at most MAX_SUBWORKFLOWS). */
export async function readSubworkflows(graph: Graph, parentIds: readonly string[]): Promise<Map<string, RunRow[]>> {
  const res = await graph.query(
    `UNWIND $ids AS id
     CALL (id) { MATCH (r:Run {parentRunId: id}) WITH r ORDER BY r.startedAt, r.id LIMIT $max RETURN collect(${RUN_MAP}) AS subs }
     RETURN id, subs`,
    { ids: [...parentIds], max: neo4j.int(MAX_SUBWORKFLOWS) },
  );
  return new Map(res.records.map((rec) => [rec.get('id') as string, (rec.get('subs') as Array<Record<string, unknown>>).map(toRun)]));
}

/** MATCH + WHERE for a selection; `p` is bound when the selection or the sort needs predictions. */
function selectionClause(sel: RunSelection, needPrediction: boolean, extraWhere: readonly string[] = []): { cypher: string; params: Record<string, unknown> } {
  const where: string[] = [...extraWhere];
  const params: Record<string, unknown> = {};
  const eq = (prop: string, value: unknown, name: string): void => {
    if (value === null || value === undefined) return;
    where.push(`r.${prop} = $${name}`);
    params[name] = value;
  };
  eq('workflow', sel.workflow, 'workflow');
  eq('label', sel.label, 'label');
  // `unlabelled`, as runsByCategory counts them: the runs of unknown truth (no category).
  if (sel.category === UNLABELLED) where.push('r.category IS NULL');
  else eq('category', sel.category, 'category');
  eq('level', sel.level, 'level');
  if (sel.labelled !== null && sel.labelled !== undefined) where.push(sel.labelled ? 'r.label IS NOT NULL' : 'r.label IS NULL');
  if (sel.from !== null && sel.from !== undefined) {
    where.push('r.startedAt >= $from');
    params.from = sel.from;
  }
  if (sel.to !== null && sel.to !== undefined) {
    where.push('r.startedAt < $to');
    params.to = sel.to;
  }
  const filtersOnPrediction = sel.predicted != null || sel.minScore != null || sel.maxScore != null;
  let cypher = `MATCH (r:Run)${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  if (sel.modelId && (needPrediction || filtersOnPrediction)) {
    params.modelId = sel.modelId;
    const pw: string[] = [];
    if (sel.predicted != null) {
      pw.push('p.predicted = $predicted');
      params.predicted = sel.predicted;
    }
    if (sel.minScore != null) {
      pw.push('p.score >= $minScore');
      params.minScore = sel.minScore;
    }
    if (sel.maxScore != null) {
      pw.push('p.score <= $maxScore');
      params.maxScore = sel.maxScore;
    }
    cypher += `\n${filtersOnPrediction ? 'MATCH' : 'OPTIONAL MATCH'} (p:Prediction {id: r.id + '|' + $modelId})${pw.length ? ` WHERE ${pw.join(' AND ')}` : ''}`;
  } else {
    cypher += '\nWITH r, null AS p';
  }
  return { cypher, params };
}

/**
 * One page: `first + 1` rows are read so the caller knows whether another page follows. Sorting
 * by score puts runs without a stored prediction of the model last (key -1). With
 * `withPredictionOf` (a model id) each row also carries that model's stored prediction, read in
 * the same query, after the page is cut.
 *
 * By time, the key is coalesce(startedAt, 0). Runs with a start time are read in the order of the
 * startedAt index (the first rows, not all runs sorted: 3 ms instead of 30 at 6,000 runs); runs
 * without one (key 0) by a second query, only when the page reaches key 0.
 */
export async function runsPage(graph: Graph, sel: RunSelection, sort: RunSort, first: number, after: Cursor | null, withPredictionOf: PagePredictions | null = null): Promise<PageRow[]> {
  const limit = first + 1;
  const read = (parts: PagePart[]): Promise<PageRow[]> => pageQuery(graph, sel, sort, limit, after, withPredictionOf, parts);
  if (sort.by === 'SCORE') return read([{ key: 'coalesce(p.score, -1.0)', where: [] }]);
  // Seek: the cursor's key bounds the index range (the tie on id is filtered after).
  const timed: PagePart = { key: 'r.startedAt', where: ['r.startedAt IS NOT NULL', ...(after ? [`r.startedAt ${sort.descending ? '<=' : '>='} $afterK`] : [])] };
  const untimed: PagePart = { key: '0', where: ['r.startedAt IS NULL'] };
  if (!sort.descending) return read(after && after.k > 0 ? [timed] : [untimed, timed]);
  const rows = await read([timed]);
  const last = rows[rows.length - 1];
  if (rows.length === limit && last && last.key > 0) return rows;
  const dir = -1;
  const merged = rows.concat(await read([untimed]));
  merged.sort((a, b) => dir * (a.key - b.key || (a.run.id < b.run.id ? -1 : a.run.id > b.run.id ? 1 : 0)));
  return merged.slice(0, limit);
}

/** Part of a selection (narrowed by `where`) and its sort key. */
interface PagePart {
  key: string;
  where: readonly string[];
}

/**
 * Up to `limit` rows of the union of `parts`, ordered by key, then id. They come back as one record
 * holding a list per row (run properties, key, score, prediction): the driver then decodes one
 * record, not one per row, and no property names (half its work on a page of 100).
 */
async function pageQuery(graph: Graph, sel: RunSelection, sort: RunSort, limit: number, after: Cursor | null, withPredictionOf: PagePredictions | null, parts: readonly PagePart[]): Promise<PageRow[]> {
  const cmp = sort.descending ? '<' : '>';
  const dir = sort.descending ? 'DESC' : 'ASC';
  const afterClause = after ? `WHERE k ${cmp} $afterK OR (k = $afterK AND r.id ${cmp} $afterId)` : '';
  let params: Record<string, unknown> = {};
  const branches = parts.map((part) => {
    const c = selectionClause(sel, sort.by === 'SCORE', part.where);
    params = { ...params, ...c.params };
    return `${c.cypher}
WITH r, p, ${part.key} AS k
${afterClause}
WITH r, k, p.score AS score
ORDER BY k ${dir}, r.id ${dir}
LIMIT $limit`;
  });
  const page = branches.length === 1 ? branches[0] : `CALL () {\n${branches.map((b) => `${b}\nRETURN r, k, score`).join('\nUNION ALL\n')}\n}\nWITH r, k, score ORDER BY k ${dir}, r.id ${dir} LIMIT $limit`;
  const fields = withPredictionOf?.fields ?? null;
  const prediction = fields === 'all' ? predictionFields('pp') : fields === 'verdict' ? 'CASE WHEN pp IS NULL THEN null ELSE [pp.predicted, pp.score] END' : 'null';
  // The ORDER BY before collect keeps the rows in page order in the list (the plan does not sort again).
  const q = `${page}
${withPredictionOf ? "OPTIONAL MATCH (pp:Prediction {id: r.id + '|' + $pageModel})" : 'WITH r, k, score, null AS pp'}
WITH r, k, score, pp ORDER BY k ${dir}, r.id ${dir}
RETURN collect([${RUN_ITEMS}, k, score, ${prediction}]) AS rows`;
  const res = await graph.query(q, { ...params, afterK: after?.k ?? null, afterId: after?.id ?? null, limit: neo4j.int(limit), pageModel: withPredictionOf?.modelId ?? null });
  const rows = (res.records[0]?.get('rows') as unknown[][] | undefined) ?? [];
  const K = RUN_PROPS.length;
  return rows.map((a) => {
    const run = runOfItems(a);
    const p = a[K + 2] as Record<string, unknown> | [string, number] | null;
    let prediction: PredictionRecord | null = null;
    let verdict: PredictionVerdict | null = null;
    if (p && withPredictionOf) {
      if (Array.isArray(p)) verdict = { predicted: p[0], score: p[1] };
      else {
        prediction = toPrediction(predictionId(run.id, withPredictionOf.modelId), p);
        verdict = prediction;
      }
    }
    return { run, key: a[K] as number, score: a[K + 1] as number | null, prediction, verdict };
  });
}

export async function countRuns(graph: Graph, sel: RunSelection): Promise<number> {
  const { cypher, params } = selectionClause(sel, false);
  const res = await graph.query(`${cypher}\nRETURN count(r) AS n`, params);
  return (res.records[0]?.get('n') as number | undefined) ?? 0;
}

/** Ids of every run of a selection, in id order (for scoring). */
export async function runIds(graph: Graph, sel: RunSelection, limit: number): Promise<string[]> {
  const { cypher, params } = selectionClause(sel, false);
  const res = await graph.query(`${cypher}\nRETURN r.id AS id ORDER BY id LIMIT $limit`, { ...params, limit: neo4j.int(limit) });
  return res.records.map((r) => r.get('id') as string);
}

export interface WorkflowRow {
  name: string;
  jobs: number;
  edges: number;
  runsByLabel: Record<string, number>;
  runsByCategory: Record<string, number>;
}

export async function readWorkflows(graph: Graph, name: string | null): Promise<WorkflowRow[]> {
  const res = await graph.query(
    `MATCH (w:Workflow) WHERE $name IS NULL OR w.name = $name
     OPTIONAL MATCH (r:Run {workflow: w.name})
     WITH w, coalesce(r.label, CASE WHEN r IS NULL THEN null ELSE 'unlabelled' END) AS label,
          coalesce(r.category, CASE WHEN r IS NULL THEN null ELSE 'unlabelled' END) AS category, count(r) AS n
     RETURN w.name AS name, w.jobs AS jobs, w.edges AS edges, collect([label, category, n]) AS counts
     ORDER BY name`,
    { name },
  );
  return res.records.map((rec) => {
    const runsByLabel: Record<string, number> = {};
    const runsByCategory: Record<string, number> = {};
    for (const [label, category, n] of rec.get('counts') as Array<[string | null, string | null, number]>) {
      if (label === null || category === null || n === 0) continue;
      runsByLabel[label] = n;
      runsByCategory[category] = (runsByCategory[category] ?? 0) + n;
    }
    return { name: rec.get('name') as string, jobs: rec.get('jobs') as number, edges: rec.get('edges') as number, runsByLabel, runsByCategory };
  });
}


export interface SeriesCell {
  /** Bucket start, epoch seconds. */
  bucket: number;
  category: string;
  count: number;
}

/**
 * Runs per time bucket and category: the true category, or the predicted class of a model
 * (runs it has not scored count as "unscored").
 */
export async function readSeries(graph: Graph, sel: { workflow: string | null; from: number; to: number; step: number; modelId: string | null }): Promise<SeriesCell[]> {
  const byPrediction = sel.modelId !== null;
  const q = `
MATCH (r:Run) WHERE r.startedAt >= $from AND r.startedAt < $to AND ($workflow IS NULL OR r.workflow = $workflow)
${byPrediction ? "OPTIONAL MATCH (p:Prediction {id: r.id + '|' + $modelId})" : 'WITH r, null AS p'}
WITH $from + toInteger(floor((r.startedAt - $from) / $step)) * $step AS bucket,
     ${byPrediction ? "coalesce(p.predicted, 'unscored')" : "coalesce(r.category, 'unlabelled')"} AS category
RETURN bucket, category, count(*) AS n
ORDER BY bucket, category`;
  const res = await graph.query(q, { workflow: sel.workflow, from: sel.from, to: sel.to, step: sel.step, modelId: sel.modelId });
  return res.records.map((r) => ({ bucket: r.get('bucket') as number, category: r.get('category') as string, count: r.get('n') as number }));
}
