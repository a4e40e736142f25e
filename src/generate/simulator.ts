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
 * affected nodes. Times are whole seconds from the run's start (DAGMan, Condor and kickstart log in
 * seconds; a transfer ends at the first whole second after its last byte); the writer adds the epoch.
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

/** Bytes each job stages in and out: fixed by the workflow's input data, the same in every run. */
export interface BytesPlan {
  stageIn: number[];
  stageOut: number[];
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

/** Draws each job's staged bytes once (the input data a campaign processes every run). */
export function planBytes(shape: DagShape, rng: GenRng): BytesPlan {
  const draw = (p: StageProfile | null, tasks: number): number => {
    if (!p) return 0;
    let b = 0;
    for (let k = 0; k < (p.perTask ? tasks : 1); k++) b += Math.round(rng.lognormal(p.bytes, p.sigma));
    return b;
  };
  const plan: BytesPlan = { stageIn: [], stageOut: [] };
  for (const job of shape.jobs) {
    const prof = jobProfile(shape.family, job.kind, job.type);
    plan.stageIn.push(job.type === 'compute' ? draw(prof.stageIn, job.tasks.length) : 0);
    plan.stageOut.push(job.type === 'compute' ? draw(prof.stageOut, job.tasks.length) : 0);
  }
  return plan;
}

export function simulateRun(shape: DagShape, anomaly: Anomaly, rng: GenRng, bytes: BytesPlan = planBytes(shape, rng)): RunTrace {
  const q = new EventQueue();
  const { pool, family } = shape;
  const n = shape.jobs.length;
  const runAnomaly = new RunAnomaly(anomaly, pool.workers, rng);
  // Run-to-run variation of a normal run: the pool's speed and the link's bandwidth.
  const cpuSpeed = rng.lognormal(1, 0.02);
  const link = new SharedLink(q, PLATFORM.linkBytesPerSecond * rng.lognormal(1, 0.05), (node) => PLATFORM.diskBytesPerSecond / runAnomaly.disk(node));
  const phase = 1 + rng.int(PLATFORM.negotiationPeriod);
  const jitter = (sigma: number): number => rng.lognormal(1, sigma);
  /** A duration in whole seconds (≥ 0). */
  const secs = (d: number): number => Math.max(0, Math.round(d));
  /** Whole seconds with the fraction kept in expectation (5.4 s → 6 s with probability 0.4). */
  const secsExpected = (d: number): number => Math.floor(d) + (rng.next() < d - Math.floor(d) ? 1 : 0);

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
    // DAGMan submits in ready order, at most `submitsPerSecond` jobs per second.
    let ts = t + secsExpected(base * runAnomaly.wms()) + (rng.bernoulli(0.04) ? 1 : 0);
    while ((submitted.get(ts) ?? 0) >= PLATFORM.submitsPerSecond) ts++;
    submitted.set(ts, (submitted.get(ts) ?? 0) + 1);
    q.at(ts, (tt) => submit(j, tt));
  };

  // --- Condor: slots, claims, negotiation ---------------------------------------------------
  const slots: Slot[] = [];
  for (let w = 0; w < pool.workers; w++) for (let s = 0; s < pool.slotsPerWorker; s++) slots.push({ worker: w, busy: false, claimedUntil: -Infinity });
  const idle: number[] = [];
  const ticks = new Set<number>();
  const computing = new Array<number>(pool.workers).fill(0);

  /**
   * Negotiation: a job without a claimed slot is matched in the next cycle. The run's first cycle
   * comes `phase` seconds after its first submission; later, a submission that finds no cycle due
   * within the period asks for one a full period later (the negotiator's cycle time).
   */
  let firstCycle = true;
  const scheduleTick = (t: number): void => {
    const P = PLATFORM.negotiationPeriod;
    const at = firstCycle ? t + phase : t + P;
    firstCycle = false;
    for (const k of ticks) if (k > t && k <= t + P) return;
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
      claim(rng.pick(free), idle.shift() as number, t, rng.int(2));
    }
  };
  const submit = (j: number, t: number): void => {
    const tr = trace[j] as JobTrace;
    tr.submit = t;
    const spec = shape.jobs[j];
    if (spec?.type !== 'compute') {
      // Local universe: no slot; the schedd starts it within a second or two.
      const latency = parents[j]?.length === 0 ? 1 + rng.int(2) : rng.bernoulli(0.03) ? 1 : 0;
      q.at(t + latency, (tt) => runLocal(j, tt));
      return;
    }
    const claimed = freeClaimed(t);
    if (claimed.length && idle.length === 0) claim(rng.pick(claimed), j, t, rng.int(2));
    else {
      idle.push(j);
      scheduleTick(t);
    }
  };
  const release = (slot: Slot, t: number): void => {
    slot.busy = false;
    slot.claimedUntil = t + PLATFORM.claimHold;
    // The schedd reuses the claim for the next idle job right away.
    if (idle.length) claim(slot, idle.shift() as number, t, rng.int(2));
    if (idle.length) scheduleTick(t);
  };

  // --- Phases -------------------------------------------------------------------------------
  /** Latency (× disk stretch, + loss stalls), then the bytes over the link; ends on a whole second. */
  const transfer = (t: number, bytes: number, latency: number, diskNode: number, lossNode: number, done: (p: Phase) => void): void => {
    const wait = secs(latency * jitter(0.05) * runAnomaly.disk(diskNode) + runAnomaly.stall(lossNode, rng));
    q.at(t + wait, () =>
      link.send(bytes, diskNode, runAnomaly.transferCap(lossNode), (te) => {
        const end = Math.ceil(te - 1e-6);
        q.at(Math.max(end, q.now), (tend) => done({ start: t, end: tend, bytes }));
      }),
    );
  };

  const runOnWorker = (j: number, slot: Slot, t: number): void => {
    const spec = shape.jobs[j] as (typeof shape.jobs)[number];
    const prof = jobProfile(family, spec.kind, spec.type);
    const tr = trace[j] as JobTrace;
    const w = slot.worker;
    tr.executeStart = t;
    tr.node = w;
    const tasks = spec.tasks.length;
    const afterSetup = t + secs(prof.setup * jitter(0.08));
    const stageIn = prof.stageIn as StageProfile;
    const stageOut = prof.stageOut as StageProfile;
    const inBytes = bytes.stageIn[j] as number;
    const outBytes = bytes.stageOut[j] as number;
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
        q.at(pin.end + secs(wall), (t2) => {
          computing[w] = (computing[w] as number) - 1;
          transfer(t2, outBytes, stageOut.latency + stageOut.latencyPerTask * tasks, w, w, (pout) => {
            tr.stageOut = pout;
            q.at(pout.end + (rng.bernoulli(0.3) ? 1 : 0), (te) => {
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
    // Tool cpu time: the same every run, a little more per file a stage-out job handles.
    const files = spec.type === 'transfer' ? (parents[j] as number[]).reduce((n, p) => n + (shape.jobs[p]?.tasks.length ?? 0), 0) : 0;
    tr.cpuTime = prof.toolCpu * (1 + 0.012 * files) * jitter(0.05);
    const setupEnd = t + secs(prof.setup * jitter(0.08) * (spec.type === 'auxiliary' ? runAnomaly.disk(MASTER) : 1));
    if (spec.type !== 'transfer' || !prof.stageOut) {
      q.at(setupEnd, (te) => finish(j, te));
      return;
    }
    // A stage-out job copies its parents' outputs (each output file is staged twice: to the
    // output site and the submit host's copy); loss on any parent's worker slows it.
    const ps = parents[j] as number[];
    const moved = 2 * ps.reduce((a, p) => a + (trace[p]?.stageOut?.bytes ?? 0), 0);
    const parentTasks = ps.reduce((a, p) => a + (shape.jobs[p]?.tasks.length ?? 0), 0);
    const lossNode = ps.map((p) => (trace[p] as JobTrace).node).find((node) => runAnomaly.loss(node) > 0) ?? (trace[ps[0] as number] as JobTrace).node;
    const sp = prof.stageOut;
    q.at(setupEnd, (t1) =>
      transfer(t1, moved, sp.latency + sp.latencyPerTask * parentTasks, MASTER, lossNode, (pout) => {
        tr.stageOut = pout;
        q.at(pout.end + (rng.bernoulli(0.3) ? 1 : 0), (te) => finish(j, te));
      }),
    );
  };

  const finish = (j: number, t: number): void => {
    const tr = trace[j] as JobTrace;
    const spec = shape.jobs[j] as (typeof shape.jobs)[number];
    tr.executeEnd = t;
    tr.postScriptStart = t;
    const prof = jobProfile(family, spec.kind, spec.type);
    const post = secsExpected(prof.post * runAnomaly.postScript()) + (rng.bernoulli(0.02) ? 1 + rng.int(5) : 0);
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
