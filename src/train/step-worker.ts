/**
 * Entry of the training worker thread (parallel.ts): serves shard steps on shared memory until
 * told to stop.
 */
import { workerData } from 'node:worker_threads';
import { serveShards, type WorkerInit } from './parallel';

serveShards(workerData as WorkerInit);
