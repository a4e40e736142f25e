/**
 * The anomaly model: how an injected fault changes a run, as the flowgad experiments injected them
 * (a stressor on the testbed's nodes for the whole run). Labels follow the dataset: `cpu_<k>`,
 * `hdd_<m>`, `loss_<p>`.
 *
 * Which nodes: each worker is affected with probability 0.8 (at least one), and the strength is
 * scaled by a per-run intensity u ~ LogNormal(0, 0.15) (the same label varied between campaigns
 * in the real traces). Jobs on unaffected workers run normally, so a run's anomaly shows on some
 * of its jobs, more on the jobs that stress the same resource.
 *
 * CPU contention, `cpu_k` (k stressor threads on the worker, k_eff = k·u):
 *   CPU-bound wall × max(1, (r + k_eff) / cores) × (1 + 0.15·k_eff)
 *     r = jobs computing on the worker when the task starts: a worker with idle cores absorbs the
 *     stressor, a full one shares its cores (processor sharing); 0.15 per thread is cache and
 *     memory-bandwidth interference;
 *   kickstart cpu time × (1 + 0.05·k_eff) (context switches, cache misses cost cycles too).
 *
 * Disk contention, `hdd_m` (a writer taking m MB/s, m_eff = m·u, of a disk that saturates at
 * 250 MB/s) on affected workers and on the submit host:
 *   S = 250 / (250 − m_eff)
 *   stage-in/out: disk-bound rate ÷ S, fixed (metadata, fsync) latency × S; task I/O wall × S;
 *   post-script (reads the job's output, writes logs on the submit host) × (0.7 + 0.3·S);
 *   DAGMan submit latency (its logs are on that disk) × (0.6 + 0.4·S).
 *
 * Packet loss, `loss_p` (p % on affected workers' links; a transfer job is affected when one of its
 * parents ran on an affected worker, since it pulls their outputs):
 *   TCP throughput caps each transfer (PFTK model, Padhye et al. 1998, 4 parallel streams,
 *   RTT 1 ms, RTO 200 ms, MSS 1448 B): B(p) = 4·MSS / (RTT·√(2p/3) + RTO·min(1, 3√(3p/8))·p·(1 + 32p²)),
 *   so small losses cost little and large ones a lot;
 *   heavy tail: a transfer stalls on a retransmission timeout chain with probability
 *   1 − (1 − p)^12 (handshake, tail segments), for Pareto(1 s, α = 1.3) seconds (at most 300 s).
 */
import { WfadError } from '../errors';
import { parseLabel } from '../ingest/labels';
import type { GenRng } from './random';

/** The label set of the flowgad dataset (its README and data/ folders). */
export const REAL_LABELS = [
  'normal',
  'cpu_2',
  'cpu_3',
  'hdd_50',
  'hdd_60',
  'hdd_70',
  'hdd_80',
  'hdd_90',
  'hdd_100',
  'loss_0.1',
  'loss_0.5',
  'loss_1',
  'loss_3',
  'loss_5',
] as const;

export type AnomalyCategory = 'normal' | 'cpu' | 'hdd' | 'loss';

export interface Anomaly {
  label: string;
  category: AnomalyCategory;
  /** cpu: stressor threads; hdd: MB/s; loss: percent. null for normal. */
  level: number | null;
}

export const MODEL = {
  affectedProbability: 0.8,
  intensitySigma: 0.15,
  cpuInterference: 0.15,
  cpuTimeInflation: 0.05,
  diskSaturationMBs: 250,
  postDiskShare: 0.3,
  wmsDiskShare: 0.4,
  tcp: { streams: 4, mss: 1448, rtt: 0.001, rto: 0.2 },
  stallSegments: 12,
  stallScale: 1,
  stallAlpha: 1.3,
  stallMax: 300,
} as const;

const LIMITS: Record<Exclude<AnomalyCategory, 'normal'>, { min: number; max: number; integer: boolean; unit: string }> = {
  cpu: { min: 1, max: 32, integer: true, unit: 'stressor threads' },
  hdd: { min: 1, max: 200, integer: false, unit: 'MB/s' },
  loss: { min: 0.001, max: 50, integer: false, unit: '%' },
};

/** Parses a label (`normal`, `cpu_2`, `hdd_60`, `loss_0.5`, …); a clear error when out of range. */
export function parseAnomaly(label: string): Anomaly {
  const l = parseLabel(label);
  if (!l) throw new WfadError('BAD_INPUT', `--anomaly ${JSON.stringify(label)}: expected normal, cpu_<threads>, hdd_<MB/s> or loss_<percent> (e.g. ${REAL_LABELS.slice(1).join(', ')})`);
  if (l.category === 'normal' || l.level === null) return { label, category: 'normal', level: null };
  const lim = LIMITS[l.category];
  if (l.level < lim.min || l.level > lim.max || (lim.integer && !Number.isInteger(l.level))) {
    throw new WfadError('BAD_INPUT', `--anomaly ${label}: ${l.category} level must be ${lim.integer ? 'an integer ' : ''}between ${lim.min} and ${lim.max} (${lim.unit})`);
  }
  return { label, category: l.category, level: l.level };
}

/** PFTK steady-state TCP throughput at loss rate p (fraction), bytes/s, all streams together. */
export function tcpThroughput(p: number): number {
  if (p <= 0) return Infinity;
  const { streams, mss, rtt, rto } = MODEL.tcp;
  const denom = rtt * Math.sqrt((2 * p) / 3) + rto * Math.min(1, 3 * Math.sqrt((3 * p) / 8)) * p * (1 + 32 * p * p);
  return (streams * mss) / denom;
}

/** Node ids: workers 0…n−1; the submit host (`master`). */
export const MASTER = -1;

/** One run's realisation of an anomaly: which nodes, how strong, and the effects the simulator asks for. */
export class RunAnomaly {
  readonly intensity: number;
  readonly affected: boolean[];

  constructor(readonly anomaly: Anomaly, workers: number, rng: GenRng) {
    if (anomaly.category === 'normal') {
      this.intensity = 0;
      this.affected = new Array<boolean>(workers).fill(false);
      return;
    }
    this.intensity = rng.lognormal(1, MODEL.intensitySigma);
    this.affected = Array.from({ length: workers }, () => rng.bernoulli(MODEL.affectedProbability));
    if (!this.affected.some(Boolean)) this.affected[rng.int(workers)] = true;
  }

  private strength(category: AnomalyCategory, node: number): number {
    if (this.anomaly.category !== category || this.anomaly.level === null) return 0;
    const hit = node === MASTER ? category === 'hdd' : this.affected[node] === true;
    return hit ? this.anomaly.level * this.intensity : 0;
  }

  /** Factors for a task's CPU-bound wall and its cpu time, with `running` jobs computing on the worker. */
  cpu(node: number, running: number, cores: number): { wall: number; cpuTime: number } {
    const k = this.strength('cpu', node);
    if (k === 0) return { wall: 1, cpuTime: 1 };
    return { wall: Math.max(1, (running + k) / cores) * (1 + MODEL.cpuInterference * k), cpuTime: 1 + MODEL.cpuTimeInflation * k };
  }

  /** S ≥ 1: how much slower disk-bound work is on `node`. */
  disk(node: number): number {
    const m = Math.min(this.strength('hdd', node), 0.95 * MODEL.diskSaturationMBs);
    return MODEL.diskSaturationMBs / (MODEL.diskSaturationMBs - m);
  }

  postScript(): number {
    return 1 - MODEL.postDiskShare + MODEL.postDiskShare * this.disk(MASTER);
  }

  wms(): number {
    return 1 - MODEL.wmsDiskShare + MODEL.wmsDiskShare * this.disk(MASTER);
  }

  /** Loss rate (fraction) on the link of `node`. */
  loss(node: number): number {
    return Math.min(0.5, this.strength('loss', node) / 100);
  }

  /** Per-transfer throughput cap from packet loss, bytes/s (Infinity when none). */
  transferCap(node: number): number {
    return tcpThroughput(this.loss(node));
  }

  /** Seconds a transfer from/to `node` stalls on retransmission timeouts (0 mostly). */
  stall(node: number, rng: GenRng): number {
    const p = this.loss(node);
    if (p === 0) return 0;
    // Always draw twice, so the stream stays aligned whether or not a stall happens.
    const hit = rng.next() < 1 - Math.pow(1 - p, MODEL.stallSegments);
    const len = Math.min(MODEL.stallMax, rng.pareto(MODEL.stallScale, MODEL.stallAlpha));
    return hit ? len : 0;
  }
}
