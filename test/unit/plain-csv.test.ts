/** The hand splitter gives exactly csv-parse's records and line numbers, or declines. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { splitPlainCsv } from '../../src/ingest/plain-csv';
import { DATASET, datasetPresent } from '../helpers/neo4j';

function reference(text: string): { rows: string[][]; lines: number[] } {
  const parsed = parseCsv(text, { relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  return { rows: parsed.map((p) => p.record), lines: parsed.map((p) => p.info.lines) };
}

describe('splitPlainCsv', () => {
  const cases: Record<string, string> = {
    'trailing newline': 'a,b,c\n1,2,3\n',
    'no trailing newline': 'a,b,c\n1,2,3',
    'blank lines counted in line numbers': 'a,b\n\n1,2\n\n\n3,4\n',
    'CRLF line ends': 'a,b\r\n1,2\r\n\r\n3,4\r\n',
    'ragged rows and empty cells': 'x,,y\n1\n,,,,\n',
    'spaces kept as they are': ' a , b \n 1,2 \n',
    'whitespace-only line is a record': 'a,b\n \n1,2\n',
    'quoted fields with commas, quotes and line ends': 'a,"b,c",d\n"x ""y""",2,"multi\nline"\n3,"",4\n',
    'quoted field last, no newline': 'a,b\n1,"2,3"',
    'trailing comma': 'a,b,\n1,2,\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`matches csv-parse: ${name}`, () => assert.deepEqual(splitPlainCsv(text), reference(text)));
  }

  it('declines irregular quoting and mixed or bare-CR line ends (csv-parse reads those)', () => {
    assert.equal(splitPlainCsv('a,b"c\n1,2\n'), null);
    assert.equal(splitPlainCsv('a,"b"c\n1,2\n'), null);
    assert.equal(splitPlainCsv('a,"b\n1,2\n'), null);
    assert.equal(splitPlainCsv('""\n1,2\n'), null);
    assert.equal(splitPlainCsv('a,b\r\n1,2\n'), null);
    assert.equal(splitPlainCsv('a,b\r1,2\r'), null);
    assert.equal(splitPlainCsv('a,"b\r\nc"\r\n1,2\r\n'), null);
  });

  it('matches csv-parse on real run files, quoted and not', { skip: datasetPresent ? false : 'flowgad dataset absent' }, () => {
    const dir = path.join(DATASET, 'data', 'normal');
    const names = fs.readdirSync(dir).filter((f) => f.endsWith('.csv'));
    const files = names.filter((_, i) => i % Math.max(1, Math.floor(names.length / 60)) === 0);
    assert.ok(files.length > 0);
    let quoted = 0;
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      if (text.includes('"')) quoted++;
      const got = splitPlainCsv(text);
      assert.ok(got, `${f}: regular CSV`);
      assert.deepEqual(got, reference(text), f);
    }
    assert.ok(quoted > 0 && quoted < files.length, 'both kinds among the files compared');
  });
});
