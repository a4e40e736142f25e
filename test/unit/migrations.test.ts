import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCypherFile } from '../../src/graph/migrations';

describe('parseCypherFile', () => {
  it('drops // comment lines and splits statements on ;', () => {
    const text = [
      '// 001: constraints',
      '// more words; with a semicolon',
      'CREATE CONSTRAINT a IF NOT EXISTS FOR (w:Workflow) REQUIRE w.name IS UNIQUE;',
      '   // indented comment',
      'CREATE INDEX b IF NOT EXISTS',
      '  FOR (r:Run) ON (r.label);',
    ].join('\n');
    assert.deepEqual(parseCypherFile(text), [
      'CREATE CONSTRAINT a IF NOT EXISTS FOR (w:Workflow) REQUIRE w.name IS UNIQUE',
      'CREATE INDEX b IF NOT EXISTS\n  FOR (r:Run) ON (r.label)',
    ]);
  });

  it('drops empty statements (;; and trailing whitespace) and handles CRLF', () => {
    assert.deepEqual(parseCypherFile('RETURN 1;;\r\n  ;\r\n// c\r\nRETURN 2;\r\n\r\n'), ['RETURN 1', 'RETURN 2']);
  });

  it('keeps a last statement without a trailing ;', () => {
    assert.deepEqual(parseCypherFile('RETURN 1;\nRETURN 2'), ['RETURN 1', 'RETURN 2']);
  });

  it('a file of comments only has no statements', () => {
    assert.deepEqual(parseCypherFile('// nothing\n//here;\n\n'), []);
    assert.deepEqual(parseCypherFile(''), []);
  });
});
