/**
 * An ingest killed with SIGKILL part-way leaves no partial run, and running it again ends with
 * exactly the counts of a clean ingest. Uses one label folder of the real dataset (1,280 files).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/config';
import type { Graph } from '../../src/graph/driver';
import type { Stats } from '../../src/graph/stats';
import type { IngestSummary } from '../../src/ingest/pipeline';
import { loadTemplates } from '../../src/ingest/template';
import { parseRunFile } from '../../src/ingest/trace';
import { DATASET, cli, count, skipWithoutDataset, testGraph, wipe } from '../helpers/neo4j';

const FOLDER = path.join(DATASET, 'data', 'normal');

/** Runs the CLI ingest and SIGKILLs it once its progress passes `fraction` of the files. */
function ingestKilledAt(fraction: number): Promise<{ killedAt: number; total: number; exited: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'wfad.js'), 'ingest', FOLDER], { env: process.env });
    let killedAt = -1;
    let total = 0;
    child.stderr.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/ingest: (\d+)\/(\d+)/g)) {
        const done = Number(m[1]);
        total = Number(m[2]);
        if (killedAt < 0 && done >= fraction * total && done < total) {
          killedAt = done;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ killedAt, total, exited: signal !== 'SIGKILL' && code === 0 }));
  });
}

describe('ingest killed with SIGKILL', { skip: skipWithoutDataset }, () => {
  let graph: Graph;
  before(async () => {
    graph = testGraph();
    await wipe(graph);
  });
  after(async () => graph?.close());

  it('never leaves a partial run and converges to the clean counts', async () => {
    // The clean result, computed without the database: every file that parses is a run.
    const { templates } = loadTemplates(path.join(DATASET, 'adjacency_list_dags'));
    const expected = new Map<string, number>();
    let expectedJobs = 0;
    for (const f of fs.readdirSync(FOLDER).filter((x) => x.endsWith('.csv'))) {
      const r = parseRunFile({ source: f, labelFolder: 'normal', fileName: f, bytes: fs.readFileSync(path.join(FOLDER, f)) }, templates);
      if ('reason' in r) continue;
      expected.set(r.workflow, (expected.get(r.workflow) ?? 0) + 1);
      expectedJobs += r.jobs.length;
    }

    let previous = 0;
    for (const fraction of [0.1, 0.4, 0.7]) {
      const k = await ingestKilledAt(fraction);
      assert.ok(k.killedAt > 0, `the ingest was killed part-way (fraction ${fraction})`);
      const runs = await count(graph, 'MATCH (r:Run) RETURN count(r)');
      assert.ok(runs >= previous && runs < k.total, `after the kill at ${k.killedAt}/${k.total}: ${runs} runs stored`);
      previous = runs;
      const s = JSON.parse((await cli(['stats', '--json'])).stdout) as Stats;
      assert.equal(s.incompleteRuns, 0, `no partial run after the kill at ${k.killedAt}/${k.total}`);
      assert.equal(await count(graph, 'MATCH (j:Job) WHERE NOT (j)<-[:HAS_JOB]-(:Run) RETURN count(j)'), 0, 'no orphan jobs');
    }

    const r = await cli(['ingest', FOLDER, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const final = JSON.parse(r.stdout) as IngestSummary;
    assert.equal(final.runsUnchanged, previous);
    const s = JSON.parse((await cli(['stats', '--json'])).stdout) as Stats;
    for (const [wf, n] of expected) assert.equal(s.workflows.find((w) => w.name === wf)?.runs.normal, n, wf);
    assert.equal(s.incompleteRuns, 0);
    assert.equal(await count(graph, 'MATCH (j:Job) RETURN count(j)'), expectedJobs);
  });
});
