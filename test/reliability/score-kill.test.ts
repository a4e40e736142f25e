/**
 * `wfad score` SIGKILLed at seeded random points (graph- and job-level shipped models, small pages
 * and write batches so kills land between writes and in open write transactions), then run to
 * completion: exactly one prediction per run (and per job) per model version, none missing, no
 * duplicates, every prediction linked to its target and model.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scoreKillTrials } from '../../bench/faults/score-kill';
import { PROJECT_ROOT } from '../../src/config';
import type { Graph } from '../../src/graph/driver';
import { ingest } from '../../src/ingest/pipeline';
import { skipWithoutDataset, testGraph, wipe } from '../helpers/neo4j';
import { realSubset } from '../helpers/real-subset';

describe('wfad score killed with SIGKILL and resumed', { skip: skipWithoutDataset }, () => {
  let graph: Graph;
  before(async () => {
    graph = testGraph();
    await wipe(graph);
    const root = realSubset(['normal', 'cpu_3', 'hdd_70', 'loss_0.5'], 8);
    try {
      await ingest(graph, root);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
  after(async () => graph?.close());

  it('every run ends with exactly one prediction per model version (and every job, for a job-level model)', async () => {
    const log = process.env.WFAD_TEST_VERBOSE ? (l: string) => void process.stderr.write(`${l}\n`) : undefined;
    const models = ['ALL-graph-binary', 'ALL-node-binary'].map((m) => path.join(PROJECT_ROOT, 'models', m));
    const r = await scoreKillTrials({ graph, models, killsPerModel: 4, seed: 20260602, pageSize: 20, writeBatch: 100, log });
    for (const t of r.trials) assert.deepEqual(t.problems, [], `${t.model}: ${t.killed ? `killed at ${t.atMs} ms (${t.phase})` : 'not killed'}`);
    assert.equal(r.models.length, 2);
    for (const m of r.models) {
      assert.ok(m.kills >= 3, `${m.model}: ${m.kills} kills`);
      assert.deepEqual(m.problems, [], m.model);
      assert.equal(m.final.predictions, m.final.targets);
      assert.equal(m.final.missing + m.final.duplicated + m.final.malformed, 0);
    }
    assert.equal(r.models[0]?.targets, 160);
    assert.equal(r.failures, 0);
  });
});
