/**
 * bench/pegasus: Pegasus submit directories of the size operators run (default 3 runs of a
 * 2,000-job workflow), written to a temp folder as Pegasus 5 would leave them (a stampede database
 * with the tables the reader uses, jobstate.log, the .dag, braindump.yml), then read and ingested:
 * once from the databases, once from jobstate.log + .dag (a copy without the databases).
 *
 *   npm run bench:pegasus [-- --json] [-- --jobs 2000] [-- --runs 3]
 *
 * Uses NEO4J_URI when set (its database is WIPED), else a local server on its own port
 * (WFAD_BENCH_NEO4J_PORT, default 7689) and data folder (.wfad/neo4j-bench-pegasus), stopped afterwards.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openGraph } from '../src/graph/driver';
import { migrate } from '../src/graph/migrations';
import { readSubmitDirs } from '../src/ingest/pegasus';
import { loadSqlJs } from '../src/ingest/pegasus/sqlite-file';
import { REQUIRED_COLUMNS } from '../src/ingest/pegasus/stampede-schema';
import { ingest } from '../src/ingest/pipeline';
import { Mulberry32 } from '../src/random/mulberry32';
import { freshBenchNeo4j } from './bench-neo4j';

interface Job {
  name: string;
  desc: string;
  parents: number[];
}

/** create_dir → levels of compute jobs (1-3 parents each in the level above) → stage_out → cleanup. */
function dag(n: number, rng: Mulberry32): Job[] {
  const jobs: Job[] = [{ name: 'create_dir_synthetic_0_local', desc: 'create-dir', parents: [] }];
  const computeN = Math.max(1, n - 3);
  const width = Math.max(1, Math.round(Math.sqrt(computeN)));
  let prev = [0];
  for (let made = 0; made < computeN; ) {
    const level: number[] = [];
    for (let k = 0; k < width && made < computeN; k++, made++) {
      const ps = new Set<number>();
      for (let p = 0; p < 1 + rng.int(3); p++) ps.add(prev[rng.int(prev.length)] as number);
      level.push(jobs.length);
      jobs.push({ name: `task_ID${String(made + 1).padStart(7, '0')}`, desc: 'compute', parents: [...ps] });
    }
    prev = level;
  }
  const out = jobs.length;
  jobs.push({ name: 'stage_out_local_local_0_0', desc: 'stage-out-tx', parents: prev });
  jobs.push({ name: 'cleanup_synthetic_0_local', desc: 'cleanup', parents: [out] });
  return jobs;
}

/** One finished run's submit directory, times laid out along the DAG. */
async function writeRun(dir: string, jobs: Job[], rng: Mulberry32, withDb: boolean): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const uuid = randomUUID();
  const t0 = 1_700_000_000 + rng.int(1_000_000);
  const end: number[] = [];
  const rows: Array<{ j: Job; states: Array<[string, number]>; cpu: number; dur: number }> = [];
  const log: string[] = [`${t0} INTERNAL *** DAGMAN_STARTED 1.0 ***`];
  jobs.forEach((j, i) => {
    const ready = j.parents.length ? Math.max(...j.parents.map((p) => end[p] as number)) : t0;
    const submit = ready + 5 + rng.int(5);
    const exec = submit + rng.int(30);
    const term = exec + 1 + rng.int(120);
    const post = term + 3;
    const states: Array<[string, number]> = [
      ['SUBMIT', submit], ['EXECUTE', exec], ['JOB_TERMINATED', term], ['JOB_SUCCESS', post],
      ['POST_SCRIPT_STARTED', post], ['POST_SCRIPT_TERMINATED', post + 1], ['POST_SCRIPT_SUCCESS', post + 5],
    ];
    end[i] = post + 1;
    rows.push({ j, states, cpu: Number(((term - exec) * rng.uniform(0.5, 1)).toFixed(3)), dur: term - exec });
    for (const [s, ts] of states) log.push(`${ts} ${j.name} ${s} ${s === 'JOB_SUCCESS' || s === 'POST_SCRIPT_SUCCESS' ? 0 : `${i + 2}.0`} condorpool - ${i + 1}`);
  });
  const finish = Math.max(...end) + 5;
  log.sort((a, b) => Number(a.split(' ')[0]) - Number(b.split(' ')[0]));
  log.push(`${finish} INTERNAL *** DAGMAN_FINISHED 0 ***`);
  fs.writeFileSync(path.join(dir, 'jobstate.log'), `${log.join('\n')}\n`);
  const dagLines = jobs.map((j) => `JOB ${j.name} 00/00/${j.name}.sub`);
  for (const j of jobs) for (const p of j.parents) dagLines.push(`PARENT ${jobs[p]?.name} CHILD ${j.name}`);
  fs.writeFileSync(path.join(dir, 'synthetic-0.dag'), `${dagLines.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'braindump.yml'), `wf_uuid: "${uuid}"\nroot_wf_uuid: "${uuid}"\ndax_label: "synthetic"\ndag: "synthetic-0.dag"\n`);
  if (!withDb) return;

  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  for (const [t, cols] of Object.entries(REQUIRED_COLUMNS)) db.run(`CREATE TABLE ${t} (${cols.join(', ')})`);
  db.run("INSERT INTO dbversion VALUES (1, '14')");
  db.run('INSERT INTO workflow VALUES (1, ?, ?, ?, NULL, 1)', [uuid, 'synthetic', dir]);
  db.run("INSERT INTO workflowstate VALUES (1, 'WORKFLOW_STARTED', ?, 0), (1, 'WORKFLOW_TERMINATED', ?, 0)", [t0, finish]);
  db.run("INSERT INTO host VALUES (1, 'worker-1')");
  db.run('BEGIN');
  const job = db.prepare('INSERT INTO job VALUES (?, 1, ?, ?, 0)');
  const inst = db.prepare("INSERT INTO job_instance VALUES (?, ?, 1, 1, 'condorpool', 'bench', ?, NULL, 0)");
  const st = db.prepare('INSERT INTO jobstate VALUES (?, ?, ?, ?)');
  const inv = db.prepare("INSERT INTO invocation VALUES (?, 1, ?, ?, 0, 'tr', '/bin/tr', '')");
  const edge = db.prepare('INSERT INTO job_edge VALUES (1, ?, ?)');
  rows.forEach(({ j, states, cpu, dur }, i) => {
    job.run([i + 1, j.name, j.desc]);
    inst.run([i + 1, i + 1, dur]);
    states.forEach(([s, ts], k) => st.run([i + 1, s, ts, k + 1]));
    inv.run([i + 1, dur, cpu]);
    for (const p of j.parents) edge.run([jobs[p]?.name as string, j.name]);
  });
  for (const s of [job, inst, st, inv, edge]) s.free();
  db.run('COMMIT');
  fs.writeFileSync(path.join(dir, 'synthetic-0.stampede.db'), db.export());
  db.close();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const opt = (name: string, dflt: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const nJobs = opt('--jobs', 2000);
  const nRuns = opt('--runs', 3);
  const log = (s: string): void => void (json || process.stderr.write(`${s}\n`));
  const rng = new Mulberry32(7);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-bench-pegasus-'));
  const stop = await freshBenchNeo4j('neo4j-bench-pegasus', log);
  const graph = openGraph();
  try {
    const jobs = dag(nJobs, rng);
    for (let r = 1; r <= nRuns; r++) {
      const name = `run${String(r).padStart(4, '0')}`;
      await writeRun(path.join(tmp, 'db', name), jobs, rng, true);
      fs.cpSync(path.join(tmp, 'db', name), path.join(tmp, 'log', name), { recursive: true });
      fs.rmSync(path.join(tmp, 'log', name, 'synthetic-0.stampede.db'));
    }
    log(`wrote ${nRuns} submit directories of ${jobs.length} jobs to ${tmp}`);
    await migrate(graph);
    const result: Record<string, unknown> = { jobsPerRun: jobs.length, runs: nRuns };
    for (const kind of ['db', 'log']) {
      const root = path.join(tmp, kind);
      const r0 = performance.now();
      const read = await readSubmitDirs(root);
      const readSeconds = (performance.now() - r0) / 1000;
      if (read.rejected.length) throw new Error(`bench/pegasus: rejected ${JSON.stringify(read.rejected)}`);
      const s = await ingest(graph, root);
      const again = await ingest(graph, root);
      result[kind === 'db' ? 'stampedeDb' : 'jobstateLog'] = {
        readSeconds: Number(readSeconds.toFixed(2)),
        runsStored: s.runsStored,
        jobs: s.jobs,
        edges: s.edges,
        sources: s.sources,
        ingestSeconds: s.seconds,
        reingestSeconds: again.seconds,
        reingestUnchanged: again.runsUnchanged,
      };
      // The log copy holds the same runs (same uuids): wipe between the two so both are stored.
      await graph.write((tx) => tx.run('MATCH (n) DETACH DELETE n'));
    }
    result.machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`;
    if (json) console.log(JSON.stringify(result));
    else console.log(JSON.stringify(result, null, 2));
  } finally {
    await graph.close();
    await stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
