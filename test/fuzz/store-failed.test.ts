/**
 * A batch Neo4j refuses for a reason other than being down loses only the runs it cannot store:
 * the ingest retries the batch run by run and rejects the refused run as STORE_FAILED (before,
 * one such run failed the whole ingest, and the good runs of its batch with it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ManagedTransaction } from 'neo4j-driver';
import type { Graph } from '../../src/graph/driver';
import { ingest } from '../../src/ingest/pipeline';
import { miniDataset, runCsv } from '../helpers/fixtures';
import { count, testGraph, wipe } from '../helpers/neo4j';

/** The real graph, except that a write carrying run `poison` fails as Neo4j fails a bad statement. */
function poisoned(graph: Graph): Graph {
  const refuse = (params: unknown): boolean => JSON.stringify(params ?? null).includes('mini-poison-run');
  return {
    ...graph,
    write: <T>(work: (tx: ManagedTransaction) => Promise<T>) =>
      graph.write((tx) =>
        work(
          new Proxy(tx, {
            get(target, prop, receiver) {
              if (prop !== 'run') return Reflect.get(target, prop, receiver);
              return (q: string, p?: Record<string, unknown>) => {
                if (/CREATE \(run:Run\)/.test(q) && refuse(p)) throw Object.assign(new Error('Property values can only be of primitive types'), { code: 'Neo.ClientError.Statement.TypeError' });
                return target.run(q, p);
              };
            },
          }),
        ),
      ),
  };
}

describe('ingest: a run Neo4j refuses', () => {
  let graph: Graph;
  before(async () => {
    graph = testGraph();
    await wipe(graph);
  });
  after(async () => graph?.close());

  it('is rejected as STORE_FAILED; the other runs of its batch are stored', async () => {
    const root = miniDataset({
      'normal/mini-A1-run0001.csv': runCsv('A1', 1000),
      'normal/mini-poison-run0001.csv': runCsv('poison', 2000),
      'cpu_2/mini-B2-run0001.csv': runCsv('B2', 3000, 40),
    });
    const s = await ingest(poisoned(graph), root);
    assert.equal(s.runsStored, 2);
    assert.deepEqual(s.rejected.map((r) => [r.file, r.code]), [['data/normal/mini-poison-run0001.csv', 'STORE_FAILED']]);
    assert.match(s.rejected[0]?.reason ?? '', /Neo4j refused to store the run \(Neo\.ClientError\.Statement\.TypeError\)/);
    assert.equal(await count(graph, 'MATCH (r:Run) RETURN count(r)'), 2);
    assert.equal(await count(graph, 'MATCH (j:Job) WHERE NOT (j)<-[:HAS_JOB]-(:Run) RETURN count(j)'), 0);
  });
});
