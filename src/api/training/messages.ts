/** Messages between the API and its training worker thread. */
import type { Neo4jConnection } from '../../config';
import type { TrainConfig } from '../../train/trainer';

export interface TrainRequest {
  jobId: string;
  conn: Neo4jConnection;
  /** "ALL" or a workflow name. */
  workflow: string;
  config: TrainConfig;
  /** Folder the model is saved in. */
  dir: string;
  name: string;
}

export type TrainMessage =
  | { type: 'loaded'; runs: number }
  | { type: 'epoch'; epoch: number; trainLoss: number; valAccuracy: number }
  | {
      type: 'done';
      model: { id: string; name: string; version: string; workflow: string; level: 'graph' | 'node'; task: 'binary' | 'multiclass'; classes: string[]; metrics: unknown; path: string };
    }
  | { type: 'error'; message: string };
