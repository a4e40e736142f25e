/**
 * Data-parallel steps on two threads. Every mini-batch is split into the same two shards
 * (halfByNodes) whatever the thread count; shard 0 runs here, shard 1 on a worker thread (or
 * here too, after shard 0, with one thread), and the gradient is g0 + g1, summed here:
 * the weights are bit for bit the same on one thread or two.
 *
 * The worker shares memory with this thread (SharedArrayBuffer): the packed graphs, the
 * weights (copied in before each step), its gradients and logits, and a control block; commands
 * and replies are sequence numbers under Atomics.wait/notify (no event loop involved, so
 * training stays synchronous).
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { GcnModel, type ModelConfig } from '../models/gcn';
import type { PackedGraphs } from './packed-graphs';
import { halfByNodes, lossDenominator, shardContext, shardLogits, trainShard, type ShardContext } from './shard-step';

/** Control block (Int32 slots). */
export const CTRL = { cmd: 0, done: 1, op: 2, count: 3, seed: 4, failed: 5, rows: 6, ready: 7 } as const;
export const OP = { train: 1, logits: 2, stop: 3 } as const;
/** Float64 slots. */
export const NUM = { denominator: 0, loss: 1 } as const;

/** What the worker is given (all memory shared). */
export interface WorkerInit {
  pack: PackedGraphs;
  modelConfig: ModelConfig;
  classWeights: Float32Array | undefined;
  ctrl: Int32Array;
  num: Float64Array;
  graphs: Int32Array;
  weights: Float32Array;
  grads: Float32Array;
  logits: Float32Array;
  error: Uint8Array;
}

/** Below this many training jobs a second thread costs more (start-up) than it saves. */
export const MIN_PARALLEL_NODES = 20_000;

/** Threads for training: WFAD_TRAIN_THREADS, else 2 where the machine has 2 cores or more. */
export function defaultThreads(): number {
  const env = Number(process.env.WFAD_TRAIN_THREADS);
  if (Number.isInteger(env) && env >= 1) return Math.min(env, 2);
  return Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
}

const WAIT_MS = 600_000;
/** A worker not running after this long is given up: its shards run on this thread (same weights). */
const START_MS = 30_000;

export class ShardRunner {
  private readonly ctx: ShardContext;
  private readonly params;
  private readonly local: Float32Array[][];
  private worker: Worker | null = null;
  private init: WorkerInit | null = null;
  private seq = 0;

  constructor(
    model: GcnModel,
    private readonly pack: PackedGraphs,
    private readonly classWeights: Float32Array | undefined,
    threads: number,
  ) {
    this.ctx = shardContext(model, pack, classWeights);
    this.params = model.parameters();
    this.local = [0, 1].map(() => this.params.map((p) => new Float32Array(p.data.length)));
    if (threads >= 2) this.startWorker(model.config);
  }

  get threads(): number {
    return this.worker ? 2 : 1;
  }

  private startWorker(modelConfig: ModelConfig): void {
    const P = this.params.reduce((a, p) => a + p.data.length, 0);
    const maxRows = this.pack.nodeTarget ? this.pack.numNodes : this.pack.numGraphs;
    const C = modelConfig.numClasses;
    const f32 = (n: number): Float32Array => new Float32Array(new SharedArrayBuffer(4 * Math.max(n, 1)));
    this.init = {
      pack: this.pack,
      modelConfig,
      classWeights: this.classWeights,
      ctrl: new Int32Array(new SharedArrayBuffer(4 * 8)),
      num: new Float64Array(new SharedArrayBuffer(8 * 2)),
      graphs: new Int32Array(new SharedArrayBuffer(4 * Math.max(this.pack.numGraphs, 1))),
      weights: f32(P),
      grads: f32(P),
      logits: f32(maxRows * C),
      error: new Uint8Array(new SharedArrayBuffer(4096)),
    };
    this.worker = new Worker(path.join(__dirname, 'step-worker.js'), { workerData: this.init });
    this.worker.unref();
    // A worker that cannot start is noticed by workerReady (its shards then run here); its error
    // event must not take the process down.
    this.worker.on('error', () => undefined);
  }

  /** Whether the worker runs; waits for it to start the first time, and gives it up if it does not. */
  private workerReady(): boolean {
    const w = this.init;
    if (!this.worker || !w) return false;
    if (Atomics.load(w.ctrl, CTRL.ready) === 1) return true;
    Atomics.wait(w.ctrl, CTRL.ready, 0, START_MS);
    if (Atomics.load(w.ctrl, CTRL.ready) === 1) return true;
    void this.worker.terminate();
    this.worker = null;
    return false;
  }

  /** Sends a command on `graphs` to the worker. */
  private send(op: number, graphs: ArrayLike<number>, seed = 0, denominator = 0): void {
    const w = this.init as WorkerInit;
    if (op === OP.train) {
      let o = 0;
      for (const p of this.params) {
        w.weights.set(p.data, o);
        o += p.data.length;
      }
      w.num[NUM.denominator] = denominator;
      w.ctrl[CTRL.seed] = seed;
    } else if (op === OP.logits) {
      let o = 0;
      for (const p of this.params) {
        w.weights.set(p.data, o);
        o += p.data.length;
      }
    }
    for (let i = 0; i < graphs.length; i++) w.graphs[i] = graphs[i] as number;
    w.ctrl[CTRL.count] = graphs.length;
    w.ctrl[CTRL.op] = op;
    Atomics.store(w.ctrl, CTRL.cmd, ++this.seq);
    Atomics.notify(w.ctrl, CTRL.cmd);
  }

  private receive(): void {
    const w = this.init as WorkerInit;
    const t0 = Date.now();
    while (Atomics.load(w.ctrl, CTRL.done) !== this.seq) {
      Atomics.wait(w.ctrl, CTRL.done, this.seq - 1, 1000);
      if (Date.now() - t0 > WAIT_MS) throw new Error(`training worker: no answer in ${WAIT_MS / 1000} s`);
    }
    if (w.ctrl[CTRL.failed]) {
      const msg = Buffer.from(w.error).toString('utf8').replace(/\0+$/, '');
      throw new Error(`training worker failed: ${msg}`);
    }
  }

  /**
   * One step's gradient into the parameters' `grad` (ready for the optimiser); returns the
   * batch's mean loss. `seeds`: dropout seeds of the two shards.
   */
  trainStep(graphs: readonly number[], seeds: readonly [number, number]): number {
    const cut = halfByNodes(this.pack, graphs);
    const s0 = graphs.slice(0, cut);
    const s1 = graphs.slice(cut);
    const d = lossDenominator(this.pack, graphs, this.classWeights);
    const [g0, g1] = this.local as [Float32Array[], Float32Array[]];
    if (s1.length && this.workerReady()) this.send(OP.train, s1, seeds[1], d);
    let loss = trainShard(this.ctx, s0, seeds[0], d, g0);
    if (s1.length) {
      let shard1: readonly Float32Array[];
      if (this.worker) {
        this.receive();
        const w = this.init as WorkerInit;
        loss += w.num[NUM.loss] as number;
        let o = 0;
        shard1 = this.params.map((p) => {
          const v = w.grads.subarray(o, o + p.data.length);
          o += p.data.length;
          return v;
        });
      } else {
        loss += trainShard(this.ctx, s1, seeds[1], d, g1);
        shard1 = g1;
      }
      for (let k = 0; k < g0.length; k++) {
        const a = g0[k] as Float32Array;
        const b = shard1[k] as Float32Array;
        for (let i = 0; i < a.length; i++) a[i] = (a[i] as number) + (b[i] as number);
      }
    }
    this.params.forEach((p, k) => (p.grad = g0[k] as Float32Array));
    return loss;
  }

  /** Logits of `graphs` in order (graph level [B, C], job level [n, C]), computed in two shards. */
  logits(graphs: readonly number[]): Float32Array {
    const C = this.ctx.model.config.numClasses;
    const rowsOf = (gs: readonly number[]): number => (this.pack.nodeTarget ? gs.reduce((a, g) => a + (this.pack.nodePtr[g + 1] as number) - (this.pack.nodePtr[g] as number), 0) : gs.length);
    const cut = halfByNodes(this.pack, graphs);
    const s0 = graphs.slice(0, cut);
    const s1 = graphs.slice(cut);
    const r0 = rowsOf(s0);
    const out = new Float32Array((r0 + rowsOf(s1)) * C);
    if (s1.length && this.workerReady()) this.send(OP.logits, s1);
    shardLogits(this.ctx, s0, out);
    if (s1.length) {
      if (this.worker) {
        this.receive();
        out.set((this.init as WorkerInit).logits.subarray(0, (out.length / C - r0) * C), r0 * C);
      } else shardLogits(this.ctx, s1, out.subarray(r0 * C));
    }
    return out;
  }

  /** Stops the worker (idempotent). */
  close(): void {
    if (!this.worker) return;
    const w = this.init as WorkerInit;
    w.ctrl[CTRL.op] = OP.stop;
    Atomics.store(w.ctrl, CTRL.cmd, ++this.seq);
    Atomics.notify(w.ctrl, CTRL.cmd);
    void this.worker.terminate();
    this.worker = null;
  }
}

/** The worker's side: a model bound to the shared weights, answering commands until stopped. */
export function serveShards(init: WorkerInit): void {
  const model = new GcnModel(init.modelConfig, 0);
  const params = model.parameters();
  const ctx = shardContext(model, init.pack, init.classWeights);
  let o = 0;
  const grads = params.map((p) => {
    const v = init.grads.subarray(o, o + p.data.length);
    o += p.data.length;
    return v;
  });
  const loadWeights = (): void => {
    let off = 0;
    for (const p of params) {
      p.data.set(init.weights.subarray(off, off + p.data.length));
      off += p.data.length;
    }
  };
  let seen = 0;
  Atomics.store(init.ctrl, CTRL.ready, 1);
  Atomics.notify(init.ctrl, CTRL.ready);
  for (;;) {
    Atomics.wait(init.ctrl, CTRL.cmd, seen);
    seen = Atomics.load(init.ctrl, CTRL.cmd);
    const op = init.ctrl[CTRL.op];
    if (op === OP.stop) return;
    try {
      const graphs = init.graphs.subarray(0, init.ctrl[CTRL.count]);
      loadWeights();
      if (op === OP.train) init.num[NUM.loss] = trainShard(ctx, graphs, init.ctrl[CTRL.seed] as number, init.num[NUM.denominator] as number, grads);
      else init.ctrl[CTRL.rows] = shardLogits(ctx, graphs, init.logits);
    } catch (err) {
      init.error.set(Buffer.from(String((err as Error)?.stack ?? err)).subarray(0, init.error.length - 1));
      init.ctrl[CTRL.failed] = 1;
    }
    Atomics.store(init.ctrl, CTRL.done, seen);
    Atomics.notify(init.ctrl, CTRL.done);
  }
}
