/**
 * The API's page cache (src/api/cache.ts): a stale page answers while it is read again, and stale
 * pages are read again a few at a time, not all at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadCache } from '../../src/api/cache';
import type { PageRow } from '../../src/api/store/runs';

const rows = (tag: string): PageRow[] => [{ tag } as unknown as PageRow];

/** A read the test finishes by hand. */
function pendingRead(tag: string): { read: () => Promise<PageRow[]>; started: () => boolean; finish: () => void; fail: () => void } {
  let started = false;
  let resolve!: (r: PageRow[]) => void;
  let reject!: (e: Error) => void;
  const p = new Promise<PageRow[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {
    read: () => {
      started = true;
      return p;
    },
    started: () => started,
    finish: () => resolve(rows(tag)),
    fail: () => reject(new Error(`read of ${tag} failed`)),
  };
}

/** Fresh for 15-20 ms (ttlMs 20), kept 100 ms: waiting 30 ms makes a page stale but still cached. */
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('page cache', () => {
  it('answers a stale page with its old rows while refreshing, and with the new rows after', async () => {
    const cache = new ReadCache({ maxRuns: 10, maxPredictions: 10, ttlMs: 20, runTtlMs: 1000 });
    assert.deepEqual(await cache.page('p', async () => rows('old')), rows('old'));
    await new Promise((r) => setTimeout(r, 30));
    const next = pendingRead('new');
    assert.deepEqual(await cache.page('p', next.read), rows('old'));
    await tick();
    assert.ok(next.started(), 'the stale page is read again');
    next.finish();
    await tick();
    await tick();
    assert.deepEqual(await cache.page('p', async () => rows('unused')), rows('new'));
  });

  it('reads at most two stale pages again at once; the others wait their turn', async () => {
    const cache = new ReadCache({ maxRuns: 10, maxPredictions: 10, ttlMs: 20, runTtlMs: 1000 });
    const keys = ['a', 'b', 'c', 'd', 'e'];
    for (const k of keys) await cache.page(k, async () => rows(k));
    await new Promise((r) => setTimeout(r, 30));
    const reads = keys.map((k) => pendingRead(`${k}2`));
    for (const [i, k] of keys.entries()) assert.deepEqual(await cache.page(k, reads[i]!.read), rows(k));
    await tick();
    assert.deepEqual(reads.map((r) => r.started()), [true, true, false, false, false]);
    reads[0]!.finish();
    await tick();
    await tick();
    assert.deepEqual(reads.map((r) => r.started()), [true, true, true, false, false]);
    // A failed refresh frees its slot too, and drops the page (the next request reads it afresh).
    reads[1]!.fail();
    await tick();
    await tick();
    assert.deepEqual(reads.map((r) => r.started()), [true, true, true, true, false]);
    assert.deepEqual(await cache.page('b', async () => rows('b3')), rows('b3'));
    for (const r of reads.slice(2)) r.finish();
    for (let i = 0; i < 6; i++) await tick();
    assert.ok(reads[4]!.started(), 'every stale page is read again in the end');
  });
});
