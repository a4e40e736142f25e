/**
 * Flow-Bench traces (per-job truth in `anomaly_type`, 45 columns, sub-workflow jobs, file names
 * without instance ids, a template file named after no workflow): a few runs of every workflow and
 * label through `wfad ingest` into Neo4j (the whole sample is a benchmark, not a test). Per-job truth is
 * checked against counts computed here straight from the CSV files.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { PROJECT_ROOT } from '../../src/config';
import type { Graph } from '../../src/graph/driver';
import type { IngestSummary } from '../../src/ingest/pipeline';
import { cli, testGraph, wipe } from '../helpers/neo4j';

const FB = path.resolve(process.env.WFAD_FLOWBENCH ?? path.join(PROJECT_ROOT, '..', 'shared', 'datasets', 'flowbench-sample'));
const present = fs.existsSync(path.join(FB, 'data'));
const skip = present ? false : `Flow-Bench sample not found at ${FB} (set WFAD_FLOWBENCH)`;
const GENOME_TEMPLATE = path.join(FB, 'adjacency_list_dags', '1000genome_new_2022.json');

/** "<workflow>|<job truth>" → jobs, and job types, counted from the CSV files themselves. */
function countFromFiles(files: string[]): { truth: Map<string, number>; subwf: number } {
  const truth = new Map<string, number>();
  let subwf = 0;
  for (const f of files) {
    const workflow = path.basename(f).replace(/-run\d+\.csv$/, '');
    const rows = parseCsv(fs.readFileSync(f), { columns: true }) as Array<Record<string, string>>;
    for (const row of rows) {
      const t = row.anomaly_type === 'None' ? 'normal' : (row.anomaly_type as string);
      truth.set(`${workflow}|${t}`, (truth.get(`${workflow}|${t}`) ?? 0) + 1);
      if (row.type === 'subwf') subwf++;
    }
  }
  return { truth, subwf };
}

const csvFiles = (root: string): string[] =>
  fs.readdirSync(path.join(root, 'data')).flatMap((label) => fs.readdirSync(path.join(root, 'data', label)).filter((f) => f.endsWith('.csv')).map((f) => path.join(root, 'data', label, f)));

describe('Flow-Bench traces', { skip }, () => {
  describe('through wfad ingest', () => {
    let graph: Graph;
    let root: string;
    before(async () => {
      graph = testGraph();
      await wipe(graph);
      // Two runs of each workflow from each label folder, in the sample's layout.
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-flowbench-'));
      fs.cpSync(path.join(FB, 'adjacency_list_dags'), path.join(root, 'adjacency_list_dags'), { recursive: true });
      for (const label of fs.readdirSync(path.join(FB, 'data'))) {
        fs.mkdirSync(path.join(root, 'data', label), { recursive: true });
        const files = fs.readdirSync(path.join(FB, 'data', label)).sort();
        for (const wf of ['1000-genome', 'predict-future-sales']) {
          for (const f of files.filter((x) => x.startsWith(`${wf}-run`)).slice(0, 2)) fs.copyFileSync(path.join(FB, 'data', label, f), path.join(root, 'data', label, f));
        }
      }
    });
    after(async () => {
      await graph?.close();
      if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it('stores every run, its jobs with their own truth, the extra columns as job properties, and lists nothing as not stored', async () => {
      const files = csvFiles(root);
      const r = await cli(['ingest', root, '--template', `1000-genome=${path.join(root, 'adjacency_list_dags', '1000genome_new_2022.json')}`, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as IngestSummary;
      assert.deepEqual(s.rejected, []);
      assert.equal(s.runsStored, files.length);
      assert.deepEqual(s.unstoredColumns, []);
      assert.equal(s.extraColumns.length, 15, JSON.stringify(s.extraColumns));
      assert.deepEqual(s.newTemplates.map((t) => t.workflow).sort(), ['1000-genome', 'predict-future-sales'], 'the template named by --template serves 1000-genome only');
      const res = await graph.read((tx) => tx.run('MATCH (r:Run)-[:HAS_JOB]->(j:Job) RETURN r.workflow AS w, j.label AS l, count(j) AS n'));
      const got = new Map(res.records.map((x) => [`${x.get('w')}|${x.get('l')}`, x.get('n') as number]));
      const want = countFromFiles(files);
      assert.deepEqual([...got.entries()].sort(), [...want.truth.entries()].sort());
      const subwf = await graph.read((tx) => tx.run("MATCH (j:Job {type: 'subwf'}) RETURN count(j) AS n"));
      assert.equal(subwf.records[0]?.get('n'), want.subwf);
      assert.ok(want.subwf > 0, 'the sample has sub-workflow jobs');
      const extra = await graph.read((tx) => tx.run('MATCH (j:Job) WHERE j.kickstartOnlineBytesRead IS NOT NULL RETURN count(j) AS n'));
      assert.ok((extra.records[0]?.get('n') as number) > 0);
    });

    it('--unlabelled: no run or job truth, and the per-job truth column listed as not stored', async () => {
      await wipe(graph);
      const r = await cli(['ingest', root, '--unlabelled', '--template', `1000-genome=${GENOME_TEMPLATE}`, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as IngestSummary;
      assert.equal(s.runsUnlabelled, s.runsStored);
      assert.deepEqual(s.unstoredColumns, [{ column: 'anomaly_type', reason: 'per-job truth ignored: the runs are ingested unlabelled', runs: s.runsStored }]);
      const labelled = await graph.read((tx) => tx.run('MATCH (j:Job) WHERE j.label IS NOT NULL RETURN count(j) AS n'));
      assert.equal(labelled.records[0]?.get('n'), 0);
    });
  });
});
