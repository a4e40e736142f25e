/**
 * `wfad report <run-id>` and the prediction table of `wfad stats`, as a user runs them (the real
 * CLI against the real Neo4j): a diamond DAG (create_dir → a, b → merge) with normal runs where b
 * is the slow branch and one cpu run where a took ten times its normal runtime.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Graph } from '../../src/graph/driver';
import { registerModel, writePredictions } from '../../src/graph/predictions';
import { ingest } from '../../src/ingest/pipeline';
import { HEADER } from '../helpers/fixtures';
import { cli, testGraph, wipe } from '../helpers/neo4j';

const TEMPLATE = { 'create_dir_dia-T_0_condorpool': ['a_ID01', 'b_ID01'], a_ID01: ['merge_ID01'], b_ID01: ['merge_ID01'], merge_ID01: [] };

/** One run: each job is ready when its parents' post-scripts end; submit +1 s, execute +1 s, post-script 1 s. */
function diamondCsv(instance: string, t0: number, rt: { a: number; b: number }): string {
  const jobs: Array<[string, string, number]> = [[`create_dir_${instance}_0_condorpool`, 'auxiliary', 1], ['a_ID01', 'compute', rt.a], ['b_ID01', 'compute', rt.b], ['merge_ID01', 'compute', 5]];
  const end: Record<string, number> = {};
  const rows = jobs.map(([name, type, runtime], i) => {
    const ready = i === 0 ? t0 : i < 3 ? (end.create as number) : Math.max(end.a as number, end.b as number);
    const post = ready + 2 + runtime + 1;
    end[i === 0 ? 'create' : i === 1 ? 'a' : i === 2 ? 'b' : 'merge'] = post;
    return [name, type, 0, ready, '', '', ready + 1, ready + 2, ready + 2 + runtime, ready + 2 + runtime, post, 1, '', 1, runtime, 1, '', '', '', '', 'u', 'condorpool', 'w1', 't', 'e', '', runtime / 2, 0, 0].join(',');
  });
  return `${[HEADER, ...rows].join('\n')}\n`;
}

const T0 = 1_700_000_000;
const NORMAL = Array.from({ length: 6 }, (_, i) => `normal/dia-N${i}-run0001`);
const SLOW = 'cpu_2/dia-C0-run0001';
const MODEL = 'dia-graph-multiclass@1';

describe('wfad report and wfad stats predictions', () => {
  let graph: Graph;
  let root: string;
  before(async () => {
    graph = testGraph();
    await wipe(graph);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-report-'));
    fs.mkdirSync(path.join(root, 'adjacency_list_dags'));
    fs.writeFileSync(path.join(root, 'adjacency_list_dags', 'dia.json'), JSON.stringify(TEMPLATE));
    const write = (rel: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(root, 'data', rel)), { recursive: true });
      fs.writeFileSync(path.join(root, 'data', rel), text);
    };
    NORMAL.forEach((id, i) => write(`${id}.csv`, diamondCsv(`N${i}`, T0 + i * 3600, { a: 10 + (i % 3), b: 20 + (i % 2) })));
    write(`${SLOW}.csv`, diamondCsv('C0', T0 + 7 * 3600, { a: 100, b: 21 }));
    const s = await ingest(graph, root);
    assert.equal(s.runsStored, 7, JSON.stringify(s.rejected));
  });
  after(async () => {
    fs.rmSync(root, { recursive: true, force: true });
    await graph.close();
  });

  it('says there is no verdict before any model scored the run, and still shows the slowest path and deviations', async () => {
    const r = await cli(['report', SLOW, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.verdict, null);
    assert.match(rep.verdictNote, /no model has scored this run/);
    assert.deepEqual(rep.criticalPath.jobs.map((j: { name: string }) => j.name), ['create_dir_C0_0_condorpool', 'a_ID01', 'merge_ID01']);
    // create_dir ready at T0+7h, merge's post-script ends 1+2+1 + 100+2+1 + 5+2+1 after it.
    assert.equal(rep.criticalPath.seconds, 4 + 103 + 8);
    assert.equal(rep.baseline.normalRuns, 6);
    assert.equal(rep.drivers.source, 'deviation');
    assert.equal(rep.drivers.jobs[0].job, 'a_ID01');
    assert.equal(rep.drivers.jobs[0].features[0].name, 'runtime');
    assert.equal(rep.drivers.jobs[0].features[0].value, 100);
    assert.equal(rep.drivers.jobs[0].features[0].normal, 11);
    assert.ok(!rep.drivers.jobs.some((d: { job: string }) => d.job === 'b_ID01'), 'b ran as usual');
    assert.equal(rep.jobs.length, 4);
    const a = rep.jobs.find((j: { name: string }) => j.name === 'a_ID01');
    assert.equal(a.runtime, 100);
    assert.equal(a.onCriticalPath, true);
    assert.equal(a.prediction, null);
  });

  it('in a normal run the slow branch (b) is the critical path and nothing deviates', async () => {
    const r = await cli(['report', NORMAL[1] as string, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.deepEqual(rep.criticalPath.jobs.map((j: { name: string }) => j.name), ['create_dir_N1_0_condorpool', 'b_ID01', 'merge_ID01']);
    assert.deepEqual(rep.drivers.jobs, []);
    assert.equal(rep.baseline.normalRuns, 5, 'the run itself is left out of its baseline');
    assert.equal(rep.run.state, 'succeeded', 'a trace whose jobs all exited 0 is read as a succeeded run');
    // A source that records the run's state (a submit directory caught mid-run) shows it.
    await graph.write((tx) => tx.run("MATCH (r:Run {id: $id}) SET r.state = 'running'", { id: NORMAL[1] }));
    const human = await cli(['report', NORMAL[1] as string]);
    assert.match(human.stdout, /makespan [^\n]*, state running/);
    await graph.write((tx) => tx.run("MATCH (r:Run {id: $id}) SET r.state = 'succeeded'", { id: NORMAL[1] }));
  });

  it('reports the stored prediction of the active model, and a stored explanation as the drivers', async () => {
    await registerModel(graph, { id: MODEL, name: 'dia-graph-multiclass', version: '1', workflow: 'dia', level: 'graph', task: 'multiclass', classes: ['normal', 'cpu', 'hdd', 'loss'], metrics: '{}', path: '/nonexistent' }, true);
    const rows = [...NORMAL.map((id) => ({ targetId: id, predicted: 'normal', score: 0.1, probabilities: [0.9, 0.05, 0.03, 0.02] })), { targetId: SLOW, predicted: 'cpu', score: 0.97, probabilities: [0.03, 0.9, 0.05, 0.02] }];
    // One normal run called anomalous, so the counts differ from the truth.
    (rows[0] as { predicted: string }).predicted = 'hdd';
    assert.equal(await writePredictions(graph, MODEL, 'graph', rows, new Date().toISOString()), 7);

    let r = await cli(['report', SLOW, '--json']);
    assert.equal(r.code, 0, r.stderr);
    let rep = JSON.parse(r.stdout);
    assert.equal(rep.verdict.model, MODEL);
    assert.equal(rep.verdict.predicted, 'cpu');
    assert.equal(rep.verdict.score, 0.97);
    assert.equal(rep.verdict.probabilities.cpu, 0.9);
    assert.equal(rep.drivers.source, 'deviation');

    // As the detector stores it: JSON text, detector feature names (snake_case), volumes in bytes.
    const features = [{ name: 'runtime', value: 100, normal: 11, deviation: 4.1 }, { name: 'stage_in_bytes', value: 2_500_000, normal: 1_000_000, deviation: 3.2 }];
    const explanation = [{ job: 'a_ID01', index: 1, contribution: 0.8, score: 2.1, baseline: 'job', features }];
    await graph.write((tx) => tx.run('MATCH (p:Prediction {id: $id}) SET p.explanation = $e', { id: `${SLOW}|${MODEL}`, e: JSON.stringify(explanation) }));
    r = await cli(['report', SLOW, '--json']);
    rep = JSON.parse(r.stdout);
    assert.equal(rep.drivers.source, 'explanation');
    assert.deepEqual(rep.drivers.jobs, [{ job: 'a_ID01', contribution: 0.8, features }]);

    const human = await cli(['report', SLOW]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /verdict: CPU, score 0\.970 \(model dia-graph-multiclass@1, active/);
    assert.match(human.stdout, /1\. a_ID01 \(contribution 0\.800\): runtime 1m 40s \(normal 11\.0 s, \+4\.1σ\); stage-in bytes 2\.5 MB \(normal 1\.0 MB, \+3\.2σ\)/);
    assert.match(human.stdout, /slowest path \(3 jobs, 1m 55s\): create_dir_C0_0_condorpool \[1\.0 s\] → a_ID01 \[1m 40s\] → merge_ID01 \[5\.0 s\]/);
  });

  it('refuses an unknown run id and bad options with exit code 2', async () => {
    const r = await cli(['report', 'normal/nope-run0001']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no stored run has id "normal\/nope-run0001" \(ids look like "<label>\/<file name>" for CSV traces, .* and "<dax_label>\/<wf_uuid>" for Pegasus submit directories/);
    // A model id nobody registered: said so, with the registered ones (not "has stored no prediction").
    const nosuch = await cli(['report', SLOW, '--model', 'nosuch@1']);
    assert.equal(nosuch.code, 2, nosuch.stderr);
    assert.equal(nosuch.stdout, '');
    assert.match(nosuch.stderr, new RegExp(`wfad: BAD_INPUT: --model nosuch@1: no such model is registered \\(ids look like "<name>@<version>"\\); registered: ${MODEL}`));
    assert.doesNotMatch(nosuch.stderr, /has stored no prediction/);
    const bad = await cli(['report', SLOW, '--limit', '-1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--limit -1/);
  });

  it('wfad stats lists per workflow the runs each model put in each class beside the truth', async () => {
    const r = await cli(['stats', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const w = JSON.parse(r.stdout).workflows.find((x: { name: string }) => x.name === 'dia');
    assert.deepEqual(w.runsByCategory, { normal: 6, cpu: 1 });
    assert.deepEqual(w.predictions, [{ model: MODEL, active: true, task: 'multiclass', predicted: { cpu: 1, hdd: 1, normal: 5 }, unscored: 0 }]);
    await graph.write((tx) => tx.run('MATCH (:Run {id: $id})-[:HAS_PREDICTION]->(p:Prediction) DETACH DELETE p', { id: NORMAL[2] }));
    const human = await cli(['stats']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /predictions \(runs by predicted class, truth beside them\)/);
    const row = human.stdout.split('\n').find((l) => l.startsWith('dia ') && l.includes(MODEL));
    assert.ok(row, human.stdout);
    // →normal →cpu →hdd unscored, true normal, true cpu
    assert.deepEqual(row.replace(`${MODEL} *`, '').trim().split(/\s+/), ['dia', '4', '1', '1', '1', '6', '1']);
  });
});
