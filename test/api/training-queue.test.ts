/**
 * The training queue is bounded: one job runs, MAX_QUEUED wait, one more is refused with
 * TOO_MANY_REQUESTS and nothing about it is kept. No Neo4j needed: the worker is pointed at a
 * closed port and close() stops it before it matters.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import { GraphQLError } from 'graphql';
import pino from 'pino';
import type { Graph } from '../../src/graph/driver';
import type { ModelRegistry } from '../../src/api/registry';
import { MAX_QUEUED, TrainingJobs, type JobState } from '../../src/api/training/jobs';
import { DEFAULT_CONFIG } from '../../src/train/trainer';

describe('TrainingJobs queue', () => {
  it(`runs one, queues ${MAX_QUEUED}, refuses the next with TOO_MANY_REQUESTS, and close() drops the queue`, async () => {
    const graph = { conn: { uri: 'bolt://127.0.0.1:1', user: 'neo4j', password: '', database: 'neo4j' } } as unknown as Graph;
    const registry = { invalidate: () => undefined } as unknown as ModelRegistry;
    const jobs = new TrainingJobs(graph, registry, os.tmpdir(), pino({ level: 'silent' }));
    const cfg = { ...DEFAULT_CONFIG, maxEpochs: 1 };
    const accepted = Array.from({ length: MAX_QUEUED + 1 }, () => jobs.submit('ALL', cfg, false));
    assert.equal(accepted[0]?.status, 'RUNNING');
    assert.deepEqual(new Set(accepted.slice(1).map((j) => j.status)), new Set(['QUEUED']));
    assert.throws(
      () => jobs.submit('ALL', cfg, false),
      (e: unknown) => e instanceof GraphQLError && e.extensions.code === 'TOO_MANY_REQUESTS' && e.message.startsWith(`${MAX_QUEUED} training jobs are already waiting`),
    );
    assert.equal(jobs.list().length, MAX_QUEUED + 1, 'the refused job is not recorded');
    await jobs.close();
    // The running one ended (stopped, or failed on the closed port first) with a time and a reason;
    // the queued ones never started; a new submit is accepted.
    const first = accepted[0] as JobState;
    assert.equal(first.status, 'FAILED');
    assert.equal(typeof first.finishedAt, 'number');
    assert.ok((first.finishedAt as number) >= first.createdAt);
    assert.match(first.error ?? '', /\S/, 'the reason it ended');
    assert.equal(first.modelId, null);
    for (const j of accepted.slice(1)) {
      assert.equal(j.status, 'QUEUED');
      assert.equal(j.finishedAt, null);
    }
    const again = jobs.submit('ALL', cfg, false);
    assert.equal(again.status, 'RUNNING');
    await jobs.close();
    assert.equal(again.status, 'FAILED');
    assert.equal(typeof again.finishedAt, 'number');
  });
});
