/**
 * Unchanged run files are recognised before parsing: a stored run keeps the digest of the exact
 * input it came from (bytes, folder, file name, template), and the next ingest skips the files whose
 * digest is stored. Anything that changes the input is parsed again and judged as before. A stored
 * run also carries its job table (graph/job-table.ts), written from the maps its Job nodes get.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Graph } from '../../src/graph/driver';
import { JOB_TABLE_NUMBERS, jobTableValues } from '../../src/graph/job-table';
import { storedSourceDigests } from '../../src/graph/runs';
import { openCsvSource } from '../../src/ingest/csv-source';
import { ingest } from '../../src/ingest/pipeline';
import { isUnchanged, type SourceItem } from '../../src/ingest/source';
import { miniDataset, runCsv } from '../helpers/fixtures';
import { count, testGraph, wipe } from '../helpers/neo4j';

describe('re-ingest skips unchanged files before parsing', () => {
  let graph: Graph;
  const root = miniDataset({
    'normal/mini-mini-T0-run0001.csv': runCsv('mini-T0', 1000),
    'cpu_2/mini-mini-T0-run0002.csv': runCsv('mini-T0', 2000, 20),
  });
  before(async () => {
    graph = testGraph();
    await wipe(graph);
  });
  after(async () => {
    await graph?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('stores a source digest on each run, and the next ingest skips those files unread', async () => {
    const first = await ingest(graph, root);
    assert.equal(first.runsStored, 2);
    const digests = await storedSourceDigests(graph);
    assert.equal(digests.size, 2);

    const items = [...(openCsvSource(root).runs(digests) as Iterable<SourceItem>)];
    assert.deepEqual(items.map((i) => isUnchanged(i)), [true, true], 'both files recognised by digest, none parsed');

    const again = await ingest(graph, root);
    assert.equal(again.runsStored, 0);
    assert.equal(again.runsUnchanged, 2);
    assert.deepEqual(again.rejected, []);
    assert.equal(await count(graph, 'MATCH (r:Run) RETURN count(r)'), 2);
    assert.equal(await count(graph, 'MATCH (j:Job) RETURN count(j)'), 6);
  });

  it('an unchanged re-ingest opens no write transaction (its templates are stored already)', async () => {
    const writes: number[] = [];
    const spy = Object.create(graph) as Graph;
    spy.write = (work) => {
      writes.push(1);
      return graph.write(work);
    };
    const again = await ingest(spy, root);
    assert.equal(again.runsUnchanged, 2);
    assert.equal(writes.length, 0, 'no write transaction for an input that is stored already');
  });

  it('a stored run carries its job table, the same values as its Job nodes', async () => {
    const res = await graph.read((tx) =>
      tx.run("MATCH (r:Run {id: 'cpu_2/mini-mini-T0-run0002'})-[:HAS_JOB]->(j:Job) WITH r, j ORDER BY j.index RETURN r.jobTable AS table, r.jobNames AS names, collect(j.runtime) AS runtime, collect(j.name) AS jobNames"),
    );
    const rec = res.records[0];
    assert.ok(rec);
    const names = rec.get('jobNames') as string[];
    assert.deepEqual(rec.get('names'), names);
    const table = jobTableValues(rec.get('table') as string, names.length);
    const k = JOB_TABLE_NUMBERS.indexOf('runtime');
    assert.deepEqual(names.map((_, i) => table[i * JOB_TABLE_NUMBERS.length + k]), rec.get('runtime'));
  });

  it('a changed file is parsed again: other content under a stored id is a named conflict', async () => {
    const file = path.join(root, 'data', 'cpu_2', 'mini-mini-T0-run0002.csv');
    fs.writeFileSync(file, runCsv('mini-T0', 2000, 25));
    const s = await ingest(graph, root);
    assert.equal(s.runsUnchanged, 1);
    assert.equal(s.runsStored, 0);
    assert.equal(s.rejected.length, 1);
    assert.equal(s.rejected[0]?.code, 'CONFLICT');
    assert.equal(s.rejected[0]?.file, 'data/cpu_2/mini-mini-T0-run0002.csv');
  });

  it('the same bytes under another label folder are another run, stored', async () => {
    fs.mkdirSync(path.join(root, 'data', 'hdd_50'));
    fs.copyFileSync(path.join(root, 'data', 'normal', 'mini-mini-T0-run0001.csv'), path.join(root, 'data', 'hdd_50', 'mini-mini-T0-run0001.csv'));
    const s = await ingest(graph, root);
    assert.equal(s.runsStored, 1);
    assert.deepEqual(s.storedRunIds, ['hdd_50/mini-mini-T0-run0001']);
    assert.equal(await count(graph, "MATCH (r:Run {id: 'hdd_50/mini-mini-T0-run0001'}) RETURN count(r)"), 1);
  });

  it('a run stored without a digest (before digests existed) is still recognised after parsing', async () => {
    await graph.write((tx) => tx.run("MATCH (r:Run {id: 'normal/mini-mini-T0-run0001'}) REMOVE r.sourceDigest"));
    const s = await ingest(graph, root);
    assert.equal(s.runsStored, 0);
    assert.equal(s.runsUnchanged, 2, 'the digest-less run by its content, the hdd_50 copy by its digest');
    assert.equal(s.rejected.length, 1, 'the changed file is still a conflict');
  });
});
