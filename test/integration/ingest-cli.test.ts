/**
 * `wfad ingest` behaviour on small made-up datasets against the real Neo4j: good files stored
 * next to bad ones, conflicting content refused, exit codes, and an unreachable database.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Graph } from '../../src/graph/driver';
import type { IngestSummary } from '../../src/ingest/pipeline';
import { TEMPLATE, miniDataset, runCsv } from '../helpers/fixtures';
import { cli, count, testGraph, wipe } from '../helpers/neo4j';

describe('wfad ingest on small datasets', () => {
  let graph: Graph;
  before(async () => {
    graph = testGraph();
    await wipe(graph);
  });
  after(async () => graph?.close());

  it('stores the good files, rejects the bad ones by name and reason, exits 0', async () => {
    const root = miniDataset({
      'normal/mini-mini-T1-run0001.csv': runCsv('mini-T1', 1000),
      'cpu_2/mini-mini-T1-run0001.csv': runCsv('mini-T1', 2000, 90),
      'normal/mini-mini-T1-run0002.csv': runCsv('mini-T1', 3000).replace(/^(work_ID01(?:,[^,]*){13}),10,/m, '$1,abc,'),
      'weird_label/mini-mini-T1-run0001.csv': runCsv('mini-T1', 4000),
      'Normal/mini-mini-T1-run0005.csv': runCsv('mini-T1', 6000),
      'normal/mini-mini-T1-run0003.csv': '',
      'normal/mini-mini-T1-run0004.CSV': runCsv('mini-T1', 5000),
      'normal/notes.txt': 'not a run file',
    });
    const r = await cli(['ingest', root, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as IngestSummary;
    assert.equal(s.files, 7);
    assert.equal(s.runsStored, 4);
    assert.equal(s.runsUnlabelled, 1, 'a folder that is no label holds unlabelled runs');
    assert.deepEqual(s.storedRunIds.sort(), ['cpu_2/mini-mini-T1-run0001', 'normal/mini-mini-T1-run0001', 'normal/mini-mini-T1-run0004', 'weird_label/mini-mini-T1-run0001']);
    assert.equal(s.jobs, 12);
    assert.equal(s.edges, 8);
    assert.match(s.notes[0]?.note ?? '', /folder "weird_label" is not a label/);
    assert.equal(await count(graph, "MATCH (r:Run {id: 'weird_label/mini-mini-T1-run0001'}) WHERE r.label IS NULL AND r.category IS NULL RETURN count(r)"), 1);
    assert.equal(await count(graph, "MATCH (:Run {id: 'weird_label/mini-mini-T1-run0001'})-[:HAS_JOB]->(j:Job) WHERE j.label IS NULL RETURN count(j)"), 3);
    assert.deepEqual(s.ignoredFiles, ['data/normal/notes.txt'], 'a file that is not a run file is named, not skipped silently');
    assert.equal(await count(graph, "MATCH (r:Run {id: 'normal/mini-mini-T1-run0004'}) RETURN count(r)"), 1, 'an upper-case .CSV is a run file');
    const byFile = new Map(s.rejected.map((x) => [x.file, x]));
    assert.equal(byFile.get('data/normal/mini-mini-T1-run0003.csv')?.code, 'EMPTY_FILE');
    assert.equal(byFile.get('data/Normal/mini-mini-T1-run0005.csv')?.code, 'UNKNOWN_LABEL', 'a misspelled label folder is not taken for an unlabelled one');
    const bad = byFile.get('data/normal/mini-mini-T1-run0002.csv');
    assert.equal(bad?.code, 'BAD_VALUE');
    assert.match(bad?.reason ?? '', /work_ID01.*runtime="abc"/);
    assert.equal(await count(graph, "MATCH (r:Run {id: 'cpu_2/mini-mini-T1-run0001'})-[:HAS_JOB]->(j:Job {name: 'work_ID01'}) RETURN j.runtime"), 90);
    // Human output names the same files.
    const h = await cli(['ingest', root]);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /0 stored, 4 unchanged, 3 rejected/);
    assert.match(h.stdout, /ignored 1 file\(s\) that are not \.csv run files: data\/normal\/notes\.txt/);
    assert.match(h.stdout, /data\/normal\/mini-mini-T1-run0002\.csv: \[BAD_VALUE\]/);
  });

  it('refuses a run id seen before with different content and keeps the stored one', async () => {
    const root = miniDataset({ 'normal/mini-mini-T1-run0001.csv': runCsv('mini-T1', 1000, 55) });
    const r = await cli(['ingest', root, '--json']);
    const s = JSON.parse(r.stdout) as IngestSummary;
    assert.equal(s.runsStored, 0);
    assert.equal(s.rejected[0]?.code, 'CONFLICT');
    assert.match(s.rejected[0]?.reason ?? '', /normal\/mini-mini-T1-run0001 is already stored with different content/);
    assert.equal(await count(graph, "MATCH (r:Run {id: 'normal/mini-mini-T1-run0001'})-[:HAS_JOB]->(j:Job {name: 'work_ID01'}) RETURN j.runtime"), 10);
    // Nothing stored and nothing unchanged: exit status 4.
    assert.equal(r.code, 4);
  });

  it('exits 4 when nothing can be stored, 2 for a path without templates', async () => {
    const root = miniDataset({ 'normal/mini-mini-T1-run0009.csv': 'garbage' });
    const r = await cli(['ingest', root]);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /NOTHING_STORED: none of the 1 files could be stored/);
    const empty = fs.mkdtempSync(path.join(root, 'x'));
    const r2 = await cli(['ingest', empty]);
    assert.equal(r2.code, 4);
    const r3 = await cli(['ingest', '/nonexistent/path']);
    assert.equal(r3.code, 2);
    assert.match(r3.stderr, /\/nonexistent\/path: no such file or folder/);
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-bare-'));
    fs.writeFileSync(path.join(bare, 'mini-mini-T1-run0001.csv'), runCsv('mini-T1', 1000));
    const r4 = await cli(['ingest', bare]);
    assert.equal(r4.code, 2);
    assert.match(r4.stderr, /is neither a trace dataset nor a Pegasus submit directory\. A trace dataset needs an adjacency_list_dags\/ folder at the path or above it.*--template <workflow>=<file\.json>/);
  });

  it('--batch-jobs takes a positive integer, else exits 2 naming the value', async () => {
    const root = miniDataset({ 'normal/mini-mini-T1-run0001.csv': runCsv('mini-T1', 1000) });
    for (const v of ['abc', '0', '-5', '2.5']) {
      const r = await cli(['ingest', root, '--batch-jobs', v]);
      assert.equal(r.code, 2, `${v}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`option '--batch-jobs <n>' argument '${v}' is invalid\\. expected a positive integer`));
    }
    assert.equal(await count(graph, "MATCH (r:Run) WHERE r.source STARTS WITH 'data/normal/mini-mini-T1' AND r.contentHash IS NULL RETURN count(r)"), 0);
  });

  it('--template names a template whatever its file is called; a missing file exits 2 naming it', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-named-'));
    fs.mkdirSync(path.join(root, 'runs', 'normal'), { recursive: true });
    // File names without an instance id; no adjacency_list_dags/ anywhere.
    fs.writeFileSync(path.join(root, 'runs', 'normal', 'other-run0001.csv'), runCsv('other', 7000));
    fs.writeFileSync(path.join(root, 'runs', 'normal', 'other-run0002.csv'), runCsv('other', 8000));
    const dag = path.join(root, 'dag_of_2022.json');
    fs.writeFileSync(dag, JSON.stringify(TEMPLATE));
    const missing = await cli(['ingest', root, '--template', `other=${root}/nope.json`]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, new RegExp(`--template other=${root}/nope\\.json: no such file`));
    const bad = await cli(['ingest', root, '--template', 'other']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--template other: expected <workflow>=<file\.json>/);
    const r = await cli(['ingest', path.join(root, 'runs'), '--template', `other=${dag}`, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as IngestSummary;
    assert.equal(s.runsStored, 2);
    assert.deepEqual(s.rejected, []);
    assert.deepEqual(s.newTemplates.map((t) => [t.workflow, t.version, t.jobs, t.edges]), [['other', 1, 3, 2]]);
    assert.equal(await count(graph, "MATCH (:Workflow {name: 'other'})-[:HAS_RUN]->(r:Run) RETURN count(r)"), 2);
  });

  it('--unlabelled stores every run with unknown truth, whatever its folder', async () => {
    const root = miniDataset({ 'cpu_2/mini-unl-U1-run0001.csv': runCsv('unl-U1', 9000, 50), 'normal/mini-unl-U1-run0002.csv': runCsv('unl-U1', 9100) });
    const r = await cli(['ingest', root, '--unlabelled', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as IngestSummary;
    assert.equal(s.runsStored, 2);
    assert.equal(s.runsUnlabelled, 2);
    assert.equal(await count(graph, "MATCH (r:Run) WHERE r.id IN ['cpu_2/mini-unl-U1-run0001', 'normal/mini-unl-U1-run0002'] AND r.label IS NULL RETURN count(r)"), 2);
    assert.equal(await count(graph, "MATCH (r:Run {id: 'cpu_2/mini-unl-U1-run0001'})-[:HAS_JOB]->(j:Job) WHERE j.label IS NOT NULL RETURN count(j)"), 0);
    const st = JSON.parse((await cli(['stats', '--json'])).stdout) as { workflows: Array<{ name: string; runs: Record<string, number> }> };
    assert.ok((st.workflows.find((w) => w.name === 'mini')?.runs.unlabelled ?? 0) >= 2);
  });

  it('exits 3 and says so when Neo4j is unreachable', async () => {
    const root = miniDataset({ 'normal/mini-mini-T1-run0001.csv': runCsv('mini-T1', 1000) });
    const r = await cli(['ingest', root], { NEO4J_URI: 'bolt://127.0.0.1:1' });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /NEO4J_UNAVAILABLE: Neo4j at bolt:\/\/127\.0\.0\.1:1 is unreachable/);
  });
});
