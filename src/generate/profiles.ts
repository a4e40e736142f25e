/**
 * What a job costs in a normal run: per task (transformation) its CPU work and I/O-bound wall
 * time, per job its stage-in/stage-out volumes and fixed latencies, wrapper setup and post-script.
 * Medians, with log-normal spread. The numbers were set by hand so that normal generated runs land
 * near the medians of the published flowgad traces (e.g. 1000 Genome `individuals` ≈ 240 s, most
 * of it staging a 1 GB slice over a link shared by 20 jobs); they are a model, not a fit.
 *
 * Time inside a compute job (PegasusLite): setup → stage-in → tasks → stage-out, so
 * runtime = setup + stage_in_delay + Σ task wall + stage_out_delay.
 */
import type { Family, JobType } from './shapes';

export interface TaskProfile {
  /** kickstart cpu time, seconds (median). */
  cpu: number;
  cpuSigma: number;
  /** CPU-bound wall = cpu / efficiency. */
  efficiency: number;
  /** I/O-bound wall per task (reading inputs, writing outputs, process start), seconds. */
  io: number;
}

export interface StageProfile {
  /** Bytes moved (median); multiplied by the number of tasks when `perTask`. */
  bytes: number;
  sigma: number;
  perTask: boolean;
  /** Fixed cost: tool start, connection setup, per-file metadata work, seconds. */
  latency: number;
  /** Extra fixed cost per clustered task (one more file each). */
  latencyPerTask: number;
}

export interface JobProfile {
  /** Wrapper setup before stage-in (PegasusLite, or the whole work of an auxiliary job). */
  setup: number;
  stageIn: StageProfile | null;
  /** Transfer jobs move their parents' outputs: `bytes` is then ignored, `latencyPerTask` counts the parents' tasks. */
  stageOut: StageProfile | null;
  /** Post-script (pegasus-exitcode) seconds. */
  post: number;
  /** kickstart cpu time of auxiliary/transfer tools. */
  toolCpu: number;
}

const stage = (bytes: number, latency: number, sigma = 0.05, perTask = false, latencyPerTask = 0): StageProfile => ({ bytes, sigma, perTask, latency, latencyPerTask });
const task = (cpu: number, cpuSigma: number, efficiency: number, io: number): TaskProfile => ({ cpu, cpuSigma, efficiency, io });
const job = (setup: number, stageIn: StageProfile | null, stageOut: StageProfile | null, post = 5, toolCpu = 0): JobProfile => ({ setup, stageIn, stageOut, post, toolCpu });

const TASKS: Record<Family, Record<string, TaskProfile>> = {
  '1000genome': {
    individuals: task(63, 0.03, 0.95, 1),
    individuals_merge: task(27, 0.12, 0.9, 2),
    sifting: task(1.8, 0.05, 0.9, 3),
    mutation_overlap: task(4.5, 0.5, 0.8, 4),
    frequency: task(112, 0.08, 0.95, 2),
  },
  nowcast: {
    NowcastToWDSS2: task(0.1, 0.1, 1, 2),
    merged_netcdf2png: task(0.09, 0.5, 1, 0.2),
    mrtV2: task(0.03, 0.5, 1, 0.2),
  },
  wind: {
    gunzip: task(0.24, 0.2, 1, 0.3),
    um_vel: task(2.3, 0.05, 0.9, 0.5),
    merged_netcdf2png: task(0.2, 0.1, 1, 1),
    mvt: task(54, 0.03, 0.95, 0.5),
    pointalert: task(0.05, 0.2, 1, 1),
  },
};

const AUX = { create_dir: job(4, null, null, 5, 0.25), cleanup: job(5, null, null, 5, 0.25) };

const JOBS: Record<Family, Record<string, JobProfile>> = {
  '1000genome': {
    ...AUX,
    individuals: job(3, stage(1.0e9, 3, 0.02), stage(2.4e4, 3.5, 0.1), 10),
    individuals_merge: job(3, stage(2.4e5, 6, 0.1), stage(2.2e4, 3.5, 0.1)),
    sifting: job(3, stage(1.64e9, 3, 0.02), stage(1.75e6, 3.5, 0.05)),
    mutation_overlap: job(3, stage(1.8e6, 4, 0.02), stage(1.5e5, 3.5, 0.1)),
    frequency: job(3, stage(1.8e6, 4, 0.02), stage(2.5e5, 3.5, 0.1)),
    stage_out: job(4, null, stage(0, 8, 0, false, 0.3), 5, 0.8),
  },
  nowcast: {
    ...AUX,
    NowcastToWDSS2: job(3, stage(1.7e8, 5, 0.01), stage(5.0e6, 15.5, 0.02)),
    merge_merged_netcdf2png: job(3, stage(1.62e8, 5, 0.01, false, 0.75), stage(2.2e4, 1, 0.1, true, 0.7)),
    merge_mrtV2: job(3, stage(1.62e8, 5, 0.01, false, 0.75), stage(1.4e4, 1, 0.15, true, 0.7)),
    stage_out: job(4, null, stage(0, 27, 0, false, 0.4), 5, 1.8),
  },
  wind: {
    ...AUX,
    gunzip: job(5, stage(9.2e6, 2, 0.25), stage(2.1e7, 7.5, 0.25)),
    um_vel: job(4.5, stage(5.26e8, 7, 0.01), stage(5.6e5, 3.5, 0.02)),
    merged_netcdf2png: job(5, stage(1.71e8, 5.5, 0.01), stage(1.1e4, 4, 0.05)),
    mvt: job(3, stage(1.71e8, 5, 0.01), stage(3.0e4, 4, 0.1)),
    pointalert: job(5, stage(1.7e8, 6, 0.01), stage(2.0e4, 4, 0.05)),
    merge_gunzip: job(3, stage(8.7e6, 3, 0.25, true, 0.3), stage(2.0e7, 4, 0.25, true, 0.3)),
    merge_casa_job: job(3, stage(5.26e8, 12, 0.01), stage(6.2e5, 5, 0.02)),
    stage_out: job(4, null, stage(0, 4.5, 0, false, 0.4), 5, 0.35),
  },
};

export function taskProfile(family: Family, transformation: string): TaskProfile {
  const p = TASKS[family][transformation];
  if (!p) throw new Error(`no task profile for ${family}/${transformation}`);
  return p;
}

export function jobProfile(family: Family, kind: string, type: JobType): JobProfile {
  const p = JOBS[family][kind];
  if (!p) throw new Error(`no job profile for ${family}/${kind} (${type})`);
  return p;
}

/** The testbed: one staging link shared by all transfers, and each node's disk. */
export const PLATFORM = {
  /** Staging link, bytes/s (1 GbE), shared max-min fairly by concurrent transfers. */
  linkBytesPerSecond: 125e6,
  /** A node's sustained disk write rate while staging, bytes/s, shared by its transfers. */
  diskBytesPerSecond: 45e6,
  /** DAGMan's fixed submit latency (log polling + condor_submit), seconds. */
  wmsDelay: 5,
  /** Jobs DAGMan submits per second at most; a burst of ready jobs queues behind it. */
  submitsPerSecond: 8,
  /** Condor negotiation cycle: a job without a claimed slot waits for the next one. */
  negotiationPeriod: 20,
  /** How long a slot stays claimed after its job ends, so a new job starts on it at once. */
  claimHold: 30,
  /** Gap between consecutive runs of a campaign, seconds (uniform). */
  runGap: [30, 120] as [number, number],
} as const;
