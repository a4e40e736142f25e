/**
 * Dynamic batching: concurrent predict(run) calls are collected and scored together in one
 * session.run over their disjoint union, then each caller gets its own run's prediction.
 *
 * A batch goes when it holds maxBatch runs, or maxWaitMs after its first request, whichever comes
 * first; while a batch runs, new requests gather for the next one (at most `maxInFlight` batches
 * run at once, default 1: on a CPU a second concurrent run only competes for the same cores).
 * A request that is invalid on its own (bad shape) is rejected at once and never fails a batch.
 */
import { inferenceConfig } from '../config';
import type { PredictInput, Predictor, RunPrediction } from './predictor';

export interface BatcherOptions {
  /** Most runs per session.run (default WFAD_BATCH_MAX or 256). */
  maxBatch?: number;
  /** Longest wait for more requests before a partial batch goes (default WFAD_BATCH_WAIT_MS or 2). */
  maxWaitMs?: number;
  /** Batches running at once (default 1). */
  maxInFlight?: number;
  /** Compute explanations with the verdicts (default true; Predictor.predict's `explain`). */
  explain?: boolean;
}

export interface BatcherStats {
  /** predict() calls accepted. */
  requests: number;
  /** session.run calls made by this batcher. */
  calls: number;
  /** Runs sent in those calls. */
  graphs: number;
  /** Largest batch so far. */
  largestBatch: number;
  /** Requests waiting for a batch now. */
  pending: number;
}

interface Pending {
  input: PredictInput;
  resolve: (p: RunPrediction) => void;
  reject: (err: unknown) => void;
}

export class InferenceBatcher {
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  readonly maxInFlight: number;
  readonly explain: boolean;
  private readonly queue: Pending[] = [];
  private readonly counters = { requests: 0, calls: 0, graphs: 0, largestBatch: 0 };
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private idle: Array<() => void> = [];

  constructor(
    readonly predictor: Predictor,
    opts: BatcherOptions = {},
  ) {
    const cfg = inferenceConfig();
    this.maxBatch = opts.maxBatch ?? cfg.maxBatch;
    this.maxWaitMs = opts.maxWaitMs ?? cfg.maxWaitMs;
    this.maxInFlight = opts.maxInFlight ?? 1;
    this.explain = opts.explain ?? true;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError(`InferenceBatcher: maxBatch ${this.maxBatch} must be an integer ≥ 1`);
    if (!(this.maxWaitMs >= 0)) throw new RangeError(`InferenceBatcher: maxWaitMs ${this.maxWaitMs} must be ≥ 0`);
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) throw new RangeError(`InferenceBatcher: maxInFlight ${this.maxInFlight} must be an integer ≥ 1`);
  }

  get stats(): BatcherStats {
    return { ...this.counters, pending: this.queue.length };
  }

  /** The prediction for one run, scored together with whatever else is asked meanwhile. */
  predict(input: PredictInput): Promise<RunPrediction> {
    try {
      this.predictor.validate(input);
    } catch (err) {
      return Promise.reject(err);
    }
    this.counters.requests++;
    return new Promise<RunPrediction>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  /** Many runs through the same queue (they batch with each other and with other callers). */
  predictMany(inputs: readonly PredictInput[]): Promise<RunPrediction[]> {
    return Promise.all(inputs.map((s) => this.predict(s)));
  }

  /** Sends what is queued now and resolves when nothing is queued or running. */
  async drain(): Promise<void> {
    this.clearTimer();
    while (this.queue.length && this.inFlight < this.maxInFlight) this.dispatch();
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((r) => this.idle.push(r));
  }

  private schedule(): void {
    if (this.queue.length >= this.maxBatch) {
      if (this.inFlight < this.maxInFlight) {
        this.clearTimer();
        this.dispatch();
      }
      return;
    }
    if (!this.timer && this.inFlight < this.maxInFlight) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.inFlight < this.maxInFlight && this.queue.length) this.dispatch();
      }, this.maxWaitMs);
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private dispatch(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.inFlight++;
    this.counters.calls++;
    this.counters.graphs += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    this.predictor
      .predict(
        batch.map((p) => p.input),
        { explain: this.explain },
      )
      .then(
        (out) => batch.forEach((p, i) => p.resolve(out[i] as RunPrediction)),
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      )
      .finally(() => {
        this.inFlight--;
        // Requests that arrived meanwhile have waited at least one run: send them now.
        if (this.queue.length) {
          this.clearTimer();
          this.dispatch();
        } else if (this.inFlight === 0) {
          const waiters = this.idle;
          this.idle = [];
          waiters.forEach((r) => r());
        }
      });
  }
}
