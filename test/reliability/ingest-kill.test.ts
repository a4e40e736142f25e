/**
 * The ingest SIGKILLed at 20 seeded random points (start-up, parse, open write transactions,
 * between commits) on 160 real flowgad runs: never a partial run, the run count never goes down,
 * and every completing re-run ends with exactly the counts computed by parsing the files.
 * bench/faults.ts runs the same trials on a larger slice.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ingestKillTrials } from '../../bench/faults/ingest-kill';
import type { Graph } from '../../src/graph/driver';
import { skipWithoutDataset, testGraph, wipe } from '../helpers/neo4j';
import { realSubset } from '../helpers/real-subset';

describe('ingest killed with SIGKILL at random points', { skip: skipWithoutDataset }, () => {
  let graph: Graph;
  let root: string;
  before(async () => {
    graph = testGraph();
    root = realSubset(['normal', 'cpu_3', 'hdd_70', 'loss_0.5'], 8);
  });
  after(async () => {
    await graph?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('20 kills: no partial run after any of them, re-runs converge to the clean counts', async () => {
    const log = process.env.WFAD_TEST_VERBOSE ? (l: string) => void process.stderr.write(`${l}\n`) : undefined;
    // 300 jobs per write transaction: ~12 commits per ingest, so kills also land between commits.
    const r = await ingestKillTrials({ graph, target: root, kills: 20, killsPerRound: 5, seed: 20260601, batchJobs: 300, wipe, log });
    assert.equal(r.clean.runs, 160);
    assert.ok(r.kills >= 20, `${r.kills} kills`);
    for (const t of r.trials) assert.deepEqual(t.problems, [], `round ${t.round}, ${t.killed ? `killed at ${t.atMs} ms (${t.phase})` : 'not killed'}`);
    for (const round of r.rounds) assert.deepEqual(round.problems, [], `round ${round.round} re-run`);
    // The kills spread over the phases (seeded, so this is deterministic up to timing).
    assert.ok((r.phases['start-up or parse'] ?? 0) > 0, JSON.stringify(r.phases));
    assert.ok((r.phases['write transaction open'] ?? 0) + (r.phases['between commits'] ?? 0) > 0, JSON.stringify(r.phases));
    assert.equal(r.failures, 0);
  });
});
