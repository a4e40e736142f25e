/**
 * Scoring on arrival, against the real Neo4j: runs stored by `wfad ingest` or `ingestRun` get
 * predictions from the active models that fit their workflow in the same command or mutation;
 * `--no-score` / `score: false` skip it; without a fitting model the reason is given.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { activateModel } from '../../src/api/store/models';
import type { IngestScoredSummary } from '../../src/cli/main';
import { toSample } from '../../src/features/dataset';
import { registerModel } from '../../src/graph/predictions';
import { readRuns } from '../../src/graph/read-runs';
import { Predictor } from '../../src/inference/predictor';
import { exportModelDir } from '../../src/onnx/model-file';
import { scoreRuns } from '../../src/score/score-runs';
import { saveModel } from '../../src/train/model-store';
import { DEFAULT_CONFIG, train } from '../../src/train/trainer';
import { auth, gql, pushedRun, startHarness, type Harness } from '../api/harness';
import { miniDataset, runCsv } from '../helpers/fixtures';
import { cli, count } from '../helpers/neo4j';

const INGEST = `mutation($input: RunInput!, $score: Boolean) { ingestRun(input: $input, score: $score) {
  stored run { id } prediction { predicted score stored model { id } } noPredictionReason } }`;

let h: Harness;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-arrival-'));
before(async () => {
  h = await startHarness(16);
});
after(async () => {
  await h?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** `wfad ingest` of new mini runs (instances not stored yet). */
async function ingestNew(instances: string[], ...flags: string[]): Promise<IngestScoredSummary> {
  const root = miniDataset(Object.fromEntries(instances.map((inst, i) => [`normal/mini-${inst}-run0001.csv`, runCsv(inst, 1_700_000_000 + i * 600)])));
  const r = await cli(['ingest', root, '--json', ...flags]);
  fs.rmSync(root, { recursive: true, force: true });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as IngestScoredSummary;
}

const runPredictions = (ids: string[], model?: string): Promise<number> =>
  count(h.graph, 'MATCH (r:Run)-[:HAS_PREDICTION]->(p:Prediction)-[:BY_MODEL]->(m:Model) WHERE r.id IN $ids AND ($model IS NULL OR m.id = $model) RETURN count(p)', { ids, model: model ?? null });

/** A model trained on the stored mini runs but saved as trained on `workflow` (`covers`: the ALL model's list). */
async function elsewhereModel(workflow: string, covers?: string[]): Promise<string> {
  const samples = (await readRuns(h.graph)).map(toSample);
  const result = train(samples, { ...DEFAULT_CONFIG, level: 'graph', task: 'binary', hidden: 8, maxEpochs: 2, patience: 2 });
  const dir = fs.mkdtempSync(path.join(tmp, 'model-'));
  const card = saveModel(dir, `${workflow}-graph-binary`, workflow, samples, result);
  if (covers) {
    const file = path.join(dir, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { data: { workflows: string[] } };
    json.data.workflows = covers;
    fs.writeFileSync(file, JSON.stringify(json));
  }
  exportModelDir(dir);
  const id = `${card.name}@${card.version}`;
  await registerModel(h.graph, { id, name: card.name, version: card.version, workflow: card.workflow, level: card.level, task: card.task, classes: card.classes, metrics: '{}', path: dir });
  // Only this model is active: the harness's mini models step aside.
  await h.graph.write((tx) => tx.run('MATCH (m:Model) SET m.active = false'));
  await activateModel(h.graph, id);
  h.server.services.registry.invalidate();
  return id;
}

describe('scoring on arrival', () => {
  it('wfad ingest scores the newly stored runs with the active models that fit their workflow', async () => {
    const s = await ingestNew(['ARR0001', 'ARR0002']);
    assert.equal(s.runsStored, 2);
    assert.equal(s.scored, 2);
    assert.deepEqual(s.notScored, []);
    const ids = ['normal/mini-ARR0001-run0001', 'normal/mini-ARR0002-run0001'];
    assert.equal(await runPredictions(ids, h.graphModel.id), 2, 'a graph-level prediction each, by the active graph model');
    assert.equal(await count(h.graph, 'MATCH (r:Run)-[:HAS_JOB]->(:Job)-[:HAS_PREDICTION]->(p:Prediction {modelId: $m}) WHERE r.id IN $ids RETURN count(p)', { ids, m: h.nodeModel.id }), 6, 'and the job-level model scored every job');
    // A re-ingest stores nothing new, so it scores nothing.
    const again = await ingestNew(['ARR0001']);
    assert.equal(again.runsUnchanged, 1);
    assert.equal(again.scored, 0);
    assert.deepEqual(again.notScored, []);
  });

  it('wfad ingest --no-score stores the runs without predictions and says so', async () => {
    const s = await ingestNew(['ARR0003'], '--no-score');
    assert.equal(s.runsStored, 1);
    assert.equal(s.scored, 0);
    assert.deepEqual(s.notScored, [{ reason: 'scoring on arrival skipped (--no-score)', runs: ['normal/mini-ARR0003-run0001'] }]);
    assert.equal(await runPredictions(['normal/mini-ARR0003-run0001']), 0);
  });

  it('ingestRun returns the stored run with the prediction stored on arrival; score: false skips it', async () => {
    const r = await gql(h.url, INGEST, { input: pushedRun('ARR0010') }, auth());
    assert.equal(r.errors, undefined, r.raw);
    const res = r.data?.ingestRun;
    assert.equal(res.stored, true);
    assert.equal(res.noPredictionReason, null);
    assert.equal(res.prediction.stored, true);
    assert.equal(res.prediction.model.id, h.graphModel.id);
    assert.ok(['normal', 'cpu', 'hdd', 'loss'].includes(res.prediction.predicted));
    assert.equal(await runPredictions([res.run.id], h.graphModel.id), 1);

    const off = await gql(h.url, INGEST, { input: pushedRun('ARR0011'), score: false }, auth());
    assert.equal(off.data?.ingestRun.prediction, null, off.raw);
    assert.equal(off.data?.ingestRun.noPredictionReason, 'scoring on arrival skipped (score: false)');
    assert.equal(await runPredictions([off.data?.ingestRun.run.id]), 0);

    const again = await gql(h.url, INGEST, { input: pushedRun('ARR0010') }, auth());
    assert.equal(again.data?.ingestRun.stored, false);
    assert.match(again.data?.ingestRun.noPredictionReason ?? '', /already stored/);
  });

  it('without a model that fits the workflow, the runs are stored unscored with the reason', async () => {
    const other = await elsewhereModel('1000genome');
    const s = await ingestNew(['ARR0020']);
    assert.equal(s.runsStored, 1);
    assert.equal(s.scored, 0);
    assert.equal(s.notScored.length, 1);
    assert.equal(s.notScored[0]?.reason, `no active model fits workflow mini: ${other} was trained on 1000genome only`);
    assert.deepEqual(s.notScored[0]?.runs, ['normal/mini-ARR0020-run0001']);
    assert.equal(await runPredictions(['normal/mini-ARR0020-run0001']), 0);

    const r = await gql(h.url, INGEST, { input: pushedRun('ARR0021') }, auth());
    assert.equal(r.data?.ingestRun.stored, true, r.raw);
    assert.equal(r.data?.ingestRun.prediction, null);
    assert.equal(r.data?.ingestRun.noPredictionReason, `no active model fits workflow mini: ${other} was trained on 1000genome only`);
  });

  it('an ALL model fits only the workflows it was trained on', async () => {
    const all = await elsewhereModel('ALL', ['1000genome', 'nowcast-clustering-8']);
    const s = await ingestNew(['ARR0030']);
    assert.equal(s.scored, 0);
    assert.equal(s.notScored[0]?.reason, `no active model fits workflow mini: ${all} was trained on 1000genome, nowcast-clustering-8, not mini`);
    const covering = await elsewhereModel('ALL');
    const t = await ingestNew(['ARR0031']);
    assert.equal(t.scored, 1, JSON.stringify(t.notScored));
    assert.equal(await runPredictions(['normal/mini-ARR0031-run0001'], covering), 1);
  });

  it('wfad score, the scoreRuns mutation and live predictions of an ALL model leave out the workflows it was not trained on, and say so', async () => {
    const all = await elsewhereModel('ALL', ['1000genome']);
    const dir = (await h.graph.query('MATCH (m:Model {id: $id}) RETURN m.path AS path', { id: all })).records[0]?.get('path') as string;
    const stored = await count(h.graph, "MATCH (r:Run {workflow: 'mini'}) RETURN count(r)");
    assert.ok(stored > 0);

    // The CLI: nothing it covers is stored, so it refuses and names what is stored.
    const cliAll = await cli(['score', '--model', all, '--json']);
    assert.equal(cliAll.code, 2, cliAll.stderr);
    assert.match(cliAll.stderr, new RegExp(`model ${all} scores runs of 1000genome only, and none is stored; the stored runs are of mini \\(${stored}\\)`));
    const cliMini = await cli(['score', '--model', all, '--workflow', 'mini', '--json']);
    assert.equal(cliMini.code, 2, cliMini.stderr);
    assert.match(cliMini.stderr, new RegExp(`--workflow mini: ${all} was trained on 1000genome, not mini`));

    // scoreRuns itself reads only the covered workflows and lists the rest.
    const predictor = await Predictor.load(dir);
    try {
      const s = await scoreRuns(h.graph, predictor);
      assert.equal(s.runs, 0);
      assert.equal(s.predictions, 0);
      assert.deepEqual(s.notCovered, [{ workflow: 'mini', runs: stored, reason: `${all} was trained on 1000genome, not mini` }]);
    } finally {
      await predictor.release();
    }

    // The API: the mutation scores none of them and lists them; a live prediction is null.
    const m = await gql(h.url, 'mutation($m: String) { scoreRuns(model: $m) { runsScored notScored { workflow runs reason } } }', { m: all }, auth());
    assert.equal(m.errors, undefined, m.raw);
    assert.equal(m.data?.scoreRuns.runsScored, 0);
    assert.deepEqual(m.data?.scoreRuns.notScored, [{ workflow: 'mini', runs: stored, reason: `${all} was trained on 1000genome, not mini` }]);
    const live = await gql(h.url, 'query($m: String) { runs(first: 3) { nodes { id prediction(model: $m) { predicted } } } }', { m: all });
    assert.equal(live.errors, undefined, live.raw);
    for (const n of live.data?.runs.nodes ?? []) assert.equal(n.prediction, null, `${n.id} has no prediction by a model not trained on its workflow`);
    assert.equal(await runPredictions((live.data?.runs.nodes ?? []).map((n: { id: string }) => n.id), all), 0);

    // wfad score with a model covering mini scores mini and names the runs of another workflow.
    const covering = await elsewhereModel('ALL', ['mini']);
    await h.graph.write((tx) => tx.run("CREATE (:Run {id: 'other/r1', workflow: 'other', jobCount: 0})"));
    try {
      const scored = await cli(['score', '--model', covering, '--json']);
      assert.equal(scored.code, 0, scored.stderr);
      const summary = JSON.parse(scored.stdout) as { runs: number; notCovered: unknown };
      assert.equal(summary.runs, stored);
      assert.deepEqual(summary.notCovered, [{ workflow: 'other', runs: 1, reason: `${covering} was trained on mini, not other` }]);
    } finally {
      await h.graph.write((tx) => tx.run("MATCH (r:Run {id: 'other/r1'}) DETACH DELETE r"));
    }
  });
});
