/**
 * Cypher injection, over HTTP against the real server and Neo4j: classic payloads through every
 * String/ID argument and input field of every query and mutation (enumerated from the built
 * schema, so new operations are covered without editing this file), and through the data paths
 * (workflow names, job names and label folders of ingested trace files; model names). Nothing is
 * executed: counts and a canary node stay as they were, stored values round-trip literally,
 * filters match literally, and no Cypher/Neo4j error text reaches a client.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiSchema } from '../../src/api/schema';
import { registerModel } from '../../src/graph/predictions';
import { ingest } from '../../src/ingest/pipeline';
import { auth, errorOf, gql, startHarness, T0, type GqlResponse, type Harness } from '../api/harness';
import { HEADER, runCsv } from '../helpers/fixtures';
import { count } from '../helpers/neo4j';
import { CYPHER_PAYLOADS } from './payloads';
import { buildOperation, injectionTargets, stringSlots, type Json, type Slot } from './schema-walk';

let h: Harness;
before(async () => {
  h = await startHarness(16);
  await h.graph.write((tx) => tx.run("CREATE (:Canary {id: 'canary', note: 'must survive'})"));
});
after(async () => {
  await h?.close();
});

interface Census {
  nodes: number;
  rels: number;
  canary: number;
  runs: number;
  /** Nodes by label, for the failure message. */
  labels: string;
}

async function census(): Promise<Census> {
  return {
    nodes: await count(h.graph, 'MATCH (n) RETURN count(n)'),
    rels: await count(h.graph, 'MATCH ()-[r]->() RETURN count(r)'),
    canary: await count(h.graph, "MATCH (c:Canary {id: 'canary', note: 'must survive'}) WHERE c.hit IS NULL RETURN count(c)"),
    runs: await count(h.graph, 'MATCH (r:Run) RETURN count(r)'),
    labels: JSON.stringify((await h.graph.read((tx) => tx.run('MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS n ORDER BY l'))).records.map((r) => [r.get('l'), r.get('n')])),
  };
}

/** Nothing from the database layer reaches the client: no Cypher syntax errors, no Neo4j codes. */
function noCypherLeak(r: GqlResponse<unknown>, label: string): void {
  assert.doesNotMatch(r.raw, /Neo\.ClientError|Neo\.DatabaseError|SyntaxError|Invalid input|Variable `|CypherTypeError|Neo4jError/i, `${label}: database error text leaked: ${r.raw.slice(0, 400)}`);
  assert.ok(r.status < 500, `${label}: HTTP ${r.status}: ${r.raw.slice(0, 400)}`);
  for (const e of r.errors ?? []) {
    assert.notEqual(e.extensions?.code, 'INTERNAL_SERVER_ERROR', `${label}: internal error: ${r.raw.slice(0, 400)}`);
  }
}

/** A valid pushed run of the "mini" workflow (3 jobs), instance `inst`. */
function runInput(inst: string): Record<string, Json> {
  const t = T0 + 100_000;
  const job = (name: string, type: string, start: number, rt: number): Record<string, Json> => ({
    name,
    type,
    submit: start + 1,
    executeStart: start + 2,
    executeEnd: start + 2 + rt,
    runtime: rt,
    kickstartUser: 'u',
    kickstartSite: 'condorpool',
    kickstartHostname: 'w1',
  });
  return {
    workflow: 'mini',
    label: 'normal',
    instance: inst,
    runNumber: 1,
    jobs: [job(`create_dir_${inst}_0_condorpool`, 'auxiliary', t, 1), job('work_ID01', 'compute', t + 10, 10), job(`cleanup_${inst}_0_condorpool`, 'auxiliary', t + 40, 1)],
  };
}

describe('Cypher injection through every String/ID argument of the schema', () => {
  const schema = apiSchema();
  const targets = injectionTargets(schema);

  it('covers every operation of the schema', () => {
    for (const type of [schema.getQueryType(), schema.getMutationType()]) {
      for (const f of Object.values(type?.getFields() ?? {})) {
        const slots = f.args.flatMap((a) => stringSlots(a.type));
        assert.equal(targets.filter((t) => t.root === f && t.via.length === 0).length, slots.length, `${type?.name}.${f.name}`);
      }
    }
    // Nested arguments too, and input fields deep inside lists.
    assert.ok(targets.some((t) => t.label.startsWith('Run.prediction(model)')), targets.map((t) => t.label).join('\n'));
    assert.ok(targets.some((t) => t.label.startsWith('Job.prediction(model)')));
    for (const l of ['Mutation.ingestRun(input.jobs.0.kickstartHostname)', 'Mutation.ingestRun(input.edges.0.parent)', 'Mutation.scoreRuns(filter.workflow)', 'Query.runs(filter.predictedCategory)', 'Mutation.activateModel(id)']) {
      assert.ok(targets.some((t) => t.label === l), l);
    }
  });

  it('executes none of the payloads, in any slot', async () => {
    const before = await census();
    let seq = 0;
    let storedRuns = 0;
    for (const t of targets) {
      for (const payload of CYPHER_PAYLOADS) {
        const inst = `SEC${String(seq++).padStart(5, '0')}`;
        // Valid values everywhere but the slot, so each payload reaches as deep as it can.
        const fill = (p: Slot): Json | undefined => {
          if (p[0] === 'ingestRun' && p[1] === 'input' && p.length === 2) return runInput(inst);
          // No scoring on arrival: the stored runs' nodes stay countable (scoring has its own tests).
          if (p[0] === 'ingestRun' && p[1] === 'score') return false;
          if (p[0] === 'trainModel' && p[1] === 'config' && p.length === 2) return { workflow: 'mini' };
          if (p[0] === 'runs' && p[1] === 'first') return 2;
          // scoreRuns(model: "") means "the active model": score nothing, so that writes stay countable.
          if (p[0] === 'scoreRuns' && p[1] === 'filter' && p.length === 2) return { workflow: 'no-such-workflow' };
          return undefined;
        };
        const { query, variables } = buildOperation(t, payload, fill);
        // The payload really travels in its slot (a fill value for a parent must not replace it).
        let sent: Json | undefined = variables[`${t.via.length ? 'n' : 'r'}_${t.arg.name}`];
        for (const k of t.slot) sent = sent === null || typeof sent !== 'object' ? undefined : (sent as Record<string | number, Json>)[k];
        assert.equal(sent, payload, `${t.label}: the payload is not in the variables at its slot`);
        const r = await gql(h.url, query, variables, t.operation === 'mutation' ? auth() : {});
        noCypherLeak(r, `${t.label} ← ${JSON.stringify(payload.slice(0, 60))}`);
        for (const e of r.errors ?? []) assert.equal(e.extensions?.code, 'BAD_USER_INPUT', `${t.label}: ${r.raw.slice(0, 300)}`);
        if (t.root.name === 'ingestRun' && !r.errors) {
          storedRuns++;
          // Stored: the value reads back exactly as sent.
          const field = t.slot[t.slot.length - 1] as string;
          const id = `normal/mini-${inst}-run0001`;
          const jobName = ((variables.r_input as Record<string, Json[]>).jobs?.[0] as Record<string, Json>).name as string;
          const got = await h.graph.read((tx) => tx.run('MATCH (j:Job {id: $id}) RETURN j[$field] AS v', { id: `${id}/${jobName}`, field }));
          const v = got.records[0]?.get('v') as unknown;
          // An empty or blank cell is "no value" in a trace file, and the JSON push is written as one.
          if (payload.trim() === '') assert.ok(v === null || v === payload, `${t.label}: ${JSON.stringify(v)}`);
          else assert.equal(v, payload, `${t.label}: stored ${JSON.stringify(v)} for ${JSON.stringify(payload)}`);
        }
      }
    }
    const afterAll = await census();
    assert.equal(afterAll.canary, 1, 'the canary node is untouched');
    // Only ingestRun with a payload in a free-text job field stores anything: one run, 3 jobs, 2 edges
    // each, under the workflow's stored template (HAS_RUN, 3 HAS_JOB, 2 FEEDS, USES_TEMPLATE).
    assert.equal(afterAll.runs, before.runs + storedRuns);
    assert.equal(afterAll.nodes, before.nodes + storedRuns * 4, `${before.labels} → ${afterAll.labels}`);
    assert.equal(afterAll.rels, before.rels + storedRuns * (1 + 3 + 2 + 1));
    assert.ok(storedRuns > 0, 'some payloads were stored (free-text job fields)');
  });

  it('matches filters literally: a payload matches nothing, never everything', async () => {
    for (const payload of CYPHER_PAYLOADS) {
      for (const key of ['workflow', 'label']) {
        const r = await gql<{ runs: { totalCount: number; nodes: unknown[] } }>(h.url, 'query($f: RunFilter) { runs(filter: $f, first: 5) { totalCount nodes { id } } }', { f: { [key]: payload } });
        noCypherLeak(r, `runs(filter.${key})`);
        assert.equal(r.errors, undefined, r.raw);
        assert.equal(r.data?.runs.totalCount, 0, `filter.${key} = ${JSON.stringify(payload)}`);
      }
      const w = await gql<{ workflows: unknown[] }>(h.url, 'query($n: String) { workflows(name: $n) { name } }', { n: payload });
      assert.deepEqual(w.data?.workflows, [], JSON.stringify(payload));
      const one = await gql<{ run: unknown }>(h.url, 'query($id: ID!) { run(id: $id) { id } }', { id: payload });
      assert.equal(one.data?.run, null);
    }
  });
});

describe('Cypher injection through the data paths', () => {
  // File names cannot hold "/" (nor NUL); everything else a file system takes is fair game.
  const WF_PAYLOADS = ["inj' OR 1=1 ", 'inj"}) MATCH (n) DETACH DELETE n ', 'inj`$param` CALL dbms.components() ', 'inj\\u0027 {x} (n)'];
  const JOB_PAYLOADS = ["' OR 1=1 //", '"}) MATCH (n) DETACH DELETE n //', '`x` $ids CALL dbms.components()', 'ʼ\\u0022;,'];

  it('stores workflow, job and run names from trace files literally and finds them by exact match', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-inject-'));
    try {
      fs.mkdirSync(path.join(root, 'adjacency_list_dags'));
      const csvCell = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
      WF_PAYLOADS.forEach((wf, i) => {
        const job = JOB_PAYLOADS[i] as string;
        // Template file name: "_" would become "-" in the workflow name, so none is used.
        fs.writeFileSync(
          path.join(root, 'adjacency_list_dags', `${wf}.json`),
          JSON.stringify({ 'create_dir_mini-T0_0_condorpool': [job], [job]: ['cleanup_mini-T0_0_condorpool'], 'cleanup_mini-T0_0_condorpool': [] }),
        );
        for (const [label, n] of [['normal', 2], ['cpu_2', 1]] as const) {
          for (let k = 0; k < n; k++) {
            const inst = `J${i}${label.replace(/\W/g, '')}${k}`;
            const csv = runCsv(inst, T0 + 50_000 + i * 1000 + k * 100).replace('work_ID01', csvCell(job));
            const dir = path.join(root, 'data', label);
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(path.join(dir, `${wf}-${inst}-run0001.csv`), csv);
          }
        }
      });
      // Label folders that are injection strings: refused as unknown labels, nothing stored.
      for (const bad of ["normal' OR 1=1 ", 'cpu_2"}) DETACH DELETE n ']) {
        const dir = path.join(root, 'data', bad);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `${WF_PAYLOADS[0]}-JBAD-run0001.csv`), runCsv('JBAD', T0));
      }
      assert.ok(HEADER.length > 0);
      const before = await census();
      const summary = await ingest(h.graph, root);
      assert.equal(summary.runsStored, WF_PAYLOADS.length * 3, JSON.stringify(summary.rejected.slice(0, 3)));
      assert.equal(summary.rejected.length, 2, 'the two bad label folders');
      const afterIngest = await census();
      assert.equal(afterIngest.canary, 1);
      assert.equal(afterIngest.runs, before.runs + WF_PAYLOADS.length * 3);

      const names = (await gql<{ workflows: Array<{ name: string }> }>(h.url, '{ workflows { name } }')).data?.workflows.map((w) => w.name) ?? [];
      for (const wf of WF_PAYLOADS) assert.ok(names.includes(wf), `workflow ${JSON.stringify(wf)} listed literally: ${JSON.stringify(names)}`);
      for (const [i, wf] of WF_PAYLOADS.entries()) {
        const r = await gql<{ runs: { totalCount: number; nodes: Array<{ id: string; workflow: string; jobs: Array<{ name: string }> }> } }>(
          h.url,
          'query($w: String) { runs(filter: {workflow: $w}, first: 10) { totalCount nodes { id workflow jobs { name } } } }',
          { w: wf },
        );
        noCypherLeak(r, `runs(workflow=${wf})`);
        assert.equal(r.data?.runs.totalCount, 3, `exactly the runs of ${JSON.stringify(wf)}`);
        for (const run of r.data?.runs.nodes ?? []) {
          assert.equal(run.workflow, wf);
          assert.ok(run.id.includes(wf), run.id);
          assert.equal(run.jobs[1]?.name, JOB_PAYLOADS[i], 'job name round-trips');
        }
        const byLabel = await gql<{ runs: { totalCount: number } }>(h.url, 'query($w: String) { runs(filter: {workflow: $w, label: "cpu_2"}) { totalCount } }', { w: wf });
        assert.equal(byLabel.data?.runs.totalCount, 1);
        const id = r.data?.runs.nodes[0]?.id as string;
        const one = await gql<{ run: { id: string; jobs: Array<{ id: string }> } }>(h.url, 'query($id: ID!) { run(id: $id) { id jobs { id } } }', { id });
        assert.equal(one.data?.run.id, id);
        const sub = await gql<{ labelledSubgraphs: { nodes: Array<{ workflow: string; jobIds: string[] }> } }>(
          h.url,
          'query($w: String) { labelledSubgraphs(filter: {workflow: $w}) { nodes { workflow jobIds } } }',
          { w: wf },
        );
        assert.equal(sub.data?.labelledSubgraphs.nodes.length, 3);
        assert.ok(sub.data?.labelledSubgraphs.nodes.every((n) => n.workflow === wf && n.jobIds.some((j) => j.endsWith(`/${JOB_PAYLOADS[i]}`))));
      }
      // Prefixes and near misses match nothing.
      const near = await gql<{ runs: { totalCount: number } }>(h.url, '{ runs(filter: {workflow: "inj"}) { totalCount } }');
      assert.equal(near.data?.runs.totalCount, 0);
      assert.equal((await census()).canary, 1);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('stores model names and ids literally; lookups and activation match them exactly', async () => {
    const before = await census();
    for (const [i, p] of CYPHER_PAYLOADS.slice(0, 10).entries()) {
      const id = `${p}@v${i}`;
      await registerModel(h.graph, { id, name: p, version: `v${i}`, workflow: 'ALL', level: 'graph', task: 'binary', classes: ['normal', 'anomalous'], metrics: '{}', path: '/nonexistent' });
      // `models` re-reads the registry (the server caches it for 2 s).
      await gql(h.url, '{ models { id } }');
      const m = await gql<{ model: { id: string; name: string } | null }>(h.url, 'query($id: ID!) { model(id: $id) { id name } }', { id });
      assert.deepEqual(m.data?.model, { id, name: p });
      // A filter naming the model: its (zero) stored predictions, no error, nothing else matched.
      const f = await gql<{ runs: { totalCount: number } }>(h.url, 'query($m: String) { runs(filter: {model: $m, minScore: 0}) { totalCount } }', { m: id });
      noCypherLeak(f, `runs(filter.model=${id})`);
      assert.equal(f.data?.runs.totalCount, 0);
    }
    const ids = CYPHER_PAYLOADS.slice(0, 10).map((p, i) => `${p}@v${i}`);
    const list = await gql<{ models: Array<{ id: string }> }>(h.url, '{ models { id } }');
    for (const id of ids) assert.ok(list.data?.models.some((m) => m.id === id), id);
    const act = await gql<{ activateModel: { id: string; active: boolean } }>(h.url, 'mutation($id: ID!) { activateModel(id: $id) { id active } }', { id: ids[3] }, auth());
    assert.deepEqual(act.data?.activateModel, { id: ids[3], active: true });
    const after = await census();
    assert.equal(after.canary, 1);
    assert.equal(after.nodes, before.nodes + ids.length);
    assert.equal(after.rels, before.rels);
    // Restore the harness's active binary model state is not needed: later tests do not rely on it.
    assert.equal(errorOf(await gql(h.url, 'mutation($id: ID!) { activateModel(id: $id) { id } }', { id: `${ids[3]}x` }, auth())).code, 'BAD_USER_INPUT');
  });
});
