/**
 * The trace generator without a database: DAG shapes, files the ingest's parser accepts, schedules
 * that respect the DAG and the pool, anomaly effects that grow with the level, and seeded
 * determinism. (Ingest into Neo4j: test/integration/generate-ingest.test.ts.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { REAL_LABELS, WORKFLOWS, generateDataset, shapeOf } from '../../src/generate';
import { WfadError } from '../../src/errors';
import { loadTemplates, parseTemplate } from '../../src/ingest/template';
import { derivedCount, parseRunFile } from '../../src/ingest/trace';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-gen-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirs = 0;
const tmp = (): string => path.join(tmpRoot, String(dirs++));

type Row = Record<string, string>;
interface RunFile {
  file: string;
  label: string;
  workflow: string;
  rows: Row[];
}

function csvFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...csvFiles(p));
    else if (e.name.endsWith('.csv')) out.push(p);
  }
  return out.sort();
}

function readRuns(root: string): RunFile[] {
  return csvFiles(path.join(root, 'data')).map((file) => {
    const rows = parseCsv(fs.readFileSync(file, 'utf8'), { columns: (h: string[]) => h.map((c, i) => (i === 0 ? 'name' : c)) }) as Row[];
    const base = path.basename(file);
    const workflow = [...WORKFLOWS].sort((a, b) => b.length - a.length).find((w) => base.startsWith(`${w}-`) || base.startsWith(`${w}_`)) as string;
    return { file, label: path.basename(path.dirname(file)), workflow, rows };
  });
}

const num = (r: Row, col: string): number => Number(r[col]);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/** The name a template job has in a run: auxiliary jobs carry the run's instance id. */
const key = (name: string): string => name.replace(/^(create_dir|cleanup)_.+_(\d+)_condorpool$/, '$1_$2');

const EXPECTED_SIZES: Record<string, [number, number]> = {
  '1000genome': [57, 129],
  'nowcast-clustering-8': [13, 20],
  'nowcast-clustering-16': [9, 12],
  'wind-clustering-casa': [7, 8],
  'wind-noclustering-casa': [26, 44],
};

describe('DAG shapes', () => {
  for (const wf of WORKFLOWS) {
    it(`${wf} has the flowgad template's job and edge counts and is a valid template`, () => {
      const shape = shapeOf(wf);
      assert.deepEqual([shape.jobs.length, shape.edges.length], EXPECTED_SIZES[wf]);
      const root = tmp();
      generateDataset({ workflows: [wf], labels: ['normal'], runsPerLabel: 1, out: root });
      const file = path.join(root, 'adjacency_list_dags', `${wf.replace(/-/g, '_')}.json`);
      const t = parseTemplate(file, fs.readFileSync(file, 'utf8'));
      assert.equal(t.workflow, wf);
      assert.equal(t.jobs.length, shape.jobs.length);
      assert.equal(t.edges.length, shape.edges.length);
      // One entry job (create_dir) and one exit job (cleanup), as Pegasus plans them.
      const hasParent = new Set(t.edges.map(([, c]) => c));
      const hasChild = new Set(t.edges.map(([p]) => p));
      assert.deepEqual(t.jobs.filter((_, i) => !hasParent.has(i)).map(key), ['create_dir_0']);
      assert.deepEqual(t.jobs.filter((_, i) => !hasChild.has(i)).map(key), ['cleanup_0']);
    });
  }

  it('1000genome-large: 2,073 jobs and 4,381 edges, a valid template whose runs pass the parser; not in "all"', () => {
    const shape = shapeOf('1000genome-large');
    assert.deepEqual([shape.jobs.length, shape.edges.length], [2073, 4381]);
    assert.equal(new Set(shape.jobs.map((j) => j.name)).size, 2073, 'job names are unique');
    const root = tmp();
    generateDataset({ workflows: ['1000genome-large'], labels: ['normal', 'cpu_2'], runsPerLabel: 1, out: root });
    const { templates } = loadTemplates(path.join(root, 'adjacency_list_dags'));
    const t = templates.get('1000genome-large');
    assert.ok(t, 'template written');
    assert.equal(t.jobs.length, 2073);
    for (const label of ['normal', 'cpu_2']) {
      const dir = path.join(root, 'data', label);
      const [file] = fs.readdirSync(dir);
      const r = parseRunFile({ source: file as string, labelFolder: label, fileName: file as string, bytes: fs.readFileSync(path.join(dir, file as string)) }, templates);
      assert.ok(!('code' in r), JSON.stringify(r).slice(0, 300));
    }
    assert.ok(!(WORKFLOWS as readonly string[]).includes('1000genome-large'));
  });

  it('clusters: nowcast 32 tasks per kind in clusters of 8 or 16, wind 17 gunzips in 3 clusters', () => {
    const tasks = (wf: (typeof WORKFLOWS)[number], kind: string): number[] => shapeOf(wf).jobs.filter((j) => j.kind === kind).map((j) => j.tasks.length);
    assert.deepEqual(tasks('nowcast-clustering-8', 'merge_mrtV2'), [8, 8, 8, 8]);
    assert.deepEqual(tasks('nowcast-clustering-16', 'merge_merged_netcdf2png'), [16, 16]);
    assert.equal(tasks('wind-clustering-casa', 'merge_gunzip').reduce((a, b) => a + b, 0), 17);
    assert.deepEqual(shapeOf('wind-clustering-casa').jobs.find((j) => j.kind === 'merge_casa_job')?.tasks, ['um_vel', 'mvt', 'merged_netcdf2png', 'pointalert']);
    assert.ok(shapeOf('wind-noclustering-casa').jobs.every((j) => !j.clustered));
  });
});

describe('generated files', () => {
  const root = tmp();
  const summary = generateDataset({ workflows: 'all', labels: 'all', runsPerLabel: 2, seed: 7, out: root });
  const runs = readRuns(root);

  it('writes every workflow × label × run, in the dataset layout', () => {
    assert.equal(summary.runs, 5 * 14 * 2);
    assert.equal(runs.length, summary.runs);
    assert.deepEqual(fs.readdirSync(path.join(root, 'data')).sort(), [...REAL_LABELS].sort());
    assert.equal(summary.jobs, runs.reduce((a, r) => a + r.rows.length, 0));
    for (const r of runs) assert.match(path.basename(r.file), /^.+-run000[12]\.csv$/);
  });

  it("all pass the ingest's parser and validation (no rejection)", () => {
    const { templates, errors } = loadTemplates(path.join(root, 'adjacency_list_dags'));
    assert.deepEqual(errors, []);
    assert.equal(templates.size, 5);
    for (const r of runs) {
      const parsed = parseRunFile({ source: r.file, labelFolder: r.label, fileName: path.basename(r.file), bytes: fs.readFileSync(r.file) }, templates);
      assert.ok(!('reason' in parsed), `${r.file}: ${'reason' in parsed ? parsed.reason : ''}`);
      assert.equal(parsed.workflow, r.workflow);
      assert.equal(parsed.truth?.label, r.label);
      assert.deepEqual(parsed.missingColumns, []);
      assert.equal(derivedCount(parsed), 0, 'every composite is written, none needs deriving');
    }
  });

  it('no job starts before its parents end; a job is ready when its last parent ends', () => {
    const { templates } = loadTemplates(path.join(root, 'adjacency_list_dags'));
    let edgesChecked = 0;
    for (const r of runs) {
      const t = templates.get(r.workflow);
      assert.ok(t);
      const byKey = new Map(r.rows.map((row) => [key(row.name as string), row]));
      const rowOf = (i: number): Row => byKey.get(key(t.jobs[i] as string)) as Row;
      const parents = t.jobs.map(() => [] as number[]);
      for (const [p, c] of t.edges) {
        const parent = rowOf(p);
        const child = rowOf(c);
        assert.ok(num(child, 'ready') >= num(parent, 'post_script_end'), `${r.file}: ${child.name} ready before ${parent.name} ended`);
        assert.ok(num(child, 'execute_start') >= num(parent, 'post_script_end'), `${r.file}: ${child.name} started before ${parent.name} ended`);
        parents[c]?.push(p);
        edgesChecked++;
      }
      parents.forEach((ps, c) => {
        if (ps.length) assert.equal(num(rowOf(c), 'ready'), Math.max(...ps.map((p) => num(rowOf(p), 'post_script_end'))), `${r.file}: ready of ${rowOf(c).name}`);
      });
    }
    assert.equal(edgesChecked, 14 * 2 * Object.values(EXPECTED_SIZES).reduce((a, [, e]) => a + e, 0));
  });

  it("each job's timeline is ordered and its composite fields are its timestamps' differences", () => {
    for (const r of runs) {
      for (const row of r.rows) {
        const ts = ['ready', 'submit', 'execute_start', 'execute_end', 'post_script_start', 'post_script_end'].map((c) => num(row, c));
        for (let i = 1; i < ts.length; i++) assert.ok((ts[i] as number) >= (ts[i - 1] as number), `${r.file} ${row.name}: timestamps out of order`);
        assert.equal(num(row, 'wms_delay'), num(row, 'submit') - num(row, 'ready'));
        assert.equal(num(row, 'queue_delay'), num(row, 'execute_start') - num(row, 'submit'));
        assert.equal(num(row, 'runtime'), num(row, 'execute_end') - num(row, 'execute_start'));
        assert.equal(num(row, 'post_script_delay'), num(row, 'post_script_end') - num(row, 'post_script_start'));
        const staged = (Number(row.stage_in_delay) || 0) + (Number(row.stage_out_delay) || 0);
        assert.ok(staged <= num(row, 'runtime'), `${r.file} ${row.name}: staging longer than the job`);
        if (row.type === 'compute') assert.match(row.kickstart_hostname as string, /^worker-\d+$/);
        else assert.equal(row.kickstart_hostname, 'master');
        if (row.type === 'auxiliary') assert.equal(row.stage_in_delay, '');
      }
    }
  });

  it("never runs more jobs on a worker than it has slots (the pool's queueing)", () => {
    for (const r of runs) {
      const slots = shapeOf(r.workflow as (typeof WORKFLOWS)[number]).pool.slotsPerWorker;
      const byHost = new Map<string, Array<[number, number]>>();
      for (const row of r.rows) {
        if (row.type !== 'compute') continue;
        const list = byHost.get(row.kickstart_hostname as string) ?? [];
        list.push([num(row, 'execute_start'), num(row, 'execute_end')]);
        byHost.set(row.kickstart_hostname as string, list);
      }
      for (const [host, spans] of byHost) {
        // Sweep: ends before starts at the same second (a slot freed and reused in one second).
        const events = spans.flatMap(([s, e]) => [[s, 1], [e, -1]] as Array<[number, number]>).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        let busy = 0;
        for (const [, d] of events) {
          busy += d;
          assert.ok(busy <= slots, `${r.file}: ${busy} jobs at once on ${host} (${slots} slots)`);
        }
      }
    }
  });

  it('runs of a campaign follow one another in time', () => {
    const byStream = new Map<string, Array<[number, number]>>();
    for (const r of runs) {
      const k = `${r.label}/${r.workflow}`;
      const span: [number, number] = [Math.min(...r.rows.map((x) => num(x, 'ready'))), Math.max(...r.rows.map((x) => num(x, 'post_script_end')))];
      byStream.set(k, [...(byStream.get(k) ?? []), span]);
    }
    for (const [k, spans] of byStream) {
      assert.equal(spans.length, 2);
      assert.ok((spans[1] as [number, number])[0] > (spans[0] as [number, number])[1], `${k}: run 2 starts before run 1 ends`);
    }
  });
});

describe('determinism', () => {
  const read = (root: string): Map<string, Buffer> => new Map([...csvFiles(path.join(root, 'data')), ...fs.readdirSync(path.join(root, 'adjacency_list_dags')).map((f) => path.join(root, 'adjacency_list_dags', f))].map((f) => [path.relative(root, f), fs.readFileSync(f)]));

  it('the same seed gives byte-identical files; another seed gives other files', () => {
    const opts = { workflows: ['1000genome', 'wind-clustering-casa'], labels: ['normal', 'cpu_3', 'loss_5'], runsPerLabel: 3 };
    const a = tmp();
    const b = tmp();
    const c = tmp();
    generateDataset({ ...opts, seed: 11, out: a });
    generateDataset({ ...opts, seed: 11, out: b });
    generateDataset({ ...opts, seed: 12, out: c });
    const fa = read(a);
    const fb = read(b);
    const fc = read(c);
    assert.equal(fa.size, 2 + 2 * 3 * 3);
    assert.deepEqual([...fa.keys()], [...fb.keys()]);
    for (const [f, bytes] of fa) assert.ok(bytes.equals(fb.get(f) as Buffer), `${f} differs between two runs with seed 11`);
    const csvA = [...fa.entries()].filter(([f]) => f.endsWith('.csv')).map(([, v]) => v.toString());
    const csvC = [...fc.entries()].filter(([f]) => f.endsWith('.csv')).map(([, v]) => v.toString());
    assert.equal(csvC.length, csvA.length);
    assert.ok(csvA.every((text, i) => text !== csvC[i]), 'seed 12 must give other runs');
    // Templates do not depend on the seed.
    for (const [f, bytes] of fa) if (f.endsWith('.json')) assert.ok(bytes.equals(fc.get(f) as Buffer));
  });

  it('a workflow and label generated alone equals the same stream generated among others', () => {
    const alone = tmp();
    const all = tmp();
    generateDataset({ workflows: ['nowcast-clustering-8'], labels: ['hdd_60'], runsPerLabel: 2, seed: 5, out: alone });
    generateDataset({ workflows: 'all', labels: ['normal', 'hdd_60'], runsPerLabel: 2, seed: 5, out: all });
    const fa = read(alone);
    const fall = read(all);
    for (const [f, bytes] of fa) assert.ok(bytes.equals(fall.get(f) as Buffer), `${f}`);
  });
});

describe('anomaly effects grow with the level', () => {
  /** Per label, the mean over compute jobs of `metric(row)`, from runs of one workflow. */
  function effect(workflow: string, labels: string[], metric: (r: Row) => number, runsPerLabel = 8): Map<string, number[]> {
    const root = tmp();
    generateDataset({ workflows: [workflow], labels, runsPerLabel, seed: 3, out: root });
    const out = new Map<string, number[]>();
    for (const r of readRuns(root)) out.set(r.label, [...(out.get(r.label) ?? []), ...r.rows.filter((x) => x.type === 'compute').map(metric)]);
    return out;
  }
  const increasing = (labels: string[], values: Map<string, number[]>, what: string): number[] => {
    const means = labels.map((l) => mean(values.get(l) as number[]));
    for (let i = 1; i < means.length; i++) {
      assert.ok((means[i] as number) > (means[i - 1] as number), `${what}: ${labels[i]} (${means[i]?.toFixed(2)}) should exceed ${labels[i - 1]} (${means[i - 1]?.toFixed(2)})`);
    }
    return means;
  };
  const compute = (r: Row): number => num(r, 'runtime') - num(r, 'stage_in_delay') - num(r, 'stage_out_delay');

  it('cpu_k: CPU-bound time and cpu time stretch more with more stressor threads; staging does not', () => {
    const labels = ['normal', 'cpu_1', 'cpu_2', 'cpu_3', 'cpu_4'];
    const means = increasing(labels, effect('1000genome', labels, compute, 24), 'compute time');
    assert.ok((means[4] as number) > 1.5 * (means[0] as number), `cpu_4 stretches compute time by ${((means[4] as number) / (means[0] as number)).toFixed(2)}×`);
    increasing(['normal', 'cpu_2', 'cpu_4'], effect('1000genome', ['normal', 'cpu_2', 'cpu_4'], (r) => num(r, 'kickstart_executables_cpu_time'), 24), 'cpu time');
    const staging = effect('1000genome', ['normal', 'cpu_4'], (r) => num(r, 'stage_in_delay'), 24);
    const ratio = mean(staging.get('cpu_4') as number[]) / mean(staging.get('normal') as number[]);
    assert.ok(ratio > 0.9 && ratio < 1.1, `stage-in under cpu_4 vs normal: ${ratio.toFixed(2)}×`);
  });

  it('hdd_m: stage-in/out and post-script stretch more with more disk contention', () => {
    const labels = ['normal', 'hdd_50', 'hdd_100', 'hdd_150'];
    for (const wf of ['nowcast-clustering-8', 'wind-noclustering-casa']) {
      increasing(labels, effect(wf, labels, (r) => num(r, 'stage_in_delay') + num(r, 'stage_out_delay')), `${wf} staging`);
      increasing(labels, effect(wf, labels, (r) => num(r, 'post_script_delay')), `${wf} post-script`);
    }
  });

  it('loss_p: transfers stretch more with more loss, with a heavy tail', () => {
    // Below ~1 % loss TCP still fills a 1000 Genome job's share of the link: only larger losses show there.
    const levels: Record<string, string[]> = {
      'wind-noclustering-casa': ['normal', 'loss_0.5', 'loss_1', 'loss_3', 'loss_5'],
      '1000genome': ['normal', 'loss_1', 'loss_3', 'loss_5'],
    };
    for (const [wf, labels] of Object.entries(levels)) {
      increasing(labels, effect(wf, labels, (r) => num(r, 'stage_in_delay') + num(r, 'stage_out_delay'), 16), `${wf} staging`);
    }
    // Heavy tail: at 5 % loss the slowest short transfers are far above the typical one.
    const small = effect('wind-noclustering-casa', ['normal', 'loss_5'], (r) => num(r, 'stage_out_delay'), 12);
    const tail = (l: string): number => {
      const v = small.get(l) as number[];
      return Math.max(...v) / median(v);
    };
    assert.ok(tail('loss_5') > 3 * tail('normal'), `max/median of stage-out: normal ${tail('normal').toFixed(1)}, loss_5 ${tail('loss_5').toFixed(1)}`);
  });
});

describe('bad input', () => {
  it('names the bad workflow, label, run count or seed', () => {
    const out = tmp();
    const err = (f: () => unknown, re: RegExp): void => assert.throws(f, (e: unknown) => e instanceof WfadError && e.code === 'BAD_INPUT' && re.test(e.message));
    err(() => generateDataset({ workflows: ['montage'], runsPerLabel: 1, out }), /--workflow montage: unknown workflow/);
    err(() => generateDataset({ labels: ['cpu_x'], runsPerLabel: 1, out }), /--anomaly "cpu_x"/);
    err(() => generateDataset({ labels: ['cpu_2.5'], runsPerLabel: 1, out }), /cpu level must be an integer/);
    err(() => generateDataset({ labels: ['loss_80'], runsPerLabel: 1, out }), /loss level must be between/);
    err(() => generateDataset({ runsPerLabel: 0, out }), /--runs 0/);
    err(() => generateDataset({ runsPerLabel: 1, seed: -1, out }), /--seed -1/);
    assert.equal(fs.existsSync(out), false, 'nothing written on bad input');
  });

  it('refuses a folder that holds another DAG template, and writes nothing there', () => {
    const out = tmp();
    fs.mkdirSync(path.join(out, 'adjacency_list_dags'), { recursive: true });
    fs.writeFileSync(path.join(out, 'adjacency_list_dags', 'wind_clustering_casa.json'), '{"a": []}\n');
    assert.throws(() => generateDataset({ runsPerLabel: 1, out }), /already holds a different DAG template/);
    assert.deepEqual(fs.readdirSync(out), ['adjacency_list_dags']);
    assert.deepEqual(fs.readdirSync(path.join(out, 'adjacency_list_dags')), ['wind_clustering_casa.json']);
  });
});
