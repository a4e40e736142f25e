/**
 * Asynchronous training jobs (trainModel): each runs in a worker thread, one at a time (training
 * takes the CPU), the others wait in order, at most MAX_QUEUED of them (a key holder cannot pile
 * up unbounded work or memory). Job state lives in this process: a restart forgets jobs, not the
 * models they registered; the last KEEP_FINISHED finished jobs stay visible.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Graph } from '../../graph/driver';
import type { TrainConfig } from '../../train/trainer';
import { TooManyRequestsError } from '../errors';
import type { ModelRegistry } from '../registry';
import { registerModel } from '../../graph/predictions';
import type { TrainMessage, TrainRequest } from './messages';

export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface JobState {
  id: string;
  status: JobStatus;
  epoch: number;
  maxEpochs: number;
  trainLoss: number | null;
  valAccuracy: number | null;
  runs: number | null;
  error: string | null;
  modelId: string | null;
  /** Epoch seconds. */
  createdAt: number;
  finishedAt: number | null;
}

interface Pending {
  state: JobState;
  request: TrainRequest;
  activate: boolean;
}

const KEEP_FINISHED = 100;
/** Jobs waiting behind the running one; one more is refused with TOO_MANY_REQUESTS. */
export const MAX_QUEUED = 8;

export class TrainingJobs {
  private readonly jobs = new Map<string, JobState>();
  private readonly queue: Pending[] = [];
  private running: { worker: Worker; done: Promise<void> } | null = null;

  constructor(
    private readonly graph: Graph,
    private readonly registry: ModelRegistry,
    private readonly modelsDir: string,
    private readonly log: Logger,
  ) {}

  get(id: string): JobState | null {
    return this.jobs.get(id) ?? null;
  }

  list(): JobState[] {
    return [...this.jobs.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  submit(workflow: string, config: TrainConfig, activate: boolean): JobState {
    if (this.queue.length >= MAX_QUEUED) {
      throw new TooManyRequestsError(`${MAX_QUEUED} training jobs are already waiting behind the running one; try again when one has finished (trainingJobs shows them)`);
    }
    const id = randomUUID();
    const name = `${workflow}-${config.level}-${config.task}`;
    const state: JobState = { id, status: 'QUEUED', epoch: 0, maxEpochs: config.maxEpochs, trainLoss: null, valAccuracy: null, runs: null, error: null, modelId: null, createdAt: Date.now() / 1000, finishedAt: null };
    this.jobs.set(id, state);
    this.prune();
    this.queue.push({ state, activate, request: { jobId: id, conn: this.graph.conn, workflow, config, dir: path.join(this.modelsDir, 'trained', `${name}-${id.slice(0, 8)}`), name } });
    this.next();
    return state;
  }

  private prune(): void {
    const finished = this.list().filter((j) => j.finishedAt !== null);
    for (const j of finished.slice(KEEP_FINISHED)) this.jobs.delete(j.id);
  }

  private next(): void {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) return;
    const { state } = job;
    state.status = 'RUNNING';
    const worker = new Worker(path.join(__dirname, 'worker.js'), { workerData: job.request });
    let outcome: TrainMessage | null = null;
    const done = new Promise<void>((resolve) => {
      worker.on('message', (m: TrainMessage) => {
        if (m.type === 'loaded') state.runs = m.runs;
        else if (m.type === 'epoch') Object.assign(state, { epoch: m.epoch, trainLoss: m.trainLoss, valAccuracy: m.valAccuracy });
        else outcome = m;
      });
      worker.on('error', (err) => (outcome = { type: 'error', message: err.message }));
      worker.on('exit', () => resolve(this.finish(job, outcome)));
    });
    this.running = { worker, done };
    this.log.info({ job: state.id, workflow: job.request.workflow, config: job.request.config }, 'training started');
  }

  private async finish(job: Pending, outcome: TrainMessage | null): Promise<void> {
    const { state } = job;
    try {
      if (outcome?.type !== 'done') throw new Error(outcome?.type === 'error' ? outcome.message : 'the training worker stopped without a result');
      await registerModel(this.graph, { ...outcome.model, metrics: JSON.stringify(outcome.model.metrics ?? {}) }, job.activate);
      this.registry.invalidate();
      state.modelId = outcome.model.id;
      state.status = 'SUCCEEDED';
      this.log.info({ job: state.id, model: outcome.model.id }, 'training succeeded');
    } catch (err) {
      state.status = 'FAILED';
      state.error = err instanceof Error ? err.message : String(err);
      this.log.warn({ job: state.id, error: state.error }, 'training failed');
    } finally {
      state.finishedAt = Date.now() / 1000;
      this.running = null;
      this.next();
    }
  }

  /** Stops a running training (server shutdown); queued jobs are dropped. */
  async close(): Promise<void> {
    this.queue.length = 0;
    const r = this.running;
    if (r) {
      await r.worker.terminate();
      await r.done;
    }
  }
}
