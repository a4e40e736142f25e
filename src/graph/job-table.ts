/**
 * A run's jobs packed on its Run node, so that scoring and training read one node per run instead
 * of every job's properties (flowgad: 136k jobs × 20 properties per pass, most of a scoring pass):
 *
 *   r.jobTableFields  string[]  the numeric columns, in order (JOB_TABLE_NUMBERS); a reader uses the
 *                               table only when they are exactly the ones it expects
 *   r.jobTable        string    base64 of float64 little-endian [n, K]: row i = the job with index i,
 *                               NaN = missing (base64, not byte[]: the JavaScript driver decodes a
 *                               byte[] one byte per call, a string natively: 0.4 s per flowgad pass)
 *   r.jobNames, r.jobTypes, r.jobHosts, r.jobLabels   string[n]   ('' = missing)
 *
 * Written with the run, from the same property maps as its Job nodes, so the two cannot disagree
 * (graph/runs.ts); runs stored before the table existed are read from their Job nodes
 * (graph/read-runs.ts does either).
 */
import neo4j from 'neo4j-driver';
import type { Graph } from './driver';

/** The numeric job properties the table holds, in column order. */
export const JOB_TABLE_NUMBERS = [
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
] as const;
export type JobTableNumber = (typeof JOB_TABLE_NUMBERS)[number];

/** The string job properties the table holds, each as its own Run property. */
export const JOB_TABLE_STRINGS = { name: 'jobNames', type: 'jobTypes', kickstartHostname: 'jobHosts', label: 'jobLabels' } as const;

export interface JobTableProps {
  jobTableFields: string[];
  jobTable: string;
  jobNames: string[];
  jobTypes: string[];
  jobHosts: string[];
  jobLabels: string[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (neo4j.isInt(v)) return (v as { toNumber(): number }).toNumber();
  return NaN;
}

/**
 * The Run properties packing `jobs`: the property maps stored on the run's Job nodes (each with
 * its `index`, 0..n-1; any order; a missing property = missing value).
 */
export function jobTableProps(jobs: ReadonlyArray<Record<string, unknown>>): JobTableProps {
  const n = jobs.length;
  const K = JOB_TABLE_NUMBERS.length;
  const values = new Float64Array(n * K);
  const out: JobTableProps = { jobTableFields: [...JOB_TABLE_NUMBERS], jobTable: '', jobNames: [], jobTypes: [], jobHosts: [], jobLabels: [] };
  const strings = Object.entries(JOB_TABLE_STRINGS) as Array<[string, keyof JobTableProps]>;
  for (const [, prop] of strings) (out[prop] as string[]).length = n;
  jobs.forEach((job, pos) => {
    const i = job.index === undefined ? pos : numberOf(job.index);
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new RangeError(`jobTableProps: job ${String(job.name)} has index ${String(job.index)}, not in [0, ${n})`);
    for (let k = 0; k < K; k++) values[i * K + k] = numberOf(job[JOB_TABLE_NUMBERS[k] as string]);
    for (const [field, prop] of strings) {
      const v = job[field];
      (out[prop] as string[])[i] = typeof v === 'string' ? v : '';
    }
  });
  if (!LITTLE_ENDIAN) {
    const view = new DataView(values.buffer);
    for (let k = 0; k < values.length; k++) view.setFloat64(8 * k, values[k] as number, true);
  }
  out.jobTable = Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
  return out;
}

/** The table's numbers back as [n, K] float64 (NaN = missing), from the base64 text read. */
export function jobTableValues(base64: string, n: number): Float64Array {
  const K = JOB_TABLE_NUMBERS.length;
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.byteLength !== n * K * 8) throw new RangeError(`a job table of ${bytes.byteLength} bytes for ${n} jobs × ${K} columns (expected ${n * K * 8})`);
  // Small buffers come from Node's shared pool at any offset: copy unless float64-aligned.
  if (LITTLE_ENDIAN) return bytes.byteOffset % 8 === 0 ? new Float64Array(bytes.buffer, bytes.byteOffset, n * K) : new Float64Array(new Uint8Array(bytes).buffer);
  const out = new Float64Array(n * K);
  for (let k = 0; k < out.length; k++) out[k] = bytes.readDoubleLE(8 * k);
  return out;
}

const WITHOUT_TABLE = `
MATCH (r:Run) WHERE (r.jobTableFields IS NULL OR r.jobTableFields <> $fields) AND ($workflows IS NULL OR r.workflow IN $workflows)
WITH r LIMIT $limit
CALL (r) {
  MATCH (r)-[:HAS_JOB]->(j:Job)
  RETURN collect(properties(j)) AS jobs
}
RETURN r.id AS id, jobs`;
const SET_TABLE = `
UNWIND $rows AS row
MATCH (r:Run {id: row.id})
SET r += row.table`;

/**
 * Writes the job table of every stored run (of `workflows`, else all) that lacks one or has other
 * columns, from its Job nodes, `batch` runs per transaction; returns how many runs it wrote.
 * Idempotent: a second call finds nothing to do (one scan of the runs' column lists).
 */
export async function backfillJobTables(graph: Graph, opts: { workflows?: readonly string[]; batch?: number; onProgress?: (runs: number) => void } = {}): Promise<number> {
  let done = 0;
  const params = { fields: JOB_TABLE_NUMBERS, workflows: opts.workflows ?? null, limit: neo4j.int(opts.batch ?? 500) };
  for (;;) {
    const res = await graph.query(WITHOUT_TABLE, params);
    if (res.records.length === 0) return done;
    const rows = res.records.map((r) => ({ id: r.get('id') as string, table: jobTableProps(r.get('jobs') as Array<Record<string, unknown>>) }));
    await graph.write((tx) => tx.run(SET_TABLE, { rows }));
    done += rows.length;
    opts.onProgress?.(done);
  }
}
