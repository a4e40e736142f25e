/**
 * `wfad ingest` on a path that is neither a trace dataset nor a Pegasus submit directory: exit 2
 * with one BAD_INPUT message that names the path and what each layout needs, told before Neo4j is
 * contacted (these run with an unreachable NEO4J_URI). With --json too, stdout stays empty: errors
 * go to stderr as `wfad: <CODE>: <message>` for every command (docs/cli.md).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cli } from '../helpers/neo4j';
import { SUBMIT_DIRS, skipNoSubmitDirs } from '../helpers/pegasus-fixtures';
import { buildProgram } from '../../src/cli/main';

const DEAD = { NEO4J_URI: 'bolt://127.0.0.1:1' };
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-layout-'));

function assertNeitherLayout(r: { code: number | null; stdout: string; stderr: string }, shown: string): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '', 'no document on stdout for an error, --json or not');
  const line = r.stderr.trim().split('\n').find((l) => l.startsWith('wfad: '));
  assert.ok(line, r.stderr);
  assert.ok(line.startsWith(`wfad: BAD_INPUT: ${shown} is neither a trace dataset nor a Pegasus submit directory.`), line);
  assert.match(line, /A trace dataset needs an adjacency_list_dags\/ folder at the path or above it .*--template <workflow>=<file\.json>/);
  assert.match(line, /A Pegasus submit directory \(the path itself or any folder below it\) needs a \*\.stampede\.db \(pegasus-monitord's database\), or jobstate\.log with the workflow's \.dag file/);
  assert.doesNotMatch(r.stderr, /NEO4J_UNAVAILABLE/);
}

describe('wfad ingest <path> of no known layout', () => {
  it('an empty folder', async () => {
    const dir = tmp();
    assertNeitherLayout(await cli(['ingest', dir], DEAD), dir);
  });

  it('a plain file, with --json', async () => {
    const file = path.join(tmp(), 'notes.txt');
    fs.writeFileSync(file, 'hello\n');
    assertNeitherLayout(await cli(['ingest', file, '--json'], DEAD), file);
  });

  it('a folder of other things (no run record, no templates), relative path shown with its absolute form', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'run.csv'), 'a,b\n1,2\n');
    fs.writeFileSync(path.join(dir, 'workflow.yml'), 'x: 1\n');
    const rel = path.relative(process.cwd(), dir);
    const r = await cli(['ingest', rel], DEAD);
    // cli() runs in the project root, as does this process.
    assertNeitherLayout(r, `${rel} (${dir})`);
  });

  it("a submit directory's jobstate.log itself: names the folder to ingest instead", { skip: skipNoSubmitDirs }, async () => {
    const dir = path.join(SUBMIT_DIRS, 'process_wf_success');
    const file = path.join(dir, 'jobstate.log');
    const r = await cli(['ingest', file, '--json'], DEAD);
    assertNeitherLayout(r, file);
    assert.match(r.stderr, new RegExp(`jobstate\\.log is a file of the submit directory ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ingest that folder \\(wfad ingest `));
  });

  it('a path that does not exist: named, exit 2', async () => {
    const r = await cli(['ingest', '/nonexistent/wfad-path', '--json'], DEAD);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /wfad: BAD_INPUT: \/nonexistent\/wfad-path: no such file or folder/);
  });

  it('wfad ingest --help describes <path> as a submit directory or a trace dataset', () => {
    const ingest = buildProgram().commands.find((c) => c.name() === 'ingest');
    const arg = ingest?.registeredArguments[0];
    assert.equal(arg?.name(), 'path');
    assert.match(arg?.description ?? '', /^a Pegasus submit directory \(a \*\.stampede\.db, or jobstate\.log \+ the \.dag file\), a folder of them at any depth, or one \*\.stampede\.db; or a CSV trace dataset: its root \(with adjacency_list_dags\/\), its data\/ folder, a label folder or one \.csv file$/);
    // And --help prints it (commander wraps long lines).
    assert.match(ingest?.helpInformation().replace(/\s+/g, ' ') ?? '', /path a Pegasus submit directory \(a \*\.stampede\.db/);
  });
});
