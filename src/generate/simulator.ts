/**
 * One workflow run as a discrete-event simulation of Pegasus on an HTCondor pool:
 *
 *   ready (all parents' post-scripts done) → DAGMan submits after its latency, at most
 *   `submitsPerSecond` a second (wms_delay) → the job waits in the Condor queue (queue_delay):
 *   it starts at once on a slot whose claim is still held from a job that just ended, otherwise at
 *   the next negotiation cycle if a slot is free, otherwise when one frees → on the worker:
 *   setup, stage-in over the shared link, its tasks (CPU + I/O), stage-out → post-script on the
 *   submit host → children become ready.
 *
 * Auxiliary (`create_dir`, `cleanup`) and stage-out transfer jobs run in the submit host's local
 * universe (`master`), without slots. Anomalies (anomaly.ts) act on the phases of jobs on the
 * affected nodes. Times are seconds from the run's start here; the writer adds the epoch.
 */
import { MASTER, RunAnomaly, type Anomaly } from './anomaly';
import { EventQueue } from './events';
import { SharedLink } from './link';
import { PLATFORM, jobProfile, taskProfile, type StageProfile } from './profiles';
import type { GenRng } from './random';
import type { DagShape } from './shapes';

export interface Phase {
  start: number;
  end: number;
  bytes: number;
}

export interface JobTrace {
  index: number;
  ready: number;
  submit: number;
  executeStart: number;
  executeEnd: number;
  postScriptStart: number;
  postScriptEnd: number;
  stageIn: Phase | null;
  stageOut: Phase | null;
  cpuTime: number;
  /** Worker id, or MASTER for local-universe jobs. */
  node: number;
}

export interface RunTrace {
  jobs: JobTrace[];
  /** Seconds from the first ready to the last post-script end. */
  makespan: number;
  anomaly: RunAnomaly;
}

interface Slot {
  worker: number;
  busy: boolean;
  claimedUntil: number;
}

export function simulateRun(shape: DagShape, anomaly: Anomaly, rng: GenRng): RunTrace {
  const q = new EventQueue();
  const { pool, family } = shape;
  const n = shape.jobs.length;
  const runAnomaly = new RunAnomaly(anomaly, pool.workers, rng);
  // Run-to-run variation of a normal run: the pool's speed and the link's bandwidth.
  const cpuSpeed = rng.lognormal(1, 0.04);
  const link = new SharedLink(q, PLATFORM.linkBytesPerSecond * rng.lognormal(1, 0.05), (node) => PLATFORM.diskBytesPerSecond / runAnomaly.disk(node));
  const phase = rng.uniform(0, PLATFORM.negotiationPeriod);
  const jitter = (sigma: number): number => rng.lognormal(1, sigma);

  const parents: number[][] = Array.from({ length: n }, () => []);
  const children: number[][] = Array.from({ length: n }, () => []);
  for (const [p, c] of shape.edges) {
    (parents[c] as number[]).push(p);
    (children[p] as number[]).push(c);
  }
  const pending = parents.map((ps) => ps.length);
  const trace: JobTrace[] = shape.jobs.map((_, index) => ({
    index,
    ready: NaN,
    submit: NaN,
    executeStart: NaN,
    executeEnd: NaN,
    postScriptStart: NaN,
    postScriptEnd: NaN,
    stageIn: null,
    stageOut: null,
    cpuTime: 0,
    node: MASTER,
  }));

  // --- DAGMan: submit latency and throttle -------------------------------------------------
  const submitted = new Map<number, number>();
  const ready = (j: number, t: number): void => {
    const tr = trace[j] as JobTrace;
    tr.ready = t;
    const base = shape.jobs[j]?.kind === 'create_dir' ? PLATFORM.wmsDelay - 1 : PLATFORM.wmsDelay;
    let ts = t + base * runAnomaly.wms() + rng.uniform(0, 0.9);
    let second = Math.floor(ts);
    while ((submitted.get(second) ?? 0) >= PLATFORM.submitsPerSecond) second++;
    submitted.set(second, (submitted.get(second) ?? 0) + 1);
    if (second > Math.floor(ts)) ts = second + (ts - Math.floor(ts));
    q.at(ts, (tt) => submit(j, tt));
  };

  // --- Condor: slots, claims, negotiation ---------------------------------------------------
  const slots: Slot[] = [];
  for (let w = 0; w < pool.workers; w++) for (let s = 0; s < pool.slotsPerWorker; s++) slots.push({ worker: w, busy: false, claimedUntil: -Infinity });
  const idle: number[] = [];
  const ticks = new Set<number>();
  const computing = new Array<number>(pool.workers).fill(0);

  const scheduleTick = (t: number): void => {
    const P = PLATFORM.negotiationPeriod;
    const next = phase + Math.ceil((t - phase) / P) * P;
    const at = next < t ? next + P : next;
    if (ticks.has(at)) return;
    ticks.add(at);
    q.at(at, (tt) => negotiate(tt));
  };
  const claim = (slot: Slot, j: number, t: number, latency: number): void => {
    slot.busy = true;
    q.at(t + latency, (tt) => runOnWorker(j, slot, tt));
  };
  const freeClaimed = (t: number): Slot[] => slots.filter((s) => !s.busy && s.claimedUntil >= t);
  const negotiate = (t: number): void => {
    ticks.delete(t);
    while (idle.length) {
      const free = slots.filter((s) => !s.busy);
      if (free.length === 0) break;
      claim(rng.pick(free), idle.shift() as number, t, rng.uniform(0, 2));
    }
  };
  const submit = (j: number, t: number): void => {
    const tr = trace[j] as JobTrace;
    tr.submit = t;
    const spec = shape.jobs[j];
    if (spec?.type !== 'compute') {
      // Local universe: no slot; the schedd starts it within a second or two.
      const latency = parents[j]?.length === 0 ? rng.uniform(0.5, 2.5) : rng.bernoulli(0.07) ? rng.uniform(0.5, 1.5) : rng.uniform(0, 0.4);
      q.at(t + latency, (tt) => runLocal(j, tt));
      return;
    }
    const claimed = freeClaimed(t);
    if (claimed.length && idle.length === 0) claim(rng.pick(claimed), j, t, rng.uniform(0, 1));
    else {
      idle.push(j);
      scheduleTick(t);
    }
  };
  const release = (slot: Slot, t: number): void => {
    slot.busy = false;
    slot.claimedUntil = t + PLATFORM.claimHold;
    // The schedd reuses the claim for the next idle job right away.
    if (idle.length) claim(slot, idle.shift() as number, t, rng.uniform(0, 1));
    if (idle.length) scheduleTick(t);
  };

  // --- Phases -------------------------------------------------------------------------------
  const stageBytes = (p: StageProfile, tasks: number): number => {
    if (!p.perTask) return Math.round(rng.lognormal(p.bytes, p.sigma));
    let b = 0;
    for (let k = 0; k < tasks; k++) b += Math.round(rng.lognormal(p.bytes, p.sigma));
    return b;
  };
  /** Latency (× disk stretch, + loss stalls), then the bytes over the link. */
  const transfer = (t: number, bytes: number, latency: number, diskNode: number, lossNode: number, done: (p: Phase) => void): void => {
    const wait = latency * jitter(0.08) * runAnomaly.disk(diskNode) + runAnomaly.stall(lossNode, rng);
    q.at(t + wait, () => link.send(bytes, diskNode, runAnomaly.transferCap(lossNode), (te) => done({ start: t, end: te, bytes })));
  };

  const runOnWorker = (j: number, slot: Slot, t: number): void => {
    const spec = shape.jobs[j] as (typeof shape.jobs)[number];
    const prof = jobProfile(family, spec.kind, spec.type);
    const tr = trace[j] as JobTrace;
    const w = slot.worker;
    tr.executeStart = t;
    tr.node = w;
    const tasks = spec.tasks.length;
    const afterSetup = t + prof.setup * jitter(0.1);
    const stageIn = prof.stageIn as StageProfile;
    const stageOut = prof.stageOut as StageProfile;
    const inBytes = stageBytes(stageIn, tasks);
    const outBytes = stageBytes(stageOut, tasks);
    q.at(afterSetup, (t1) =>
      transfer(t1, inBytes, stageIn.latency + stageIn.latencyPerTask * tasks, w, w, (pin) => {
        tr.stageIn = pin;
        // Tasks run one after another (a cluster is a sequential seqexec).
        computing[w] = (computing[w] as number) + 1;
        const running = computing[w] as number;
        let wall = 0;
        for (const name of spec.tasks) {
          const tp = taskProfile(family, name);
          const work = rng.lognormal(tp.cpu, tp.cpuSigma) * cpuSpeed;
          const f = runAnomaly.cpu(w, running, pool.cores);
          wall += (work / tp.efficiency) * f.wall + tp.io * jitter(0.1) * runAnomaly.disk(w);
          tr.cpuTime += work * f.cpuTime;
        }
        q.at(pin.end + wall, (t2) => {
          computing[w] = (computing[w] as number) - 1;
          transfer(t2, outBytes, stageOut.latency + stageOut.latencyPerTask * tasks, w, w, (pout) => {
            tr.stageOut = pout;
            q.at(pout.end + rng.uniform(0, 0.6), (te) => {
              release(slot, te);
              finish(j, te);
            });
          });
        });
      }),
    );
  };

  const runLocal = (j: number, t: number): void => {
    const spec = shape.jobs[j] as (typeof shape.jobs)[number];
    const prof = jobProfile(family, spec.kind, spec.type);
    const tr = trace[j] as JobTrace;
    tr.executeStart = t;
    tr.node = MASTER;
    tr.cpuTime = prof.toolCpu * jitter(0.15);
    const setupEnd = t + prof.setup * jitter(0.1) * (spec.type === 'auxiliary' ? runAnomaly.disk(MASTER) : 1);
    if (spec.type !== 'transfer' || !prof.stageOut) {
      q.at(setupEnd, (te) => finish(j, te));
      return;
    }
    // A stage-out job pulls its parents' outputs; loss on any parent's worker slows it.
    const ps = parents[j] as number[];
    const bytes = ps.reduce((a, p) => a + (trace[p]?.stageOut?.bytes ?? 0), 0);
    const lossNode = ps.map((p) => (trace[p] as JobTrace).node).find((node) => runAnomaly.loss(node) > 0) ?? (trace[ps[0] as number] as JobTrace).node;
    const sp = prof.stageOut;
    q.at(setupEnd, (t1) =>
      transfer(t1, bytes, sp.latency, MASTER, lossNode, (pout) => {
        tr.stageOut = pout;
        q.at(pout.end + rng.uniform(0, 0.8), (te) => finish(j, te));
      }),
    );
  };

  const finish = (j: number, t: number): void => {
    const tr = trace[j] as JobTrace;
    const spec = shape.jobs[j] as (typeof shape.jobs)[number];
    tr.executeEnd = t;
    tr.postScriptStart = t;
    const prof = jobProfile(family, spec.kind, spec.type);
    const post = prof.post * runAnomaly.postScript() + (rng.bernoulli(0.06) ? rng.uniform(1, 5) : rng.uniform(0, 0.5));
    q.at(t + post, (te) => {
      tr.postScriptEnd = te;
      for (const c of children[j] as number[]) {
        pending[c] = (pending[c] as number) - 1;
        if (pending[c] === 0) ready(c, te);
      }
    });
  };

  for (let j = 0; j < n; j++) if (pending[j] === 0) ready(j, 0);
  q.run();
  const unfinished = trace.filter((t) => Number.isNaN(t.postScriptEnd));
  if (unfinished.length) throw new Error(`simulation of ${shape.workflow} left ${unfinished.length} jobs unfinished`);
  return { jobs: trace, makespan: Math.max(...trace.map((t) => t.postScriptEnd)), anomaly: runAnomaly };
}
