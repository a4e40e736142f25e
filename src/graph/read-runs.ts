/**
 * Reading runs back as plain records for training, scoring and export: a run with its jobs in
 * template order (job i = job i of the run's template version) and its own DAG as index pairs. One
 * query per page of runs. A run stored with its job table (graph/job-table.ts) is read from its Run
 * node alone; an older one from its Job nodes, their properties as positional lists.
 */
import neo4j, { type ManagedTransaction, type Record as Neo4jRecord } from 'neo4j-driver';
import type { Graph } from './driver';
import { JOB_TABLE_NUMBERS, jobTableValues } from './job-table';

/** Job properties read for features, in this order in `RunRecord.jobs[i]`. */
export const JOB_FIELDS = ['type', ...JOB_TABLE_NUMBERS, 'kickstartHostname'] as const;
export type JobField = (typeof JOB_FIELDS)[number];
export type JobValues = Array<string | number | null>;

export interface RunRecord {
  id: string;
  workflow: string;
  /** The run's truth; null = unknown (unlabelled run). */
  label: string | null;
  category: string | null;
  level: number | null;
  startedAt: number | null;
  /** How the run went: 'succeeded', 'failed' or 'running' (still in progress); null when not stored. */
  state?: string | null;
  /** The run's template version: id `<workflow>#<DAG hash>` and version number (1, 2, …). */
  template: string | null;
  templateVersion: number | null;
  /** Job names in template order. */
  jobNames: string[];
  /** jobs[i][k] is JOB_FIELDS[k] of job i (null when missing). */
  jobs: JobValues[];
  /** Per-job truth, aligned with `jobs`: the job's own label where its source has one, else the run's; null = unknown. */
  jobLabels: Array<string | null>;
  /**
   * Flattened [p0, c0, p1, c1, ...]: the run's own DAG (its template version's), parent → child.
   * Runs of one template share one array: read-only.
   */
  edges: number[];
}

export interface RunQuery {
  workflows?: string[];
  runIds?: string[];
  /** true: only runs with known truth; false: only unlabelled runs; absent: all. */
  labelled?: boolean;
}

const LABELLED = '($labelled IS NULL OR (r.label IS NOT NULL) = $labelled)';
const WHERE = `($workflows IS NULL OR w.name IN $workflows) AND ($ids IS NULL OR r.id IN $ids)
  AND ${LABELLED}`;

/**
 * Runs by id start from the id index (one seek per id); `r.id IN $ids` behind the optional
 * filter was planned as a scan of every run's id, 50 ms per live prediction at 6,000 runs.
 */
const MATCH_ALL = `
MATCH (w:Workflow)-[:HAS_RUN]->(r:Run)
WHERE ($workflows IS NULL OR w.name IN $workflows) AND ${LABELLED} AND r.id > $after`;
const MATCH_IDS = `
UNWIND $ids AS id
MATCH (w:Workflow)-[:HAS_RUN]->(r:Run {id: id})
WHERE ($workflows IS NULL OR w.name IN $workflows) AND ${LABELLED} AND r.id > $after
WITH DISTINCT w, r`;

/**
 * Stores from before template versions kept the DAG on the Workflow. Read through a parameter: a
 * property key the database has never seen is a warning per query otherwise, built by the driver.
 */
const LEGACY_EDGES = 'templateEdges';

/** The run's job table is there and has the columns this reader knows. */
const PACKED = 'r.jobTable IS NOT NULL AND r.jobTableFields = $tableFields';

const read = (match: string): string => `${match}
WITH w, r ORDER BY r.id LIMIT $limit
OPTIONAL MATCH (r)-[:USES_TEMPLATE]->(t:Template)
CALL (r) {
  WITH r WHERE NOT (${PACKED})
  MATCH (r)-[:HAS_JOB]->(j:Job)
  WITH j ORDER BY j.index
  RETURN collect(j.name) AS names, collect([${JOB_FIELDS.map((f) => `j.${f}`).join(', ')}]) AS jobs, collect(coalesce(j.label, '')) AS jobLabels
}
RETURN r.id AS id, w.name AS workflow, r.label AS label, r.category AS category, r.level AS level,
       r.startedAt AS startedAt, r.state AS state, t.id AS template, t.version AS templateVersion, names, jobs, jobLabels,
       CASE WHEN ${PACKED} THEN r{.jobTable, .jobNames, .jobTypes, .jobHosts, jobLabels: CASE WHEN all(l IN r.jobLabels WHERE l = coalesce(r.label, '')) THEN null ELSE r.jobLabels END} END AS packed,
       CASE WHEN t IS NULL THEN w[$legacyEdges] WHEN t.id IN $knownTemplates THEN null ELSE t.edges END AS edges`;
const READ_ALL = read(MATCH_ALL);
const READ_IDS = read(MATCH_IDS);

/**
 * A page of listed runs from the Run nodes alone: workflow and template are the run's own
 * properties (runs.ts writes them beside its HAS_RUN and USES_TEMPLATE relationships), so neither
 * relationship is walked, and the job-node subquery is not planned. On runs of a few dozen jobs this
 * was about half the database's work of `read` (their relationships, the jobs' included, are one
 * chain per run). A row it
 * cannot answer (no job table, no template on the run, a template this reader has not read, no
 * workflow name) is read again by `read` (rangePage).
 */
const READ_RANGE = `
MATCH (r:Run)
WHERE r.id > $after AND r.id <= $last AND ($workflows IS NULL OR r.workflow IN $workflows OR r.workflow IS NULL) AND ${LABELLED}
RETURN r.id AS id, r.workflow AS workflow, r.label AS label, r.category AS category, r.level AS level,
       r.startedAt AS startedAt, r.state AS state, r.template AS template, r.templateVersion AS templateVersion,
       null AS names, null AS jobs, null AS jobLabels, null AS edges,
       CASE WHEN ${PACKED} THEN r{.jobTable, .jobNames, .jobTypes, .jobHosts, jobLabels: CASE WHEN all(l IN r.jobLabels WHERE l = coalesce(r.label, '')) THEN null ELSE r.jobLabels END} END AS packed
ORDER BY id`;

const TABLE_COLUMN = JOB_FIELDS.map((f) => (JOB_TABLE_NUMBERS as readonly string[]).indexOf(f));
const TYPE = JOB_FIELDS.indexOf('type');
const HOST = JOB_FIELDS.indexOf('kickstartHostname');

interface PackedJobs {
  jobTable: string;
  jobNames: string[];
  jobTypes: string[];
  jobHosts: string[];
  /**
   * null when every job has the run's own label (the common case: a run labelled as a whole, or
   * not at all): filled in here instead of decoded as a string per job.
   */
  jobLabels: string[] | null;
}

/**
 * A run read from its job table keeps it (kept beside the record, not on it): features and hosts
 * are read from the table directly (features/job-features.ts), and the per-job rows of `jobs` are
 * built only when something asks for them. On small DAGs those rows (an array per job) were most
 * of what a scoring pass allocated.
 */
export interface JobTable {
  /** Jobs (rows). */
  n: number;
  /** [n, JOB_TABLE_NUMBERS.length] float64, NaN = missing. */
  values: Float64Array;
  /** Per job, '' = missing. */
  types: string[];
  hosts: string[];
}
const TABLES = new WeakMap<object, JobTable>();

/** The job table `run` was read from, while its `jobs` have not been read or set; else undefined. */
export function jobTableOf(run: object): JobTable | undefined {
  return TABLES.get(run);
}

/** A run's number of jobs, without building its job rows. */
export function jobCountOf(run: RunRecord): number {
  return TABLES.get(run)?.n ?? run.jobs.length;
}

/** JOB_FIELDS rows from a run's job table: the values its Job nodes hold (null = missing). */
function rowsOf(t: JobTable): JobValues[] {
  const K = JOB_TABLE_NUMBERS.length;
  const jobs: JobValues[] = new Array(t.n);
  for (let i = 0; i < t.n; i++) {
    // Built by push, in field order: a packed array (new Array(k) would stay holey and slower).
    const row: JobValues = [];
    for (let f = 0; f < JOB_FIELDS.length; f++) {
      const c = TABLE_COLUMN[f] as number;
      if (c >= 0) {
        const v = t.values[i * K + c] as number;
        row.push(v === v ? v : null);
      } else row.push((f === TYPE ? t.types[i] : f === HOST ? t.hosts[i] : null) || null);
    }
    jobs[i] = row;
  }
  return jobs;
}

/** The job table of JOB_FIELDS rows (rowsOf's inverse): what a run read from Job nodes, or built in memory, would have stored. */
export function tableOfRows(jobs: readonly JobValues[]): JobTable {
  const K = JOB_TABLE_NUMBERS.length;
  const n = jobs.length;
  const values = new Float64Array(n * K).fill(NaN);
  const types: string[] = new Array(n);
  const hosts: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = jobs[i] as JobValues;
    for (let f = 0; f < JOB_FIELDS.length; f++) {
      const c = TABLE_COLUMN[f] as number;
      const v = row[f];
      if (c >= 0 && typeof v === 'number') values[i * K + c] = v;
    }
    types[i] = typeof row[TYPE] === 'string' ? (row[TYPE] as string) : '';
    hosts[i] = typeof row[HOST] === 'string' ? (row[HOST] as string) : '';
  }
  return { n, values, types, hosts };
}

/**
 * `rec.jobs`, built from the table on first read. From then on the record forgets its table: its
 * rows are what it holds (a caller may change them), and so it is when they are set.
 */
function withLazyJobs(rec: Omit<RunRecord, 'jobs'>, t: JobTable): RunRecord {
  const settle = (obj: object, jobs: JobValues[]): void => {
    TABLES.delete(obj);
    Object.defineProperty(obj, 'jobs', { value: jobs, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(rec, 'jobs', {
    enumerable: true,
    configurable: true,
    get(this: RunRecord): JobValues[] {
      const jobs = rowsOf(t);
      settle(this, jobs);
      return jobs;
    },
    set(this: RunRecord, jobs: JobValues[]) {
      settle(this, jobs);
    },
  });
  TABLES.set(rec, t);
  return rec as RunRecord;
}

/**
 * One copy of each distinct string a reader meets: job names, types, hosts and labels repeat run
 * after run, and a page's runs are held while it is scored (a copy per run was most of what the
 * garbage collector moved while pages arrived).
 */
type Interner = Map<string, string>;
/**
 * Strings one reader keeps at most: names unique to each run (a workflow whose job names carry a
 * run id) would otherwise be held for the whole pass; past this, new strings are not kept.
 */
const INTERN_MAX = 100_000;
function intern(list: string[], seen: Interner): string[] {
  for (let i = 0; i < list.length; i++) {
    const s = list[i] as string;
    const known = seen.get(s);
    if (known !== undefined) list[i] = known;
    else if (seen.size < INTERN_MAX) seen.set(s, s);
  }
  return list;
}

/** A READ_RANGE row that READ_RANGE alone cannot turn into a record (see there). */
function incomplete(rec: Neo4jRecord, known: ReadonlySet<string>): boolean {
  const template = rec.get('template') as string | null;
  return rec.get('packed') === null || rec.get('workflow') === null || template === null || rec.get('templateVersion') === null || !known.has(template);
}

function record(rec: { get(key: string): unknown }, seen: Interner): RunRecord {
  const packed = rec.get('packed') as PackedJobs | null;
  const base = {
    id: rec.get('id') as string,
    workflow: rec.get('workflow') as string,
    label: (rec.get('label') as string | null) ?? null,
    category: (rec.get('category') as string | null) ?? null,
    level: (rec.get('level') as number | null) ?? null,
    startedAt: rec.get('startedAt') as number | null,
    state: (rec.get('state') as string | null) ?? null,
    template: (rec.get('template') as string | null) ?? null,
    templateVersion: (rec.get('templateVersion') as number | null) ?? null,
    edges: (rec.get('edges') as number[] | null) ?? [],
  };
  if (packed) {
    const n = packed.jobNames.length;
    const table: JobTable = { n, values: jobTableValues(packed.jobTable, n), types: intern(packed.jobTypes, seen), hosts: intern(packed.jobHosts, seen) };
    const jobLabels = packed.jobLabels ? intern(packed.jobLabels, seen).map((l) => (l === '' ? null : l)) : new Array<string | null>(n).fill(base.label || null);
    return withLazyJobs({ ...base, jobNames: intern(packed.jobNames, seen), jobLabels }, table);
  }
  return {
    ...base,
    jobNames: rec.get('names') as string[],
    jobs: rec.get('jobs') as JobValues[],
    // collect() drops nulls: '' stands for unknown in the query.
    jobLabels: (rec.get('jobLabels') as string[]).map((l) => (l === '' ? null : l)),
  };
}

/**
 * The query's rows as run records, each one converted as it arrives: the rows of a page (a job
 * table's base64 text is most of a row) are not all held until the last one has come, so they die
 * young instead of being copied by the garbage collector while the rest of the page arrives.
 */
function recordsOf(tx: ManagedTransaction, query: string, params: Record<string, unknown>, seen: Interner, skip?: (rec: Neo4jRecord) => boolean): Promise<RunRecord[]> {
  return new Promise((resolve, reject) => {
    const out: RunRecord[] = [];
    let failed = false;
    tx.run(query, params).subscribe({
      onNext: (rec: Neo4jRecord) => {
        if (failed) return;
        try {
          if (skip?.(rec)) return;
          out.push(record(rec, seen));
        } catch (err) {
          failed = true;
          reject(err);
        }
      },
      onCompleted: () => resolve(out),
      onError: reject,
    });
  });
}

/**
 * The runs with ids in (after, last], in id order: READ_RANGE, and `read` by id for the rows it
 * cannot answer. Runs stored since the ids were listed may fall in the range: they are included.
 */
async function rangePage(tx: ManagedTransaction, params: Record<string, unknown>, known: ReadonlySet<string>, seen: Interner): Promise<RunRecord[]> {
  const rest: string[] = [];
  const page = await recordsOf(tx, READ_RANGE, params, seen, (rec) => {
    if (!incomplete(rec, known)) return false;
    rest.push(rec.get('id') as string);
    return true;
  });
  if (rest.length === 0) return page;
  const more = await recordsOf(tx, READ_IDS, { ...params, ids: rest, after: '', limit: neo4j.int(Number.MAX_SAFE_INTEGER) }, seen);
  return [...page, ...more].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The matching runs' ids in order, and the templates they use. */
const RUN_IDS = `
MATCH (w:Workflow)-[:HAS_RUN]->(r:Run)
WHERE ${WHERE}
OPTIONAL MATCH (r)-[:USES_TEMPLATE]->(t:Template)
WITH r.id AS id, t.id AS template ORDER BY id
RETURN collect(id) AS ids, collect(DISTINCT template) AS templates`;
const TEMPLATE_EDGES = `
MATCH (t:Template) WHERE t.id IN $templates
RETURN t.id AS id, t.edges AS edges`;

/**
 * Sizes of the pages `total` listed runs are read in: `pageSize`, but the first and the last pages
 * are smaller (1/8, 1/4, 1/2 of a page). The caller starts on the first while the next ones are
 * read, instead of waiting for a whole page before anything overlaps; and what is left after the
 * last read (scoring a page, writing its rows) is a small page's work, not a whole one's.
 */
export function pageSizes(total: number, pageSize: number): number[] {
  const front: number[] = [];
  const back: number[] = [];
  let left = total;
  for (let size = Math.max(1, Math.ceil(pageSize / 8)); left > 0; size = Math.min(pageSize, 2 * size)) {
    for (const end of [front, back]) {
      const n = Math.min(size, left);
      if (n > 0) end.push(n);
      left -= n;
    }
  }
  return [...front, ...back.reverse()];
}

/**
 * Matching runs in run-id order, one page per yield. Reads run ahead of the caller: with
 * `readAhead` n, up to n pages are being read while the caller works on the current one (the
 * run ids are listed first so that pages can be read side by side, on several database cores;
 * pages then grow to `pageSize` from an eighth of it, and shrink again at the end: pageSizes).
 */
export async function* readRunPages(graph: Graph, q: RunQuery = {}, pageSize = 1000, readAhead = 1): AsyncGenerator<RunRecord[]> {
  const params = { workflows: q.workflows ?? null, ids: q.runIds ?? null, labelled: q.labelled ?? null, tableFields: JOB_TABLE_NUMBERS, legacyEdges: LEGACY_EDGES };
  /**
   * Template DAGs this reader has read: a page's query leaves out the edges of these (runs of one
   * template share its edges; on 57-job DAGs the per-run edge lists were a third of a page).
   */
  const templateEdges = new Map<string, number[]>();
  const withEdges = (page: RunRecord[], known: ReadonlySet<string>): RunRecord[] => {
    for (const r of page) {
      if (r.template === null) continue;
      if (known.has(r.template)) r.edges = templateEdges.get(r.template) as number[];
      else if (!templateEdges.has(r.template)) templateEdges.set(r.template, r.edges);
      else r.edges = templateEdges.get(r.template) as number[];
    }
    return page;
  };
  const seen: Interner = new Map();
  /** Template DAGs being read before the pages (none read yet: resolved). */
  let templatesRead: Promise<void> = Promise.resolve();
  const fetch = async (extra: { after: string; ids?: string[]; last?: string }): Promise<RunRecord[]> => {
    await templatesRead;
    const known = new Set(templateEdges.keys());
    return graph
      .read((tx) => {
        const ids = extra.ids ?? params.ids;
        if (extra.last !== undefined) return rangePage(tx, { ...params, after: extra.after, last: extra.last, knownTemplates: [...known] }, known, seen);
        return recordsOf(tx, ids ? READ_IDS : READ_ALL, { ...params, ids, after: extra.after, limit: neo4j.int(pageSize), knownTemplates: [...known] }, seen);
      })
      .then((page) => withEdges(page, known));
  };
  const queue: Array<Promise<RunRecord[]>> = [];
  try {
    if (readAhead <= 1) {
      let next: Promise<RunRecord[]> | null = fetch({ after: '' });
      queue.push(next);
      while (next) {
        const page: RunRecord[] = await next;
        queue.shift();
        const last = page[page.length - 1];
        next = page.length === pageSize && last ? fetch({ after: last.id }) : null;
        if (next) queue.push(next);
        if (page.length) yield page;
      }
      return;
    }
    const listed = (await graph.query(RUN_IDS, params)).records[0];
    const ids = (listed?.get('ids') as string[] | undefined) ?? [];
    // The templates' DAGs are read once, up front: no page carries them (the first pages read side
    // by side would each have carried them with every run).
    const templates = (listed?.get('templates') as string[] | undefined) ?? [];
    if (templates.length) {
      templatesRead = graph
        .query(TEMPLATE_EDGES, { templates })
        .then((res) => {
          for (const r of res.records) templateEdges.set(r.get('id') as string, (r.get('edges') as number[] | null) ?? []);
        });
    }
    const pages: string[][] = [];
    let from = 0;
    for (const size of pageSizes(ids.length, pageSize)) pages.push(ids.slice(from, (from += size)));
    let k = 0;
    // Asked-for ids go as the page's list; all matching runs go as the page's id range.
    const next = (): Promise<RunRecord[]> => {
      const page = pages[k] as string[];
      const after = k > 0 ? ((pages[k - 1] as string[]).at(-1) as string) : '';
      k++;
      return params.ids ? fetch({ after: '', ids: page }) : fetch({ after, last: page.at(-1) as string });
    };
    while (k < pages.length && queue.length < readAhead) queue.push(next());
    while (queue.length) {
      const page = await (queue[0] as Promise<RunRecord[]>);
      queue.shift();
      if (k < pages.length) queue.push(next());
      if (page.length) yield page;
    }
  } finally {
    // A caller that stops early leaves reads in flight: don't let their outcome go unhandled.
    for (const p of queue) p.catch(() => undefined);
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
  const res = await graph.query(`MATCH (w:Workflow)-[:HAS_RUN]->(r:Run) WHERE ${WHERE} RETURN count(r) AS n`, {
    workflows: q.workflows ?? null,
    ids: q.runIds ?? null,
    labelled: q.labelled ?? null,
  });
  return (res.records[0]?.get('n') as number | undefined) ?? 0;
}
