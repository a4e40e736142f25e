import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WfadError } from '../../src/errors';
import { openCsvSource } from '../../src/ingest/csv-source';
import { MAX_DEPTH, discover, findDatasetRoot } from '../../src/ingest/dataset';
import { isRejection } from '../../src/ingest/rejection';
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

  it('from the root: every run file (.csv in any case), sorted; other files listed as ignored, hidden ones as skipped', () => {
    const d = discover(root);
    assert.equal(d.root, root);
    assert.equal(d.templatesDir, path.join(root, 'adjacency_list_dags'));
    assert.deepEqual(d.files, all());
    assert.deepEqual(d.ignored, [abs('README.md'), abs('data/normal/notes.txt')]);
    assert.deepEqual(d.skipped, [{ path: abs('data/normal/.hidden-run0001.csv'), reason: 'hidden (name starts with a dot): not read' }]);
  });

  it('walks deep folders, and lists the folders past the depth limit instead of passing them over', () => {
    const deep = tempDir('wfad-deep-');
    try {
      const csv = toCsv(goodRows());
      const parts = Array.from({ length: MAX_DEPTH + 1 }, (_, i) => `d${i}`);
      writeTree(deep.dir, {
        [`adjacency_list_dags/${TEMPLATE_FILE}`]: JSON.stringify(tinyTemplateJson()),
        [`data/${parts.slice(0, 6).join('/')}/normal/tiny-wf-a-run0001.csv`]: csv,
        [`data/${parts.join('/')}/normal/tiny-wf-a-run0002.csv`]: csv,
      });
      const d = discover(path.join(deep.dir, 'data'));
      assert.deepEqual(d.files, [path.join(deep.dir, 'data', ...parts.slice(0, 6), 'normal', 'tiny-wf-a-run0001.csv')], 'a run 7 folders down is read');
      assert.equal(d.skipped.length, 1);
      assert.match(d.skipped[0]?.reason ?? '', new RegExp(`deeper than ${MAX_DEPTH} levels`));
      assert.ok(d.skipped[0]?.path.startsWith(path.join(deep.dir, 'data', ...parts.slice(0, MAX_DEPTH - 1))), d.skipped[0]?.path);
    } finally {
      deep.remove();
    }
  });

  it('a file that cannot be read is rejected as UNREADABLE_FILE, not as an empty one', () => {
    const t = tempDir('wfad-unreadable-');
    try {
      writeTree(t.dir, { [`adjacency_list_dags/${TEMPLATE_FILE}`]: JSON.stringify(tinyTemplateJson()), [rel.normal1]: toCsv(goodRows()) });
      const source = openCsvSource(t.dir);
      // Listed, then gone before it is read (moved away, or a permission change).
      fs.rmSync(path.join(t.dir, rel.normal1));
      const items = [...(source.runs() as Iterable<object>)];
      assert.equal(items.length, 1);
      const r = items[0] as { code: string; reason: string; file: string };
      assert.ok(isRejection(r));
      assert.equal(r.code, 'UNREADABLE_FILE');
      assert.equal(r.file, rel.normal1);
      assert.match(r.reason, /cannot read: ENOENT/);
    } finally {
      t.remove();
    }
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
