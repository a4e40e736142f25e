/**
 * The five workflow DAGs of the paper, built from what each workflow does (not copied from any
 * trace): job names, types, clustering, dependencies and the worker pool each ran on. Job and edge
 * counts equal the flowgad templates' (1000genome 57/129, nowcast-clustering-8 13/20,
 * nowcast-clustering-16 9/12, wind-clustering-casa 7/8, wind-noclustering-casa 26/44).
 *
 * Pegasus adds to every DAG a `create_dir_<instance>_0_condorpool` job first, a
 * `cleanup_<instance>_0_condorpool` job last (auxiliary, on the submit host) and
 * `stage_out_local_condorpool_<level>_<k>` transfer jobs that copy outputs back to the submit host.
 * Inputs are staged in by each compute job's own wrapper (PegasusLite), which is why the real DAGs
 * have no stage-in jobs and the stage-in time is the job's `stage_in_delay`.
 */

export const WORKFLOWS = [
  '1000genome',
  'nowcast-clustering-8',
  'nowcast-clustering-16',
  'wind-clustering-casa',
  'wind-noclustering-casa',
] as const;
/**
 * Larger shapes for scale tests (not in the paper, not in `all`): `1000genome-large` is 1000
 * Genome over 22 chromosomes with 78 individuals tasks each, 2,073 jobs and 4,381 edges, the
 * size of the largest DAGs in Flow-Bench-sized collections (up to ~2,100 jobs).
 */
export const LARGE_WORKFLOWS = ['1000genome-large'] as const;
export type WorkflowName = (typeof WORKFLOWS)[number] | (typeof LARGE_WORKFLOWS)[number];

/** Which family of task profiles (profiles.ts) a workflow's jobs draw from. */
export type Family = '1000genome' | 'nowcast' | 'wind';

export type JobType = 'compute' | 'transfer' | 'auxiliary';

export interface JobSpec {
  /** The job's name in a run; `{instance}` stands for the run's instance id. */
  name: string;
  type: JobType;
  /** Job profile key (profiles.ts), e.g. `individuals`, `merge_gunzip`, `stage_out`. */
  kind: string;
  /** Transformations the job runs, in order: one, or several when clustered. */
  tasks: string[];
  /** Horizontally or label clustered (Pegasus' `is_clustered`). */
  clustered: boolean;
}

export interface PoolSpec {
  /** Condor workers `worker-0` … `worker-(n-1)`; auxiliary and transfer jobs run on `master`. */
  workers: number;
  slotsPerWorker: number;
  /** Cores per worker: CPU contention only stretches jobs once jobs + stressors exceed them. */
  cores: number;
}

export interface DagShape {
  workflow: WorkflowName;
  family: Family;
  /** Jobs in template order (a job's index is its position here). */
  jobs: JobSpec[];
  /** [parent, child] index pairs. */
  edges: Array<[number, number]>;
  pool: PoolSpec;
  /** The instance id of a run started at `epoch` seconds (Pegasus names runs by submit time). */
  instance(epoch: number): string;
  /** File name stem `<workflow>-<instance>` (1000genome's instance already starts with it). */
  fileStem(instance: string): string;
}

const CREATE_DIR = 'create_dir_{instance}_0_condorpool';
const CLEANUP = 'cleanup_{instance}_0_condorpool';

class Builder {
  jobs: JobSpec[] = [];
  edges: Array<[number, number]> = [];

  add(name: string, type: JobType, kind: string, tasks: string[] = [kind], clustered = tasks.length > 1): number {
    this.jobs.push({ name, type, kind, tasks, clustered });
    return this.jobs.length - 1;
  }

  edge(parent: number, child: number): void {
    this.edges.push([parent, child]);
  }
}

const id = (n: number): string => `ID${String(n).padStart(7, '0')}`;

/** `YYYYMMDDTHHMMSSZ` (UTC). */
function stamp(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * 1000 Genome: per chromosome, `individuals` tasks each parse a slice of the VCF file and an
 * `individuals_merge` joins them; `sifting` extracts the chromosome's SIFT scores; then per
 * population a `mutation_overlap` and a `frequency` task read both. Outputs leave through three
 * stage-out jobs (round-robin).
 */
export function genomeShape(chromosomes = 2, individualsPerChromosome = 10, populations = 7, stageOuts = 3, workflow: '1000genome' | '1000genome-large' = '1000genome'): DagShape {
  const b = new Builder();
  const createDir = b.add(CREATE_DIR, 'auxiliary', 'create_dir');
  let next = 1;
  const merges: number[] = [];
  const siftings: number[] = [];
  for (let c = 0; c < chromosomes; c++) {
    const individuals: number[] = [];
    for (let i = 0; i < individualsPerChromosome; i++) individuals.push(b.add(`individuals_${id(next++)}`, 'compute', 'individuals'));
    const merge = b.add(`individuals_merge_${id(next++)}`, 'compute', 'individuals_merge');
    const sifting = b.add(`sifting_${id(next++)}`, 'compute', 'sifting');
    for (const j of individuals) {
      b.edge(createDir, j);
      b.edge(j, merge);
    }
    merges.push(merge);
    siftings.push(sifting);
  }
  // DAGMan submits ready jobs in edge order: the individuals first, so the siftings queue behind them.
  for (const s of siftings) b.edge(createDir, s);
  const analyses: number[] = [];
  for (let c = 0; c < chromosomes; c++) {
    for (let p = 0; p < populations; p++) {
      for (const kind of ['mutation_overlap', 'frequency']) {
        const j = b.add(`${kind}_${id(next++)}`, 'compute', kind);
        b.edge(merges[c] as number, j);
        b.edge(siftings[c] as number, j);
        analyses.push(j);
      }
    }
  }
  const outs = Array.from({ length: stageOuts }, (_, k) => b.add(`stage_out_local_condorpool_2_${k}`, 'transfer', 'stage_out'));
  analyses.forEach((j, i) => b.edge(j, outs[i % stageOuts] as number));
  const cleanup = b.add(CLEANUP, 'auxiliary', 'cleanup');
  for (const o of outs) b.edge(o, cleanup);
  return {
    workflow,
    family: '1000genome',
    jobs: b.jobs,
    edges: b.edges,
    // The large shape runs on a pool scaled with it (the same jobs per slot).
    pool: workflow === '1000genome' ? { workers: 5, slotsPerWorker: 4, cores: 4 } : { workers: 50, slotsPerWorker: 4, cores: 4 },
    instance: (epoch) => `${workflow}-${stamp(epoch)}`,
    fileStem: (instance) => instance,
  };
}

/**
 * CASA Nowcast: `NowcastToWDSS2` splits a radar mosaic into grid files, then 32 independent
 * `merged_netcdf2png` and 32 `mrtV2` tasks process them, horizontally clustered `clusterSize` per
 * job (`merge_<task>_PID2_ID<k>`).
 */
export function nowcastShape(clusterSize: 8 | 16, tasksPerKind = 32): DagShape {
  const b = new Builder();
  const createDir = b.add(CREATE_DIR, 'auxiliary', 'create_dir');
  const split = b.add(`NowcastToWDSS2_${id(1)}`, 'compute', 'NowcastToWDSS2');
  const splitOut = b.add('stage_out_local_condorpool_0_0', 'transfer', 'stage_out');
  b.edge(createDir, split);
  b.edge(split, splitOut);
  const clusters = tasksPerKind / clusterSize;
  const merges: number[] = [];
  for (const task of ['merged_netcdf2png', 'mrtV2']) {
    for (let k = 1; k <= clusters; k++) {
      const j = b.add(`merge_${task}_PID2_ID${k}`, 'compute', `merge_${task}`, new Array<string>(clusterSize).fill(task), true);
      b.edge(split, j);
      merges.push(j);
    }
  }
  const mergeOut = b.add('stage_out_local_condorpool_1_0', 'transfer', 'stage_out');
  for (const j of merges) b.edge(j, mergeOut);
  const cleanup = b.add(CLEANUP, 'auxiliary', 'cleanup');
  b.edge(splitOut, cleanup);
  b.edge(mergeOut, cleanup);
  return {
    workflow: clusterSize === 8 ? 'nowcast-clustering-8' : 'nowcast-clustering-16',
    family: 'nowcast',
    jobs: b.jobs,
    edges: b.edges,
    pool: { workers: 4, slotsPerWorker: 1, cores: 4 },
    instance: (epoch) => `casa_nowcast-wf-${stamp(epoch).replace(/[TZ]/g, '')}`,
    fileStem: (instance) => `nowcast-clustering-${clusterSize}-${instance}`,
  };
}

/**
 * CASA Wind: 17 `gunzip` tasks unpack radar files, then `um_vel` merges them into a wind field,
 * `merged_netcdf2png` renders it, `mvt` tracks maximum velocity and `pointalert` checks it against
 * points of interest. With clustering, the gunzips run in three horizontal clusters and the four
 * compute tasks in one label cluster (`merge_casa_job`).
 */
export function windShape(clustering: boolean, gunzips = 17): DagShape {
  const b = new Builder();
  const createDir = b.add(CREATE_DIR, 'auxiliary', 'create_dir');
  const pool: PoolSpec = { workers: 5, slotsPerWorker: 4, cores: 4 };
  const common = {
    family: 'wind' as const,
    pool,
    instance: (epoch: number) => `casa_wind_wf-${stamp(epoch)}`,
  };
  if (clustering) {
    // 17 gunzips in clusters of 6, 6, 5.
    const sizes = [6, 6, 5];
    const unzips = sizes.map((n, k) => b.add(`merge_gunzip_PID1_ID${k + 1}`, 'compute', 'merge_gunzip', new Array<string>(n).fill('gunzip'), true));
    const casa = b.add('merge_casa_job', 'compute', 'merge_casa_job', ['um_vel', 'mvt', 'merged_netcdf2png', 'pointalert'], true);
    const out = b.add('stage_out_local_condorpool_1_0', 'transfer', 'stage_out');
    const cleanup = b.add(CLEANUP, 'auxiliary', 'cleanup');
    for (const u of unzips) {
      b.edge(createDir, u);
      b.edge(u, casa);
    }
    b.edge(casa, out);
    b.edge(out, cleanup);
    return { ...common, workflow: 'wind-clustering-casa', jobs: b.jobs, edges: b.edges, fileStem: (i) => `wind-clustering-${i}` };
  }
  const unzips: number[] = [];
  for (let k = 1; k <= gunzips; k++) unzips.push(b.add(`gunzip_${id(k)}`, 'compute', 'gunzip'));
  const umVel = b.add(`um_vel_${id(gunzips + 1)}`, 'compute', 'um_vel');
  const png = b.add(`merged_netcdf2png_${id(gunzips + 2)}`, 'compute', 'merged_netcdf2png');
  const mvt = b.add(`mvt_${id(gunzips + 3)}`, 'compute', 'mvt');
  const alert = b.add(`pointalert_${id(gunzips + 4)}`, 'compute', 'pointalert');
  const out1 = b.add('stage_out_local_condorpool_1_0', 'transfer', 'stage_out');
  const out2 = b.add('stage_out_local_condorpool_2_0', 'transfer', 'stage_out');
  const out3 = b.add('stage_out_local_condorpool_3_0', 'transfer', 'stage_out');
  const cleanup = b.add(CLEANUP, 'auxiliary', 'cleanup');
  for (const u of unzips) {
    b.edge(createDir, u);
    b.edge(u, umVel);
  }
  b.edge(umVel, out1);
  b.edge(umVel, png);
  b.edge(umVel, mvt);
  b.edge(png, out2);
  b.edge(mvt, out2);
  b.edge(mvt, alert);
  b.edge(alert, out3);
  for (const o of [out1, out2, out3]) b.edge(o, cleanup);
  return { ...common, workflow: 'wind-noclustering-casa', jobs: b.jobs, edges: b.edges, fileStem: (i) => `wind-noclustering-${i}` };
}

export function shapeOf(workflow: WorkflowName): DagShape {
  switch (workflow) {
    case '1000genome':
      return genomeShape();
    case 'nowcast-clustering-8':
      return nowcastShape(8);
    case 'nowcast-clustering-16':
      return nowcastShape(16);
    case 'wind-clustering-casa':
      return windShape(true);
    case 'wind-noclustering-casa':
      return windShape(false);
    case '1000genome-large':
      return genomeShape(22, 78, 7, 3, '1000genome-large');
  }
}

export function isWorkflow(name: string): name is WorkflowName {
  return (WORKFLOWS as readonly string[]).includes(name) || (LARGE_WORKFLOWS as readonly string[]).includes(name);
}
