/** Whether a store is empty but for its schema records (`:Migration` nodes): the bulk importer's precondition. */
import type { Graph } from '../driver';

// Both counts come from Neo4j's count store (constant time, whatever the store holds).
const BEYOND_SCHEMA = `
MATCH (n) WITH count(n) AS all
MATCH (m:Migration) WITH all, count(m) AS migrations
RETURN all - migrations AS n`;

/** Nodes other than migration records (0: the store is empty). */
export async function nodesBeyondSchema(graph: Graph): Promise<number> {
  const res = await graph.query(BEYOND_SCHEMA);
  return Number(res.records[0]?.get('n') ?? 0);
}
