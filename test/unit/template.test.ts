import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadTemplates, parseTemplate, TemplateError, workflowFromTemplateFile } from '../../src/ingest/template';
import { TEMPLATE_FILE, TEMPLATE_INSTANCE, TEMPLATE_JOBS, WORKFLOW, tempDir, tinyTemplateJson } from './fixtures';

/** Asserts that parsing `text` throws a TemplateError for `file` whose reason matches `reason`. */
function rejects(text: string, reason: RegExp, file = 'dag.json'): TemplateError {
  let caught: unknown;
  try {
    parseTemplate(file, text);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof TemplateError, `expected a TemplateError, got ${String(caught)}`);
  assert.equal(caught.file, file);
  assert.match(caught.reason, reason);
  assert.equal(caught.message, `${file}: ${caught.reason}`);
  return caught;
}

describe('parseTemplate: a valid DAG', () => {
  it('indexes jobs in template order and turns edges into [parent, child] index pairs', () => {
    // A diamond with a tail: a → b, a → c, b → d, c → d, d → e.
    const t = parseTemplate('diamond.json', JSON.stringify({ a: ['b', 'c'], b: ['d'], c: ['d'], d: ['e'], e: [] }));
    assert.equal(t.workflow, 'diamond');
    assert.equal(t.file, 'diamond.json');
    assert.deepEqual(t.jobs, ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(t.keys, ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(t.edges, [
      [0, 1],
      [0, 2],
      [1, 3],
      [2, 3],
      [3, 4],
    ]);
    assert.equal(t.keyIndex.get('d'), 3);
  });

  it('keeps the order of the file, not alphabetical order', () => {
    const t = parseTemplate('z.json', '{"zeta": ["alpha"], "alpha": ["mid"], "mid": []}');
    assert.deepEqual(t.jobs, ['zeta', 'alpha', 'mid']);
    assert.deepEqual(t.edges, [
      [0, 1],
      [1, 2],
    ]);
  });

  it('keys auxiliary jobs without their instance id', () => {
    const t = parseTemplate(TEMPLATE_FILE, JSON.stringify(tinyTemplateJson()));
    assert.equal(t.workflow, WORKFLOW);
    assert.deepEqual(t.jobs, TEMPLATE_JOBS);
    assert.equal(t.keys[0], 'create_dir_{instance}_0_condorpool');
    assert.equal(t.keys[3], 'cleanup_{instance}_0_condorpool');
    assert.ok(!t.keys.some((k) => k.includes(TEMPLATE_INSTANCE)));
    assert.equal(t.keyIndex.get('cleanup_{instance}_0_condorpool'), 3);
    assert.deepEqual(t.edges, [
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it('accepts a UTF-8 BOM before the JSON', () => {
    assert.deepEqual(parseTemplate('b.json', '\uFEFF{"a": []}').jobs, ['a']);
  });
});

describe('parseTemplate: rejections', () => {
  it('invalid JSON', () => {
    rejects('{"a": [', /^not valid JSON: /);
  });

  it('JSON that is not an object', () => {
    rejects('["a", "b"]', /^expected an object/);
    rejects('null', /^expected an object/);
    rejects('42', /^expected an object/);
    rejects('"a"', /^expected an object/);
  });

  it('an empty object', () => {
    rejects('{}', /^template has no jobs$/);
  });

  it('a dangling child', () => {
    rejects('{"a": ["ghost"], "b": []}', /^"a" has child "ghost", which is not a job of the template \(dangling edge\)$/);
  });

  it('a self-loop', () => {
    rejects('{"a": ["b"], "b": ["b"]}', /^"b" depends on itself$/);
  });

  it('a duplicate edge', () => {
    rejects('{"a": ["b", "b"], "b": []}', /^edge "a" → "b" is listed twice$/);
  });

  it('a cycle, naming the jobs on it', () => {
    const err = rejects('{"start": ["a"], "a": ["b"], "b": ["c"], "c": ["a"]}', /^template has a cycle: /);
    const names = err.reason.replace('template has a cycle: ', '').split(' → ');
    // A closed walk: first and last are the same job, and it covers exactly the cycle a, b, c.
    assert.equal(names[0], names[names.length - 1]);
    assert.deepEqual(new Set(names), new Set(['a', 'b', 'c']));
    assert.equal(names.length, 4);
  });

  it('a two-job cycle', () => {
    const err = rejects('{"x": ["y"], "y": ["x"]}', /^template has a cycle: /);
    assert.ok(['x → y → x', 'y → x → y'].includes(err.reason.replace('template has a cycle: ', '')), err.reason);
  });

  it(
    'a cycle whose first job in template order is downstream of it still names the cycle',
    () => {
      // c is not on the cycle (a ⇄ b); it only depends on b.
      const err = rejects('{"c": [], "a": ["b"], "b": ["a", "c"]}', /^template has a cycle: /);
      const names = err.reason.replace('template has a cycle: ', '').split(' → ');
      assert.deepEqual(new Set(names), new Set(['a', 'b']));
    },
  );

  it('children that are not an array', () => {
    rejects('{"a": "b", "b": []}', /^children of "a" must be an array, got "b"$/);
    rejects('{"a": null}', /^children of "a" must be an array, got null$/);
    rejects('{"a": {"b": 1}, "b": []}', /^children of "a" must be an array/);
  });

  it('a child that is not a string', () => {
    rejects('{"a": [1], "b": []}', /^child of "a" is not a job name: 1$/);
  });

  it('two auxiliary jobs that differ only by instance id', () => {
    rejects(
      JSON.stringify({ create_dir_A_0_condorpool: [], create_dir_B_0_condorpool: [] }),
      /^jobs "create_dir_A_0_condorpool" and "create_dir_B_0_condorpool" are the same job once instance ids are removed$/,
    );
  });
});

describe('workflowFromTemplateFile', () => {
  it('turns underscores into dashes and drops the folder and .json', () => {
    assert.equal(workflowFromTemplateFile('nowcast_clustering_8.json'), 'nowcast-clustering-8');
    assert.equal(workflowFromTemplateFile('/x/adjacency_list_dags/wind_noclustering_casa.json'), 'wind-noclustering-casa');
    assert.equal(workflowFromTemplateFile('1000genome.json'), '1000genome');
  });

  it('is the workflow of a parsed template', () => {
    assert.equal(parseTemplate('dags/nowcast_clustering_16.json', '{"a": []}').workflow, 'nowcast-clustering-16');
  });
});

describe('loadTemplates', () => {
  it('loads every .json of a folder by workflow and collects the bad ones as errors', () => {
    const { dir, remove } = tempDir();
    try {
      fs.writeFileSync(path.join(dir, TEMPLATE_FILE), JSON.stringify(tinyTemplateJson()));
      fs.writeFileSync(path.join(dir, 'broken_one.json'), '{"a": ["a"]}');
      fs.writeFileSync(path.join(dir, 'README.md'), '# not a template');
      const { templates, errors } = loadTemplates(dir);
      assert.deepEqual([...templates.keys()], [WORKFLOW]);
      assert.equal(templates.get(WORKFLOW)?.jobs.length, 4);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.file, path.join(dir, 'broken_one.json'));
      assert.match(errors[0]?.reason ?? '', /depends on itself/);
    } finally {
      remove();
    }
  });
});
