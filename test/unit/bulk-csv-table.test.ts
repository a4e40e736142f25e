/** The bulk importer's node files type plain numbers as graph/runs.ts types them when it sends them. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import neo4j from 'neo4j-driver';
import { NodeTable } from '../../src/graph/bulk/csv-table';
import { INT_PROPS, jobProps, plainJobProps } from '../../src/graph/runs';
import type { SourceRun } from '../../src/ingest/run-shape';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-csv-table-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Each file of a closed table as its lines. */
function written(t: NodeTable): string[][] {
  return (t.close()?.files ?? []).map((f) => fs.readFileSync(f, 'utf8').trimEnd().split('\n'));
}

describe('bulk importer node files', () => {
  it('an integral number under an integer property is a long, any other number a double; a driver Integer is a long', () => {
    const t = new NodeTable(dir, 'A');
    t.add(0, { index: 3, runtime: 2 }, () => 'row 0', INT_PROPS);
    t.add(1, { index: neo4j.int(4), runtime: 2.5 }, () => 'row 1', INT_PROPS);
    // Beyond 2^53 (and 2^63) an integral number is written as the driver's Integer would send it.
    t.add(2, { index: 2 ** 70, runtime: 1 }, () => 'row 2', INT_PROPS);
    // Not integral: the integer header cannot hold it, another file opens.
    t.add(3, { index: 1.5 }, () => 'row 3', INT_PROPS);
    assert.deepEqual(written(t), [
      [':ID(A),index:long,runtime:double', '0,3,2', '1,4,2.5', `2,${neo4j.int(2 ** 70).toString()},1`],
      [':ID(A),index:double,runtime:double', '3,1.5,'],
    ]);
  });

  it('a row holding some of the last header’s properties goes to its file, the others left empty', () => {
    const t = new NodeTable(dir, 'B');
    t.add(0, { a: 'x', b: 'y' }, () => 'row 0');
    t.add(1, { b: 'z"q' }, () => 'row 1');
    assert.deepEqual(written(t), [[':ID(B),a:string,b:string', '0,"x","y"', '1,,"z""q"']]);
  });

  it('plainJobProps is jobProps with integers still numbers: same keys, same values', () => {
    const job = { id: 'r/a', runId: 'r', name: 'a', template: 'a', index: 2, type: 'compute', runtime: 1.5, exitCode: 0, label: undefined, category: null, kickstartHostname: null } as unknown as SourceRun['jobs'][number];
    const run = { truth: { label: 'cpu_2', category: 'cpu', level: 2 } } as unknown as SourceRun;
    const plain = plainJobProps(job, run);
    const typed = jobProps(job, run);
    assert.deepEqual(Object.keys(plain), Object.keys(typed));
    for (const k of Object.keys(typed)) assert.equal(String(plain[k]), String(typed[k]), k);
    assert.ok(neo4j.isInt(typed.index) && typeof plain.index === 'number');
    assert.equal(plain.label, 'cpu_2');
    assert.ok(!('kickstartHostname' in plain));
  });
});
