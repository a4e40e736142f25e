/**
 * What the fuzzers found, pinned as unit tests (no database): each case once broke the ingest or
 * let bad input through.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { duplicateJsonKey, loadTemplates, parseTemplate, TemplateError } from '../../src/ingest/template';
import { COMPUTE, HEADER, goodRows, parseOk, parseRejected, setCell, toCsv } from '../unit/fixtures';

function templateError(text: string): TemplateError {
  try {
    parseTemplate('x.json', text);
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
  assert.fail('expected a TemplateError');
}

describe('templates', () => {
  it('rejects duplicate keys, which JSON.parse would silently collapse', () => {
    assert.match(templateError('{"a": ["b"], "b": [], "a": []}').reason, /key "a" appears twice/);
    assert.equal(duplicateJsonKey('{"a": {"x": 1, "y": 2}, "b": [{"x": 1}, {"x": 2}]}'), null);
    // Escapes spell the same key.
    assert.equal(duplicateJsonKey('{"ab": [], "a\\u0062": []}'), 'ab');
    assert.equal(duplicateJsonKey('{"a\\"": [], "a": []}'), null);
  });

  it('describes a deeply nested value without overflowing the stack (it crashed the ingest)', () => {
    const d = 100_000;
    assert.match(templateError(`{"a": [${'['.repeat(d)}${']'.repeat(d)}]}`).reason, /child of "a" is not a job name: an array of 1/);
  });

  it('clips a cycle through thousands of jobs to a short reason', () => {
    const n = 5000;
    const t = Object.fromEntries(Array.from({ length: n }, (_, k) => [`j${k}`, [`j${(k + 1) % n}`]]));
    const e = templateError(JSON.stringify(t));
    assert.match(e.reason, /^template has a cycle: .*\(5000 jobs in all\)/);
    assert.ok(e.reason.length < 400);
  });

  it('refuses job names longer than a Neo4j index key can hold, and empty ones', () => {
    assert.match(templateError(JSON.stringify({ ['n'.repeat(5000)]: [] })).reason, /is 5000 characters long/);
    assert.match(templateError('{"": []}').reason, /empty name/);
  });

  it('loadTemplates: not UTF-8, UTF-16, a folder named .json and two files for one workflow are errors, not crashes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-tpl-'));
    try {
      fs.writeFileSync(path.join(dir, 'latin.json'), Buffer.from('{"é": []}', 'latin1'));
      fs.writeFileSync(path.join(dir, 'wide.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a": []}', 'utf16le')]));
      fs.mkdirSync(path.join(dir, 'folder.json'));
      fs.writeFileSync(path.join(dir, 'two_names.json'), '{"a": []}');
      fs.writeFileSync(path.join(dir, 'two-names.json'), '{"a": []}');
      fs.writeFileSync(path.join(dir, 'good.json'), '{"a": []}');
      const { templates, errors } = loadTemplates(dir);
      assert.deepEqual([...templates.keys()], ['good']);
      const why = Object.fromEntries(errors.map((e) => [path.basename(e.file), e.reason]));
      assert.match(why['latin.json'] ?? '', /not UTF-8/);
      assert.match(why['wide.json'] ?? '', /UTF-16/);
      assert.match(why['folder.json'] ?? '', /cannot read: EISDIR/);
      assert.match(why['two_names.json'] ?? '', /2 template files name workflow two-names/);
      assert.match(why['two-names.json'] ?? '', /2 template files name workflow two-names/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('run files', () => {
  const csv = (): string => toCsv(goodRows());

  it('UTF-16 (with or without a byte-order mark) and NUL bytes are NOT_UTF8, with where', () => {
    assert.match(parseRejected(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv(), 'utf16le')]), 'NOT_UTF8').reason, /UTF-16 text/);
    assert.match(parseRejected(Buffer.from(csv(), 'utf16le'), 'NOT_UTF8').reason, /NUL byte at line 1/);
    const b = Buffer.from(csv());
    const at = b.indexOf('\n', b.indexOf('\n') + 1) + 3;
    assert.match(parseRejected(Buffer.concat([b.subarray(0, at), Buffer.from([0xff]), b.subarray(at)]), 'NOT_UTF8').reason, /invalid byte 0xff at line 3/);
  });

  it('timestamps out of order are BAD_VALUE naming both fields', () => {
    const rows = setCell(goodRows(), COMPUTE, 'execute_end', '1589777000');
    const r = parseRejected(toCsv(rows), 'BAD_VALUE');
    assert.match(r.reason, /execute_end=1589777000 is before execute_start=/);
    assert.equal(r.field, 'execute_end');
  });

  it('implausibly large numbers are BAD_VALUE: they were stored, or clamped by neo4j.int', () => {
    for (const [column, value, why] of [
      ['kickstart_executables_exitcode', '1e20', /32-bit integer/],
      ['kickstart_status', '4294967296', /32-bit integer/],
      ['submit', '1589777698000', /milliseconds/],
      ['runtime', '1e300', /over 1000000000 seconds/],
      ['stage_in_bytes', '1e300', /more bytes than a number holds/],
    ] as const) {
      assert.match(parseRejected(toCsv(setCell(goodRows(), COMPUTE, column, value)), 'BAD_VALUE').reason, why, `${column}=${value}`);
    }
  });

  it('a run number past 32 bits is BAD_FILE_NAME (neo4j.int would clamp it)', () => {
    assert.match(parseRejected(csv(), 'BAD_FILE_NAME', { fileName: 'tiny-wf-casa_tiny-20200518T045356Z-run99999999999.csv' }).reason, /too large/);
  });

  it('a megabyte job name stays a short reason', () => {
    const name = 'x'.repeat(1_000_000);
    const rows = goodRows().map((row) => (row.name === COMPUTE ? { name, cells: row.cells } : row));
    const r = parseRejected(toCsv(rows), 'JOB_SET_MISMATCH');
    assert.match(r.reason, /extra x+/, 'the reason names the job');
    assert.ok(r.reason.length <= 1001, `reason of ${r.reason.length} characters`);
    assert.ok((r.job ?? '').length <= 201, `job of ${(r.job ?? '').length} characters`);
  });

  it('a megabyte cell value stays a short reason', () => {
    const r = parseRejected(toCsv(setCell(goodRows(), COMPUTE, 'type', 'x'.repeat(1_000_000))), 'BAD_VALUE');
    assert.ok(r.reason.length <= 1001 && (r.value ?? '').length <= 201, `${r.reason.length}`);
  });

  it('still accepts the valid variations the fuzzer stores (CRLF, CR, BOM, padded header)', () => {
    parseOk(`\uFEFF${csv().replace(/\n/g, '\r\n')}`);
    parseOk(csv().replace(/\n/g, '\r'));
    parseOk(csv().replace(HEADER, HEADER.split(',').map((h) => (h ? ` ${h} ` : h)).join(',')));
  });
});
