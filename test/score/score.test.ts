/**
 * `wfad train` → model.onnx + MODEL_CARD.md, and `wfad score` through the real CLI against the
 * real Neo4j: predictions written per the shared contract, re-runs without duplicates, one
 * prediction per run (or job) per model version, model registration and activation, errors.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Graph } from '../../src/graph/driver';
import { ingest } from '../../src/ingest/pipeline';
import { cudaMissingReason } from '../../src/inference';
import type { ScoreSummary } from '../../src/score/score-runs';
import { cli, count, skipWithoutDataset, testGraph, wipe } from '../helpers/neo4j';
import { realSubset } from '../helpers/real-subset';

describe('wfad score', { skip: skipWithoutDataset }, () => {
  let graph: Graph;
  let tmp: string;
  let runs: number;
  let genomeJobs: number;
  const graphModel = (): string => path.join(tmp, 'graph-binary');
  const nodeModel = (): string => path.join(tmp, 'node-multiclass');
  const modelJson = (dir: string): { name: string; version: string; classes: string[]; metrics: unknown } => JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const score = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<ScoreSummary> => {
    const r = await cli(['score', ...args, '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as ScoreSummary;
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-score-'));
    graph = testGraph();
    await wipe(graph);
    const root = realSubset(['normal', 'cpu_2', 'hdd_50', 'loss_1'], 2);
    try {
      await ingest(graph, root);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    runs = await count(graph, 'MATCH (r:Run) RETURN count(r)');
    genomeJobs = await count(graph, "MATCH (:Run {workflow: '1000genome'})-[:HAS_JOB]->(j:Job) RETURN count(j)");
    for (const [dir, level, task] of [[graphModel(), 'graph', 'binary'], [nodeModel(), 'node', 'multiclass']] as const) {
      const r = await cli(['train', '--workflow', 'all', '--level', level, '--task', task, '--epochs', '2', '--out', dir, '--json']);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await graph.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('wfad train writes model.onnx and a model card with the command that trained it', () => {
    for (const dir of [graphModel(), nodeModel()]) {
      for (const f of ['model.json', 'weights.bin', 'model.onnx', 'MODEL_CARD.md']) assert.ok(fs.existsSync(path.join(dir, f)), `${dir}/${f}`);
      const card = fs.readFileSync(path.join(dir, 'MODEL_CARD.md'), 'utf8');
      assert.match(card, /wfad train --workflow all --level (graph|node) --task (binary|multiclass) --epochs 2 --out \S+ --json/);
      assert.match(card, new RegExp(`\\| ${runs} \\| \\d+ \\| \`[0-9a-f]{64}\` \\|`), 'data: runs, jobs, fingerprint');
      assert.match(card, /\| test \| \d+ \| 0\.\d{4} \|/);
    }
  });

  it('wfad export re-writes model.onnx from the weights, byte for byte', async () => {
    const file = path.join(graphModel(), 'model.onnx');
    const before = fs.readFileSync(file);
    fs.rmSync(file);
    const r = await cli(['export', '--model', graphModel(), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).bytes, before.length);
    assert.ok(fs.readFileSync(file).equals(before));
  });

  it('scores every run once, per the contract (graph level)', async () => {
    const m = modelJson(graphModel());
    const id = `${m.name}@${m.version}`;
    const s = await score(['--all', '--model', graphModel()]);
    assert.equal(s.runs, runs);
    assert.equal(s.predictions, runs);
    assert.equal(s.model, id);
    assert.equal(s.provider, cudaMissingReason() === null ? 'cuda' : 'cpu');
    assert.ok(s.runsPerSecond > 0);
    assert.equal(Object.values(s.predicted).reduce((a, b) => a + b, 0), runs);
    assert.equal(await count(graph, 'MATCH (r:Run)-[:HAS_PREDICTION]->(p:Prediction {modelId: $id})-[:BY_MODEL]->(:Model {id: $id}) RETURN count(DISTINCT r)', { id }), runs);
    const rows = await graph.read((tx) =>
      tx.run('MATCH (r:Run)-[:HAS_PREDICTION]->(p:Prediction) RETURN r.id AS run, p {.*, scoredAt: toString(p.scoredAt)} AS p'),
    );
    assert.equal(rows.records.length, runs);
    for (const rec of rows.records) {
      const p = rec.get('p') as { id: string; modelId: string; level: string; predicted: string; score: number; probabilities: number[]; scoredAt: string };
      assert.equal(p.id, `${rec.get('run') as string}|${id}`);
      assert.equal(p.modelId, id);
      assert.equal(p.level, 'graph');
      assert.equal(p.probabilities.length, 2);
      assert.ok(Math.abs(p.probabilities[0]! + p.probabilities[1]! - 1) < 1e-5);
      assert.equal(p.predicted, m.classes[p.probabilities[1]! > p.probabilities[0]! ? 1 : 0]);
      assert.ok(Math.abs(p.score - (1 - p.probabilities[0]!)) < 1e-9, 'score = 1 − P(normal)');
      assert.match(p.scoredAt, /^\d{4}-\d\d-\d\dT/);
    }
    const model = await graph.read((tx) => tx.run('MATCH (m:Model {id: $id}) RETURN m {.*, registeredAt: toString(m.registeredAt)} AS m', { id }));
    const mm = model.records[0]?.get('m') as Record<string, unknown>;
    assert.deepEqual(
      { name: mm.name, version: mm.version, workflow: mm.workflow, level: mm.level, task: mm.task, classes: mm.classes, path: mm.path, active: mm.active },
      { name: m.name, version: m.version, workflow: 'ALL', level: 'graph', task: 'binary', classes: ['normal', 'anomalous'], path: graphModel(), active: true },
    );
    assert.deepEqual(JSON.parse(mm.metrics as string), m.metrics);
    assert.match(mm.registeredAt as string, /^\d{4}-/);
  });

  it('re-scoring with the same model version replaces, never duplicates', async () => {
    const m = modelJson(graphModel());
    const id = `${m.name}@${m.version}`;
    const before = await graph.read((tx) => tx.run('MATCH (p:Prediction) RETURN min(p.scoredAt) AS t'));
    const s = await score(['--all', '--model', graphModel()]);
    assert.equal(s.predictions, runs);
    assert.equal(await count(graph, 'MATCH (p:Prediction) RETURN count(p)'), runs);
    assert.equal(await count(graph, 'MATCH (:Run)-[h:HAS_PREDICTION]->() RETURN count(h)'), runs);
    assert.equal(await count(graph, 'MATCH (:Prediction)-[b:BY_MODEL]->() RETURN count(b)'), runs);
    assert.equal(await count(graph, 'MATCH (m:Model) RETURN count(m)'), 1);
    assert.equal(await count(graph, 'MATCH (p:Prediction {modelId: $id}) WHERE p.scoredAt > $t RETURN count(p)', { id, t: before.records[0]?.get('t') }), runs, 'every prediction was rewritten');
  });

  it('job level: one prediction per job of the chosen workflow, none elsewhere', async () => {
    const m = modelJson(nodeModel());
    const id = `${m.name}@${m.version}`;
    const s = await score(['--workflow', '1000genome', '--model', nodeModel()]);
    assert.equal(s.level, 'node');
    assert.equal(s.runs, 8);
    assert.equal(s.predictions, genomeJobs);
    assert.equal(await count(graph, 'MATCH (j:Job)-[:HAS_PREDICTION]->(p:Prediction {modelId: $id, level: "node"})-[:BY_MODEL]->(:Model {id: $id}) RETURN count(DISTINCT j)', { id }), genomeJobs);
    assert.equal(await count(graph, "MATCH (j:Job)-[:HAS_PREDICTION]->(p:Prediction {modelId: $id}) WHERE j.id + '|' + $id <> p.id RETURN count(p)", { id }), 0, 'id = <job id>|<model id>');
    assert.equal(await count(graph, "MATCH (r:Run)-[:HAS_JOB]->(j:Job)-[:HAS_PREDICTION]->() WHERE r.workflow <> '1000genome' RETURN count(j)"), 0);
    const probs = await graph.read((tx) => tx.run('MATCH (p:Prediction {modelId: $id}) RETURN p.probabilities AS p LIMIT 5', { id }));
    for (const r of probs.records) assert.equal((r.get('p') as number[]).length, 4);
    // Re-run: still one per job.
    await score(['--workflow', '1000genome', '--model', nodeModel()]);
    assert.equal(await count(graph, 'MATCH (p:Prediction {modelId: $id}) RETURN count(p)', { id }), genomeJobs);
  });

  it('a new model version adds its own predictions; --activate switches the active model; ids resolve through the registry', async () => {
    const first = modelJson(graphModel());
    const dir2 = path.join(tmp, 'graph-binary-v2');
    const t = await cli(['train', '--workflow', 'all', '--level', 'graph', '--task', 'binary', '--epochs', '1', '--seed', '1', '--out', dir2]);
    assert.equal(t.code, 0, t.stderr);
    const second = modelJson(dir2);
    assert.notEqual(second.version, first.version);
    const s = await score(['--all', '--model', dir2]);
    assert.equal(s.active, false, 'the first model stays active unless asked');
    assert.equal(await count(graph, "MATCH (p:Prediction {level: 'graph'}) RETURN count(p)"), 2 * runs);
    assert.equal(await count(graph, 'MATCH (r:Run) WHERE COUNT { (r)-[:HAS_PREDICTION]->() } <> 2 RETURN count(r)'), 0, 'one per run per model version');
    const id2 = `${second.name}@${second.version}`;
    const s2 = await score(['--all', '--model', id2, '--activate']);
    assert.equal(s2.model, id2);
    assert.equal(s2.active, true);
    const active = await graph.read((tx) => tx.run("MATCH (m:Model {level: 'graph', task: 'binary'}) RETURN m.id AS id, m.active AS active ORDER BY id"));
    assert.deepEqual(
      active.records.map((r) => [r.get('id'), r.get('active')]).sort(),
      [[`${first.name}@${first.version}`, false], [id2, true]].sort(),
    );
    assert.equal(await count(graph, "MATCH (p:Prediction {level: 'graph'}) RETURN count(p)"), 2 * runs);
  });

  it('prints runs/s for humans', async () => {
    const r = await cli(['score', '--workflow', 'wind-clustering-casa', '--model', graphModel()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /scored 8 runs with \S+ on (cpu|cuda) in [\d.]+ s: \d+ runs\/s/);
    assert.match(r.stdout, /wrote 8 predictions \(graph level\)/);
  });

  it('fails clearly: unknown workflow or model, both scopes, cuda where it is missing', async () => {
    const wf = await cli(['score', '--workflow', 'nope', '--model', graphModel()]);
    assert.equal(wf.code, 2);
    assert.match(wf.stderr, /BAD_INPUT: no stored runs for workflow "nope"/);
    const both = await cli(['score', '--workflow', '1000genome', '--all', '--model', graphModel()]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either --workflow <name> or --all/);
    const model = await cli(['score', '--all', '--model', path.join(tmp, 'missing')]);
    assert.equal(model.code, 2);
    assert.match(model.stderr, /--model .*missing: no such folder, models\/ name or registered model id/);
    const bad = await cli(['score', '--all', '--model', graphModel()], { WFAD_ONNX_PROVIDER: 'tpu' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /BAD_CONFIG: WFAD_ONNX_PROVIDER="tpu"/);
    if (cudaMissingReason() !== null) {
      const cuda = await cli(['score', '--all', '--model', graphModel()], { WFAD_ONNX_PROVIDER: 'cuda' });
      assert.equal(cuda.code, 2);
      assert.match(cuda.stderr, /PROVIDER_UNAVAILABLE: CUDA requested but unavailable/);
      const auto = await cli(['score', '--workflow', 'wind-clustering-casa', '--model', graphModel()], { WFAD_ONNX_PROVIDER: 'auto' });
      assert.equal(auto.code, 0);
      assert.match(auto.stderr, /onnx: execution provider auto → cpu/);
      assert.match(auto.stdout, /on cpu/);
    }
  });
});
