/**
 * `runs(filter: {category: "unlabelled"})` selects what `workflows { runsByCategory }` counts under
 * `unlabelled`: the runs of unknown truth. Other unknown categories stay BAD_USER_INPUT.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { apiConfig } from '../../src/api/config';
import { startApiServer, type ApiServer } from '../../src/api/server';
import type { Graph } from '../../src/graph/driver';
import { ingest } from '../../src/ingest/pipeline';
import { miniDataset, runCsv } from '../helpers/fixtures';
import { testGraph, wipe } from '../helpers/neo4j';
import { errorOf, gql } from './harness';

const RUNS = `query($filter: RunFilter) { runs(first: 50, filter: $filter) { totalCount nodes { id category } } }`;

describe('category "unlabelled" in the run filter', () => {
  let graph: Graph;
  let server: ApiServer;
  let root = '';
  before(async () => {
    graph = testGraph();
    await wipe(graph);
    root = miniDataset({
      'normal/mini-mini-T1-run0001.csv': runCsv('mini-T1', 1000),
      'cpu_2/mini-mini-T1-run0001.csv': runCsv('mini-T1', 2000, 90),
      // A folder that is no label: stored with unknown truth.
      'unsorted/mini-mini-T1-run0001.csv': runCsv('mini-T1', 3000),
      'unsorted/mini-mini-T1-run0002.csv': runCsv('mini-T1', 4000),
    });
    const s = await ingest(graph, root);
    assert.equal(s.runsStored, 4, JSON.stringify(s.rejected));
    assert.equal(s.runsUnlabelled, 2);
    server = await startApiServer({ config: apiConfig({}, { port: 0, cacheTtlMs: 0 }), graph });
  });
  after(async () => {
    await server?.close();
    await graph?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('selects exactly the runs runsByCategory counts as unlabelled', async () => {
    const w = await gql(server.url, '{ workflows { name runsByCategory { category count } } }');
    assert.equal(w.errors, undefined, w.raw);
    const counted = (w.data?.workflows[0].runsByCategory as Array<{ category: string; count: number }>).find((c) => c.category === 'unlabelled');
    assert.equal(counted?.count, 2);
    const r = await gql(server.url, RUNS, { filter: { category: 'unlabelled' } });
    assert.equal(r.errors, undefined, r.raw);
    assert.equal(r.data?.runs.totalCount, 2);
    assert.deepEqual(r.data?.runs.nodes.map((n: { id: string; category: string | null }) => [n.id, n.category]).sort(), [['unsorted/mini-mini-T1-run0001', null], ['unsorted/mini-mini-T1-run0002', null]]);
    const cpu = await gql(server.url, RUNS, { filter: { category: 'cpu' } });
    assert.deepEqual(cpu.data?.runs.nodes.map((n: { id: string }) => n.id), ['cpu_2/mini-mini-T1-run0001']);
  });

  it('any other name is still refused, and the message lists unlabelled among the categories', async () => {
    const r = await gql(server.url, RUNS, { filter: { category: 'disk' } });
    const e = errorOf(r);
    assert.equal(e.code, 'BAD_USER_INPUT', r.raw);
    assert.equal(e.field, 'filter.category');
    assert.match(e.message, /"disk" is not a category \(normal, cpu, hdd, loss, unlabelled\)/);
  });
});
