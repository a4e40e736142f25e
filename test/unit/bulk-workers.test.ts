/** The bulk path's worker threads write the rows this thread would, and their failures reach the reader. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { UnrepresentableValue } from '../../src/graph/bulk/csv-table';
import { BulkRunFiles } from '../../src/graph/bulk/run-files';
import { TemplateCatalog } from '../../src/graph/templates';
import { generateDataset } from '../../src/generate';
import { BadConfigError } from '../../src/errors';
import { BulkWorkers, bulkWorkerCount } from '../../src/ingest/bulk-workers';
import { checkSourceRun } from '../../src/ingest/check-run';
import { openCsvSource } from '../../src/ingest/csv-source';
import { isRejection } from '../../src/ingest/rejection';
import type { SourceRun } from '../../src/ingest/run-shape';
import { isUnchanged, type SourceItem } from '../../src/ingest/source';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-bulk-workers-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every data row of the files of one label or type, sorted, without the write time (`ingestedAt`). */
function rows(dir: string, prefix: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f === `${prefix}.csv` || f.startsWith(`${prefix}-`))
    .flatMap((f) => {
      const [header, ...lines] = fs.readFileSync(path.join(dir, f), 'utf8').trimEnd().split('\n');
      const cols = (header as string).split(',');
      const at = cols.findIndex((c) => c.startsWith('ingestedAt:'));
      // Named by header so that rows split differently across files still compare.
      return lines.map((l) => {
        const cells = l.match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.map((c) => c.replace(/,$/, '')) ?? [];
        return cols
          .map((c, i) => [c, cells[i] ?? ''] as const)
          .filter(([c, v], i) => i !== at && v !== '' && c)
          .map(([c, v]) => `${c}=${v}`)
          .sort()
          .join(',');
      });
    })
    .sort();
}

/** Reads `root` as the bulk path does, with `workers` threads (0: this thread); the CSV folder. */
async function write(root: string, workers: number): Promise<string> {
  const dir = path.join(tmp, `csv-${workers}`);
  const source = openCsvSource(root);
  const catalog = new TemplateCatalog();
  const pool = workers > 0 ? new BulkWorkers(dir, workers, source.parallel ?? null) : null;
  const files = new BulkRunFiles(dir, catalog, pool ?? undefined);
  files.addTemplates(source.templates.map((t) => catalog.ensure(t.workflow, t.jobs, t.edges, t.origin)));
  const items: AsyncIterable<SourceItem> | Iterable<SourceItem> = pool ? pool.read() : source.runs();
  let batch: SourceRun[] = [];
  for await (const raw of items) {
    if (isRejection(raw) || isUnchanged(raw)) continue;
    assert.equal(checkSourceRun(raw), null);
    batch.push(raw);
    // Batches of two runs, so that decisions and formatting interleave.
    if (batch.length === 2) {
      await files.addBatch(batch);
      batch = [];
    }
  }
  await files.addBatch(batch);
  await files.close();
  return dir;
}

describe('bulk ingest worker threads', () => {
  it('read, parse and format the same rows as this thread, whichever worker wrote them', async () => {
    const root = path.join(tmp, 'runs');
    generateDataset({ workflows: ['1000genome', 'nowcast-clustering-8'], labels: ['normal', 'cpu_3'], runsPerLabel: 3, seed: 11, out: root });
    const here = await write(root, 0);
    const there = await write(root, 2);
    for (const prefix of ['nodes-Run', 'nodes-Job', 'nodes-Template', 'nodes-Workflow', 'relationships-HAS_JOB', 'relationships-FEEDS', 'relationships-HAS_RUN', 'relationships-USES_TEMPLATE']) {
      const a = rows(here, prefix);
      assert.ok(a.length > 0, prefix);
      assert.deepEqual(rows(there, prefix), a, prefix);
    }
    // Both workers wrote job rows.
    assert.ok(fs.readdirSync(there).some((f) => f.startsWith('nodes-Job-w0-')) && fs.readdirSync(there).some((f) => f.startsWith('nodes-Job-w1-')));
  });

  it('a value a worker cannot write reaches the reader as UnrepresentableValue', async () => {
    const dir = path.join(tmp, 'bad');
    const pool = new BulkWorkers(dir, 1, null);
    const job = { id: 'r/a', runId: 'r', name: 'a', template: 'a', index: 0, 'not a name': 1 };
    const run = { id: 'r', source: 'r.csv', kind: 'json', workflow: 'w', truth: null, instance: 'i', runNumber: null, state: 'succeeded', startedAt: null, endedAt: null, jobs: [job], edges: [], parent: null, contentHash: 'h', missingColumns: [], unstoredColumns: [], derived: [], sentinelValues: 0 } as unknown as SourceRun;
    await pool.add({ run, read: run, template: { id: 't', version: 1 }, runId: 0, firstJob: 0, ingestedAt: new Date().toISOString() });
    await assert.rejects(pool.close(), (err: unknown) => err instanceof UnrepresentableValue && err.message.startsWith("run r (r.csv)"));
  });

  it('WFAD_BULK_WORKERS: one per core up to 2 when unset, the value when a count, a named error otherwise', () => {
    assert.equal(bulkWorkerCount({}), Math.min(2, os.availableParallelism()));
    assert.equal(bulkWorkerCount({ WFAD_BULK_WORKERS: '0' }), 0);
    assert.equal(bulkWorkerCount({ WFAD_BULK_WORKERS: '3' }), 3);
    for (const bad of ['two', '-1', '1.5', '99']) assert.throws(() => bulkWorkerCount({ WFAD_BULK_WORKERS: bad }), BadConfigError, bad);
  });
});
