/**
 * Writes simulated runs in the flowgad layout the ingest reads: `adjacency_list_dags/<wf>.json`
 * (job → children) and `data/<label>/<workflow>-<instance>-runNNNN.csv`, one row per job, the
 * Panorama columns in the dataset's order, whole seconds, empty cells for what Pegasus leaves
 * empty (pre-scripts; staging of auxiliary jobs).
 */
import { MASTER } from './anomaly';
import type { DagShape } from './shapes';
import type { JobTrace, Phase, RunTrace } from './simulator';

export const HEADER = [
  '',
  'type',
  'is_clustered',
  'ready',
  'pre_script_start',
  'pre_script_end',
  'submit',
  'execute_start',
  'execute_end',
  'post_script_start',
  'post_script_end',
  'wms_delay',
  'pre_script_delay',
  'queue_delay',
  'runtime',
  'post_script_delay',
  'stage_in_delay',
  'stage_in_bytes',
  'stage_out_delay',
  'stage_out_bytes',
  'kickstart_user',
  'kickstart_site',
  'kickstart_hostname',
  'kickstart_transformations',
  'kickstart_executables',
  'kickstart_executables_argv',
  'kickstart_executables_cpu_time',
  'kickstart_status',
  'kickstart_executables_exitcode',
] as const;

/** The instance id named by the template's auxiliary jobs (any fixed one; the ingest ignores it). */
export const TEMPLATE_EPOCH = 1_704_067_200; // 2024-01-01T00:00:00Z

export function jobName(pattern: string, instance: string): string {
  return pattern.replace('{instance}', instance);
}

/** The DAG template file's text: `{"job": ["child", ...], ...}` in template order. */
export function templateJson(shape: DagShape): string {
  const instance = shape.instance(TEMPLATE_EPOCH);
  const names = shape.jobs.map((j) => jobName(j.name, instance));
  const adjacency: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, [] as string[]]));
  for (const [p, c] of shape.edges) (adjacency[names[p] as string] as string[]).push(names[c] as string);
  return `${JSON.stringify(adjacency, null, 2)}\n`;
}

export function templateFileName(shape: DagShape): string {
  return `${shape.workflow.replace(/-/g, '_')}.json`;
}

export function runFileName(shape: DagShape, instance: string, runNumber: number): string {
  return `${shape.fileStem(instance)}-run${String(runNumber).padStart(4, '0')}.csv`;
}

/** Whole seconds as the Panorama export writes them (`1589777698.0`). */
const secs = (v: number): string => `${v}.0`;
const cell = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function kickstart(shape: DagShape, j: number, tr: JobTrace): [string, string, string, string, string] {
  const spec = shape.jobs[j] as (typeof shape.jobs)[number];
  const host = tr.node === MASTER ? 'master' : `worker-${tr.node}`;
  const site = tr.node === MASTER ? 'local' : 'condorpool';
  if (spec.type === 'auxiliary') return [site, host, spec.kind === 'create_dir' ? 'pegasus::dirmanager' : 'pegasus::cleanup', '/usr/bin/pegasus-transfer', ''];
  if (spec.type === 'transfer') return [site, host, 'pegasus::transfer', '/usr/bin/pegasus-transfer', '--threads   2'];
  const base = jobName(spec.name, '');
  return [
    site,
    host,
    spec.tasks.join(';'),
    spec.tasks.map((t) => `/opt/${shape.family}/bin/${t}`).join(';'),
    spec.tasks.map((t, k) => `${t}   -i   ${base}_${k}.in   -o   ${base}_${k}.out`).join(';'),
  ];
}

/** The run file's text. `start` is the run's first ready time, epoch seconds (an integer). */
export function runCsv(shape: DagShape, run: RunTrace, instance: string, start: number): string {
  const at = (t: number): number => start + Math.round(t);
  const phase = (p: Phase | null): [string, string] => (p ? [secs(at(p.end) - at(p.start)), secs(p.bytes)] : ['', '']);
  const rows = run.jobs
    .map((tr) => ({ tr, ready: at(tr.ready), submit: at(tr.submit) }))
    .sort((a, b) => a.ready - b.ready || a.submit - b.submit || a.tr.index - b.tr.index);
  const lines = [HEADER.join(',')];
  for (const { tr, ready, submit } of rows) {
    const spec = shape.jobs[tr.index] as (typeof shape.jobs)[number];
    const es = at(tr.executeStart);
    const ee = at(tr.executeEnd);
    const ps = at(tr.postScriptStart);
    const pe = at(tr.postScriptEnd);
    const [sid, sib] = phase(tr.stageIn);
    const [sod, sob] = phase(tr.stageOut);
    const [site, host, transformations, executables, argv] = kickstart(shape, tr.index, tr);
    const row = [
      jobName(spec.name, instance),
      spec.type,
      spec.clustered ? '1' : '0',
      secs(ready),
      '',
      '',
      secs(submit),
      secs(es),
      secs(ee),
      secs(ps),
      secs(pe),
      secs(submit - ready),
      '',
      secs(es - submit),
      secs(ee - es),
      secs(pe - ps),
      sid,
      sib,
      sod,
      sob,
      'wfad',
      site,
      host,
      transformations,
      executables,
      argv,
      tr.cpuTime.toFixed(1),
      '0',
      '0',
    ];
    lines.push(row.map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}
