/**
 * examples/labelled_subgraphs.ipynb executed headless by Jupyter's own runner (nbclient, with an
 * ipykernel kernel) against the live API, as a data scientist runs it. The notebook's Python
 * packages come from PyPI into a venv the test creates under .wfad/notebook-venv (kept between
 * runs on one machine; pip's wheel cache makes a fresh clone's venv quick; WFAD_NOTEBOOK_VENV
 * points at another one). Skipped, saying why, only when python3 is missing or PyPI cannot be
 * reached; any other install failure fails the test.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/config';
import { FEATURE_NAMES } from '../../src/features/job-features';
import { auth, gql, startHarness, type Harness } from './harness';

const NOTEBOOK = path.join(PROJECT_ROOT, 'examples', 'labelled_subgraphs.ipynb');
const VENV = path.resolve(process.env.WFAD_NOTEBOOK_VENV ?? path.join(PROJECT_ROOT, '.wfad', 'notebook-venv'));
const PACKAGES = ['nbclient', 'nbformat', 'ipykernel', 'matplotlib', 'requests'];
const PYTHON = path.join(VENV, 'bin', 'python');
const RUNS = 24;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 600_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, cwd: PROJECT_ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, out: String(err) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const NETWORK = /NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|Name or service not known|Network is unreachable|ConnectTimeout|Read timed out|No matching distribution found|Could not fetch URL/;

/** The venv with the notebook's packages: reused when its imports work, else (re)built from PyPI. Returns a skip reason or null. */
async function ensureVenv(): Promise<string | null> {
  const probe = ['-c', `import ${PACKAGES.join(', ')}`];
  if (fs.existsSync(PYTHON) && (await run(PYTHON, probe)).code === 0) return null;
  if ((await run('python3', ['--version'])).code !== 0) return 'python3 is not installed';
  fs.rmSync(VENV, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(VENV), { recursive: true });
  const venv = await run('python3', ['-m', 'venv', VENV]);
  assert.equal(venv.code, 0, `python3 -m venv: ${venv.out}`);
  const pip = await run(PYTHON, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', ...PACKAGES]);
  if (pip.code !== 0) {
    fs.rmSync(VENV, { recursive: true, force: true });
    if (NETWORK.test(pip.out)) return `PyPI cannot be reached: ${pip.out.split('\n').find((l) => NETWORK.test(l))?.trim()}`;
    assert.fail(`pip install ${PACKAGES.join(' ')} failed:\n${pip.out}`);
  }
  assert.equal((await run(PYTHON, probe)).code, 0);
  return null;
}

/** Executes a notebook with nbclient (the runner `jupyter nbconvert --execute` uses) and returns the executed notebook. */
const EXECUTE = `
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": sys.argv[3]}}).execute()
nbformat.write(nb, sys.argv[2])
`;

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
}

let h: Harness;
before(async () => {
  h = await startHarness(RUNS);
  // A store as `npm start` leaves it: runs scored by the active graph-level model.
  const s = await gql(h.url, 'mutation { scoreRuns { runsScored } }', undefined, auth());
  assert.equal(s.errors, undefined, s.raw);
});
after(async () => {
  await h?.close();
});

describe('examples/labelled_subgraphs.ipynb', () => {
  it('runs headless with nbclient against the live API: PyG-shaped graphs, a DAG coloured by job prediction, a score histogram', async (t) => {
    const skip = await ensureVenv();
    if (skip) {
      t.skip(skip);
      return;
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-nb-'));
    try {
      const out = path.join(tmp, 'executed.ipynb');
      const script = path.join(tmp, 'execute.py');
      fs.writeFileSync(script, EXECUTE);
      const env = { ...process.env, WFAD_API_URL: h.url, WFAD_MAX_GRAPHS: '20', MPLBACKEND: 'module://matplotlib_inline.backend_inline' };
      const r = await run(PYTHON, [script, NOTEBOOK, out, tmp], env);
      assert.equal(r.code, 0, `nbclient:\n${r.out}`);
      const nb = JSON.parse(fs.readFileSync(out, 'utf8')) as { cells: Array<{ cell_type: string; outputs?: Output[] }> };
      const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
      assert.deepEqual(outputs.filter((o) => o.output_type === 'error').map((o) => o.ename), []);
      const images = outputs.filter((o) => o.output_type === 'display_data' && typeof o.data?.['image/png'] === 'string');
      assert.equal(images.length, 2, 'two figures: the DAG and the score histogram');
      for (const img of images) assert.ok(Buffer.from(String(img.data?.['image/png']), 'base64').subarray(1, 4).toString() === 'PNG');
      const text = outputs.filter((o) => o.output_type === 'stream').map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? ''))).join('');
      const line = text.split('\n').find((l) => l.startsWith('summary '));
      assert.ok(line, text);
      const s = JSON.parse(line.slice('summary '.length)) as Record<string, any>;
      // The harness: 3-job runs (2 edges), labels cycling normal, cpu, hdd, loss.
      assert.equal(s.graphs, 20);
      assert.equal(s.nodes, 60);
      assert.equal(s.edges, 40);
      assert.equal(s.features, FEATURE_NAMES.length);
      assert.deepEqual(s.byCategory, { normal: 5, cpu: 5, hdd: 5, loss: 5 });
      if (!s.pyg) assert.match(text, /torch_geometric is not installed: the graphs stay plain lists/);
      assert.equal(s.dagJobs, 3);
      assert.equal(s.dagJobsWithPrediction, 3, 'every job coloured by the active job-level model');
      assert.equal(s.scoredRuns, RUNS);
      // The DAG drawn is the run the API ranks most anomalous.
      const top = await gql(h.url, '{ runs(orderBy: {by: SCORE, direction: DESC}, first: 1) { nodes { id } } }');
      assert.equal(s.dagRun, top.data?.runs.nodes[0].id);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
