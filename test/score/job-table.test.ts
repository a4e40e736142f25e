/**
 * The job table on Run nodes (graph/job-table.ts): packing and unpacking keep every value and
 * every missing one, and runs read from their table are the runs read from their Job nodes, whether
 * the table is there, absent (older stores) or of other columns.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import neo4j from 'neo4j-driver';
import type { Graph } from '../../src/graph/driver';
import { JOB_TABLE_NUMBERS, backfillJobTables, jobTableProps, jobTableValues } from '../../src/graph/job-table';
import { hostsOf } from '../../src/features/dataset';
import { rawJobFeatures } from '../../src/features/job-features';
import { JOB_FIELDS, jobTableOf, readRunPages, readRuns } from '../../src/graph/read-runs';
import { ingest } from '../../src/ingest/pipeline';
import { miniDataset, runCsv } from '../helpers/fixtures';
import { count, testGraph, wipe } from '../helpers/neo4j';

const col = (f: (typeof JOB_TABLE_NUMBERS)[number]): number => JOB_TABLE_NUMBERS.indexOf(f);

describe('job table', () => {
  it('packs jobs in index order; missing values stay missing; neo4j integers become numbers', () => {
    const t = jobTableProps([
      { index: neo4j.int(1), name: 'b', type: 'compute', runtime: 12.5, exitCode: neo4j.int(0), label: 'cpu_2' },
      { index: neo4j.int(0), name: 'a', type: 'auxiliary', kickstartHostname: 'w1', ready: 1_600_000_000.25 },
    ]);
    assert.deepEqual(t.jobNames, ['a', 'b']);
    assert.deepEqual(t.jobTypes, ['auxiliary', 'compute']);
    assert.deepEqual(t.jobHosts, ['w1', '']);
    assert.deepEqual(t.jobLabels, ['', 'cpu_2']);
    assert.deepEqual(t.jobTableFields, [...JOB_TABLE_NUMBERS]);
    const v = jobTableValues(t.jobTable, 2);
    const K = JOB_TABLE_NUMBERS.length;
    assert.equal(v[col('ready')], 1_600_000_000.25, 'float64: epoch seconds keep their fraction');
    assert.equal(v[K + col('runtime')], 12.5);
    assert.equal(v[K + col('exitCode')], 0);
    assert.ok(Number.isNaN(v[col('runtime')] as number));
    assert.ok(Number.isNaN(v[K + col('ready')] as number));
  });

  it('names a job whose index is outside the run, and a table of the wrong size', () => {
    assert.throws(() => jobTableProps([{ index: 2, name: 'x' }]), /job x has index 2, not in \[0, 1\)/);
    const t = jobTableProps([{ index: 0, name: 'a' }]);
    assert.throws(() => jobTableValues(t.jobTable, 2), /for 2 jobs × \d+ columns/);
  });

  describe('reading runs', () => {
    let graph: Graph;
    let root: string;
    const tableless = 'MATCH (r:Run) REMOVE r.jobTable, r.jobTableFields, r.jobNames, r.jobTypes, r.jobHosts, r.jobLabels';
    before(async () => {
      graph = testGraph();
      await wipe(graph);
      // Two runs; the second has no stage-in values and a slow compute job.
      root = miniDataset({ 'normal/mini-mini-T1-run0001.csv': runCsv('mini-T1', 1_600_000_000.5), 'cpu_2/mini-mini-T1-run0002.csv': runCsv('mini-T1', 1_600_000_100, 40).replace(/,u,condorpool,w1,/g, ',u,condorpool,,') });
      await ingest(graph, root);
    });
    after(async () => {
      await graph.close();
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('the same records from the table as from the Job nodes', async () => {
      await graph.write((tx) => tx.run(tableless));
      const fromJobs = await readRuns(graph);
      assert.equal(fromJobs.length, 2);
      assert.ok(fromJobs.some((r) => r.jobs.some((j) => j.includes(null))), 'some missing values to keep');
      assert.equal(await backfillJobTables(graph), 2);
      assert.equal(await count(graph, 'MATCH (r:Run) WHERE r.jobTable IS NOT NULL RETURN count(r)'), 2);
      assert.equal(await backfillJobTables(graph), 0, 'nothing left to do');
      // Features and hosts come straight from the table, before any job row is built.
      const features = (runs: typeof fromJobs): number[][] => runs.map((r) => Array.from(rawJobFeatures(r)));
      const fromTable = await readRuns(graph);
      assert.ok(fromTable.every((r) => jobTableOf(r) !== undefined), 'read from the table');
      assert.deepEqual(features(fromTable), features(fromJobs));
      assert.deepEqual(fromTable.map(hostsOf), fromJobs.map(hostsOf));
      assert.ok(fromTable.some((r) => hostsOf(r).includes(null)), 'a job without a host');
      assert.deepEqual(fromTable, fromJobs);
      assert.ok(fromTable.every((r) => jobTableOf(r) === undefined), 'rows once read are what a record holds');
      // Rows changed in place are what features are made of.
      const run = fromTable[0] as (typeof fromTable)[number];
      const type = JOB_FIELDS.indexOf('type');
      for (const j of run.jobs) j[type] = 'transfer';
      assert.equal(rawJobFeatures(run)[1], 1, 'type_transfer of job 0');
      assert.deepEqual(await readRuns(graph), fromJobs);
      assert.deepEqual(await readRuns(graph, { runIds: [fromJobs[1]?.id as string] }), [fromJobs[1]]);
    });

    it('pages read ahead (by id range, or by the ids asked for) are the runs read one page after another', async () => {
      const all = await readRuns(graph);
      const ahead = async (q: Parameters<typeof readRunPages>[1]): Promise<typeof all> => {
        const out: typeof all = [];
        for await (const page of readRunPages(graph, q, 1, 2)) out.push(...page);
        return out;
      };
      assert.deepEqual(await ahead({}), all);
      assert.deepEqual(await ahead({ runIds: [all[1]?.id as string] }), [all[1]]);
      assert.deepEqual(await ahead({ workflows: ['nobody'] }), []);
    });

    it('a table of other columns is ignored (read from the Job nodes) and rewritten by the backfill', async () => {
      await graph.write((tx) => tx.run(tableless));
      const fromJobs = await readRuns(graph);
      await backfillJobTables(graph);
      await graph.write((tx) => tx.run("MATCH (r:Run) SET r.jobTableFields = ['runtime'], r.jobTable = 'AAAA'"));
      assert.deepEqual(await readRuns(graph), fromJobs);
      assert.equal(await backfillJobTables(graph), 2);
      assert.deepEqual(await readRuns(graph), fromJobs);
    });

    it('pages read by id range answer from the Run nodes, and read a run again through its relationships when they cannot', async () => {
      // Six runs: pages of 1, 2, 2, 1 when read ahead with a page size of 2.
      fs.rmSync(root, { recursive: true, force: true });
      const files: Record<string, string> = {};
      for (let i = 1; i <= 6; i++) files[`${i % 2 ? 'normal' : 'cpu_2'}/mini-mini-T1-run000${i}.csv`] = runCsv('mini-T1', 1_600_000_000 + 100 * i, 10 + 5 * i);
      root = miniDataset(files);
      await wipe(graph);
      await ingest(graph, root);
      const all = await readRuns(graph);
      assert.equal(all.length, 6);
      const ahead = async (q: Parameters<typeof readRunPages>[1] = {}): Promise<typeof all> => {
        const out: typeof all = [];
        for await (const page of readRunPages(graph, q, 2, 2)) out.push(...page);
        return out;
      };
      assert.deepEqual(await ahead(), all);
      const workflow = (all[0] as (typeof all)[number]).workflow;
      // Runs the Run node alone cannot answer: no job table, no template or workflow property, a
      // template property naming a DAG the reader has not read.
      const ids = all.map((r) => r.id);
      await graph.write((tx) => tx.run(`${tableless.replace('MATCH (r:Run)', 'MATCH (r:Run {id: $a})')}`, { a: ids[1] }));
      await graph.write((tx) => tx.run('MATCH (r:Run {id: $b}) REMOVE r.template', { b: ids[2] }));
      await graph.write((tx) => tx.run('MATCH (r:Run {id: $c}) REMOVE r.workflow', { c: ids[3] }));
      await graph.write((tx) => tx.run("MATCH (r:Run {id: $d}) SET r.template = 'another#dag'", { d: ids[4] }));
      assert.deepEqual(await ahead(), all);
      assert.deepEqual(await ahead({ workflows: [workflow] }), all);
      assert.deepEqual(await ahead({ workflows: ['nobody'] }), []);
      assert.deepEqual(await ahead({ labelled: false }), []);
    });
  });
});
