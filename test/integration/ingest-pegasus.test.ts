/**
 * `wfad ingest <folder of Pegasus submit directories>` against the real Neo4j: every run stored
 * (the hierarchical directory holds two), sub-workflow linked to its parent's job, `wfad stats`
 * lists the workflows, re-ingest changes nothing, a run stored in progress is replaced once its
 * end is recorded, and a damaged database next to good ones loses only itself.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Graph } from '../../src/graph/driver';
import { readRuns } from '../../src/graph/read-runs';
import type { IngestSummary } from '../../src/ingest/pipeline';
import { SUBMIT_DIRS, alterDb, copySubmitDirs, dbOf, skipNoSubmitDirs } from '../helpers/pegasus-fixtures';
import { cli, count, testGraph, wipe } from '../helpers/neo4j';

describe('wfad ingest on Pegasus submit directories', { skip: skipNoSubmitDirs }, () => {
  let graph: Graph;
  const tmps: string[] = [];
  before(async () => {
    graph = testGraph();
    await wipe(graph);
  });
  after(async () => {
    for (const t of tmps) fs.rmSync(t, { recursive: true, force: true });
    await graph?.close();
  });

  it('stores every run, links the sub-workflow, lists the workflows; a second ingest changes nothing', async () => {
    const r = await cli(['ingest', SUBMIT_DIRS, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as IngestSummary;
    assert.deepEqual(s.rejected, []);
    assert.equal(s.runsStored, 5);
    assert.equal(s.runsUnlabelled, 5);
    assert.deepEqual(s.sources, [{ kind: 'stampede-db', runs: 5, jobs: 46, edges: 53 }]);
    assert.deepEqual(s.storedRuns.map((x) => `${x.kind} ${x.state}`).sort(), ['stampede-db failed', 'stampede-db failed', 'stampede-db running', 'stampede-db succeeded', 'stampede-db succeeded']);
    assert.equal(await count(graph, 'MATCH (r:Run) RETURN count(r)'), 5);
    assert.equal(await count(graph, 'MATCH (:Run)-[:HAS_JOB]->(j:Job) RETURN count(j)'), 46);
    assert.equal(await count(graph, 'MATCH (:Job)-[f:FEEDS]->(:Job) RETURN count(f)'), 53);
    assert.equal(
      await count(graph, "MATCH (:Job {name: 'pegasus-plan_diamond_subworkflow', type: 'subwf'})-[:RUNS]->(:Run {workflow: 'blackdiamond'})-[:SUBWORKFLOW_OF]->(:Run {workflow: 'hierarchical-workflow'}) RETURN count(*)"),
      1,
    );
    assert.equal(await count(graph, "MATCH (r:Run {workflow: 'hierarchical-workflow', state: 'running'}) RETURN count(r)"), 1);
    assert.match(s.notes[0]?.note ?? '', /stored in progress/);

    const stats = await cli(['stats', '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.deepEqual((JSON.parse(stats.stdout) as { workflows: Array<{ name: string }> }).workflows.map((w) => w.name).sort(), ['Drug-Combination-Therapy', 'blackdiamond', 'hierarchical-workflow', 'process']);

    const again = await cli(['ingest', SUBMIT_DIRS]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /runs 5: 0 stored, 5 unchanged, 0 rejected/);
    assert.equal(await count(graph, 'MATCH (r:Run) RETURN count(r)'), 5);
  });

  it('the failed `process` run reads back as failed, and normal-only training on it refuses (exit 2) instead of a NaN model', async () => {
    const runs = await readRuns(graph, { workflows: ['process'] });
    assert.deepEqual(runs.map((r) => r.state).sort(), ['failed', 'succeeded']);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-no-')), 'process-no');
    tmps.push(path.dirname(out));
    const r = await cli(['train', '--workflow', 'process', '--detector', 'normal-only', '--assume-normal', '--out', out]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /BAD_INPUT: workflow "process": 1 normal runs .* at least 10 .*1 run\(s\) of unknown truth left out \(failed\)/);
    assert.equal(fs.existsSync(out), false, 'no model saved');
  });

  it('a run stored in progress is replaced by its finished record; its sub-workflow stays linked', async () => {
    const tmp = copySubmitDirs('hierarchical_wf_success');
    tmps.push(tmp);
    await alterDb(dbOf(tmp, 'hierarchical_wf_success'), "INSERT INTO workflowstate (wf_id, state, timestamp, restart_count, status) VALUES (1, 'WORKFLOW_TERMINATED', 1677920801, 0, 0)");
    const r = await cli(['ingest', tmp, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as IngestSummary;
    assert.deepEqual(s.rejected, []);
    assert.deepEqual(s.runsReplaced, ['hierarchical-workflow/48f759a4-165f-47d6-8c32-571649ce311b']);
    assert.equal(s.runsUnchanged, 1, 'the finished sub-workflow is unchanged');
    assert.equal(await count(graph, "MATCH (r:Run {workflow: 'hierarchical-workflow'}) WHERE r.state = 'succeeded' AND r.endedAt = 1677920801 RETURN count(r)"), 1);
    assert.equal(await count(graph, "MATCH (r:Run {workflow: 'hierarchical-workflow'}) RETURN count(r)"), 1);
    assert.equal(await count(graph, "MATCH (r:Run {workflow: 'hierarchical-workflow'})-[:HAS_JOB]->(j:Job) RETURN count(j)"), 13);
    assert.equal(await count(graph, "MATCH (:Job {name: 'pegasus-plan_diamond_subworkflow'})-[:RUNS]->(:Run {workflow: 'blackdiamond'})-[:SUBWORKFLOW_OF]->(:Run {workflow: 'hierarchical-workflow'}) RETURN count(*)"), 1);
  });

  it('a damaged database is rejected by name; the other submit directories are stored', async () => {
    await wipe(graph);
    const tmp = copySubmitDirs('process_wf_success', 'sample_wf_held');
    tmps.push(tmp);
    fs.truncateSync(dbOf(tmp, 'sample_wf_held'), 5000);
    const r = await cli(['ingest', tmp]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /runs 2: 1 stored \(1 unlabelled\), 0 unchanged, 1 rejected/);
    assert.match(r.stdout, new RegExp(`${path.join('sample_wf_held', 'Drug-Combination-Therapy-0.stampede.db').replace(/[.]/g, '\\.')}: \\[CORRUPT_DB\\] truncated`));
    assert.match(r.stdout, /read from: stampede-db 1 run\(s\) \(5 jobs, 4 edges\)/);
  });
});
