/** Messages between the API and its training worker thread. */
import type { Neo4jConnection } from '../../config';
import type { ModelIdentity } from '../../model-identity';
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
      model: ModelIdentity & { id: string; metrics: unknown; path: string };
    }
  | { type: 'error'; message: string };
