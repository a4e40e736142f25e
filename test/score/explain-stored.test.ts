/**
 * Explanations of stored predictions, computed when asked: `wfad score` stores verdicts only (and
 * gives runs stored without a job table one, once), and
 * the explanation computed later from the run and the model's profile is the one the predictor
 * gives with a live verdict; `wfad report` shows it as the drivers of the verdict.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { trainAndSaveNormalOnly } from '../../src/cli/detect';
import { anySample } from '../../src/features/dataset';
import type { Graph } from '../../src/graph/driver';
import { readRuns } from '../../src/graph/read-runs';
import { Predictor, toPredictInput } from '../../src/inference';
import { explainStored } from '../../src/score/explain-stored';
import { scoreRuns } from '../../src/score/score-runs';
import { runId, syntheticDataset } from '../api/harness';
import { ingest } from '../../src/ingest/pipeline';
import { cli, count, testGraph, wipe } from '../helpers/neo4j';

describe('explanations of stored predictions', () => {
  let graph: Graph;
  let tmp: string;
  let dir: string;
  let modelId: string;
  before(async () => {
    graph = testGraph();
    await wipe(graph);
    const data = syntheticDataset(40); // 10 normal runs: the fewest a normal-only detector trains on
    try {
      await ingest(graph, data);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-explain-stored-'));
    dir = path.join(tmp, 'mini-normal-only');
    const samples = (await readRuns(graph)).map(anySample);
    const { card } = trainAndSaveNormalOnly(samples, 'mini', { level: 'graph', seed: 0, falseAlarmRate: 0.05, assumeNormal: false, budget: null }, dir, 'test');
    modelId = `${card.name}@${card.version}`;
  });
  after(async () => {
    await graph.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('scoring stores no explanation; the one computed later is the live one', async () => {
    const predictor = await Predictor.load(dir, { provider: 'cpu', threads: 1, log: () => undefined });
    try {
      // Runs stored without a job table get one from the first scoring pass, and only from it.
      await graph.write((tx) => tx.run('MATCH (r:Run) REMOVE r.jobTable, r.jobTableFields'));
      const s = await scoreRuns(graph, predictor, { activate: true });
      assert.equal(s.predictions, 40);
      assert.equal(s.jobTablesWritten, 40);
      assert.equal((await scoreRuns(graph, predictor)).jobTablesWritten, 0);
      assert.equal(await count(graph, 'MATCH (p:Prediction) WHERE p.explanation IS NOT NULL RETURN count(p)'), 0);
      const [run] = await readRuns(graph, { runIds: [runId(1)] });
      const [live] = await predictor.predict([toPredictInput(run as NonNullable<typeof run>)]);
      assert.ok((live?.explanation?.length ?? 0) > 0);
      const later = await explainStored(graph, modelId, runId(1));
      assert.equal(later.reason, null);
      assert.deepEqual(later.explanation, live?.explanation);
    } finally {
      await predictor.release();
    }
    assert.match((await explainStored(graph, 'nobody@1', runId(1))).reason ?? '', /files of model nobody@1/);
  });

  it('wfad report shows the computed explanation as the drivers of the verdict', async () => {
    const r = await cli(['report', runId(1), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as { drivers: { source: string; note: string; jobs: Array<{ job: string; features: Array<{ name: string }> }> } };
    assert.equal(rep.drivers.source, 'explanation');
    assert.match(rep.drivers.note, new RegExp(`explanation of the prediction of ${modelId.replace(/[.@]/g, '\\$&')}`));
    assert.match(rep.drivers.jobs[0]?.job ?? '', /^work_ID01/, 'the slow compute job first');
  });
});
