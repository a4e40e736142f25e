import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WfadError } from '../../src/errors';
import { discover, findDatasetRoot } from '../../src/ingest/dataset';
import { TEMPLATE_FILE, goodRows, tempDir, tinyTemplateJson, toCsv, writeTree } from './fixtures';

describe('discover', () => {
  let tmp: ReturnType<typeof tempDir>;
  let root: string;
  const rel = {
    normal1: 'data/normal/tiny-wf-a-run0001.csv',
    normal2: 'data/normal/tiny-wf-a-run0002.csv',
    hdd: 'data/hdd_60/tiny-wf-b-run0001.csv',
    upper: 'data/hdd_60/tiny-wf-b-run0002.CSV',
  };
  const abs = (r: string): string => path.join(root, r);

  before(() => {
    tmp = tempDir('wfad-discover-');
    // The dataset root sits below the temp folder, so nothing above it has adjacency_list_dags/.
    root = path.join(tmp.dir, 'flowgad');
    const csv = toCsv(goodRows());
    writeTree(root, {
      [`adjacency_list_dags/${TEMPLATE_FILE}`]: JSON.stringify(tinyTemplateJson()),
      [rel.hdd]: csv,
      [rel.normal2]: csv,
      [rel.normal1]: csv,
      [rel.upper]: csv,
      'data/normal/notes.txt': 'not a run file',
      'data/normal/.hidden-run0001.csv': csv,
      'README.md': '# dataset',
    });
    fs.mkdirSync(path.join(tmp.dir, 'elsewhere'));
  });
  after(() => tmp.remove());

  const all = (): string[] => [abs(rel.hdd), abs(rel.upper), abs(rel.normal1), abs(rel.normal2)];

  it('from the root: every run file (.csv in any case), sorted; other files listed as ignored, templates and hidden files not', () => {
    const d = discover(root);
    assert.equal(d.root, root);
    assert.equal(d.templatesDir, path.join(root, 'adjacency_list_dags'));
    assert.deepEqual(d.files, all());
    assert.deepEqual(d.ignored, [abs('README.md'), abs('data/normal/notes.txt')]);
  });

  it('from data/: the same root and files', () => {
    const d = discover(path.join(root, 'data'));
    assert.equal(d.root, root);
    assert.deepEqual(d.files, all());
  });

  it('from a label folder: the same root, only that folder', () => {
    const d = discover(path.join(root, 'data', 'normal'));
    assert.equal(d.root, root);
    assert.equal(d.templatesDir, path.join(root, 'adjacency_list_dags'));
    assert.deepEqual(d.files, [abs(rel.normal1), abs(rel.normal2)]);
  });

  it('from one file: the same root, just that file', () => {
    const d = discover(abs(rel.hdd));
    assert.equal(d.root, root);
    assert.deepEqual(d.files, [abs(rel.hdd)]);
  });

  it('accepts a relative path', () => {
    const d = discover(path.relative(process.cwd(), path.join(root, 'data')));
    assert.equal(d.root, root);
    assert.deepEqual(d.files, all());
  });

  it('a path without adjacency_list_dags/ here or above throws BAD_INPUT naming the path', () => {
    const target = path.join(tmp.dir, 'elsewhere');
    assert.throws(
      () => discover(target),
      (err: unknown) => {
        assert.ok(err instanceof WfadError);
        assert.equal(err.code, 'BAD_INPUT');
        assert.ok(err.message.startsWith(`${target}: `), err.message);
        assert.match(err.message, /adjacency_list_dags/);
        return true;
      },
    );
  });

  it('a path that does not exist throws BAD_INPUT naming the path', () => {
    const target = path.join(root, 'data', 'cpu_9');
    assert.throws(() => discover(target), (err: unknown) => err instanceof WfadError && err.code === 'BAD_INPUT' && err.message === `${target}: no such file or folder`);
  });

  it('findDatasetRoot walks up from folders and files, and gives null outside a dataset', () => {
    assert.equal(findDatasetRoot(root), root);
    assert.equal(findDatasetRoot(path.join(root, 'data', 'hdd_60')), root);
    assert.equal(findDatasetRoot(abs(rel.normal1)), root);
    assert.equal(findDatasetRoot(path.join(tmp.dir, 'elsewhere')), null);
  });
});
