/**
 * Benchmarks that say they start from an empty database do: with NEO4J_URI set, freshBenchNeo4j
 * wipes that database (before, it returned at once and an ingest benchmark "into an empty store"
 * measured a re-ingest of whatever was there).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshBenchNeo4j } from '../../bench/bench-neo4j';
import type { Graph } from '../../src/graph/driver';
import { count, testGraph, wipe } from '../helpers/neo4j';

let graph: Graph;
before(async () => {
  graph = testGraph();
  await wipe(graph);
});
after(async () => {
  await graph?.close();
});

describe('freshBenchNeo4j', () => {
  it('with NEO4J_URI set, wipes that database and leaves the schema in place', async () => {
    await graph.write((tx) => tx.run("CREATE (:Run {id: 'left-over'})-[:HAS_JOB]->(:Job {id: 'left-over/j'})"));
    assert.equal(await count(graph, 'MATCH (n) WHERE n:Run OR n:Job RETURN count(n)'), 2);
    const lines: string[] = [];
    const stop = await freshBenchNeo4j('neo4j-bench-test', (s) => lines.push(s));
    await stop();
    assert.equal(await count(graph, 'MATCH (n) WHERE NOT n:Migration RETURN count(n)'), 0, 'nothing left but the migration records');
    assert.ok(await count(graph, "SHOW CONSTRAINTS YIELD name WHERE name = 'run_id' RETURN count(*)") === 1, 'constraints still there');
    assert.match(lines.join('\n'), /wiping the database at NEO4J_URI/);
  });
});
