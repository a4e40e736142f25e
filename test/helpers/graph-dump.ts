/**
 * A canonical dump of a whole store, to compare two stores: every node (labels, properties) keyed
 * by its natural id, every relationship by its ends' keys, and the schema (constraints, indexes).
 * Timestamps of when something was written (`ingestedAt`, `appliedAt`) are kept as their type only.
 */
import neo4j from 'neo4j-driver';
import type { Graph } from '../../src/graph/driver';

const WHEN_WRITTEN = new Set(['ingestedAt', 'appliedAt']);

function canon(v: unknown): unknown {
  if (neo4j.isInt(v)) return { int: (v as { toString(): string }).toString() };
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (v !== null && typeof v === 'object') return { [v.constructor.name]: String(v) };
  return v;
}

function props(p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(p).sort()) out[k] = WHEN_WRITTEN.has(k) ? `<${(p[k] as object).constructor.name}>` : canon(p[k]);
  return out;
}

export interface GraphDump {
  nodes: string[];
  relationships: string[];
  schema: string[];
}

export async function dumpGraph(graph: Graph): Promise<GraphDump> {
  const nodes = await graph.read((tx) => tx.run('MATCH (n) RETURN elementId(n) AS e, labels(n) AS labels, properties(n) AS p'));
  const key = new Map<string, string>();
  const out: GraphDump = { nodes: [], relationships: [], schema: [] };
  for (const r of nodes.records) {
    const p = r.get('p') as Record<string, unknown>;
    const labels = (r.get('labels') as string[]).sort().join(':');
    // Runs, jobs, templates by id, workflows by name, migrations by version.
    const k = `${labels}/${String(p.id ?? p.name ?? p.version)}`;
    key.set(r.get('e') as string, k);
    out.nodes.push(`${k} ${JSON.stringify(props(p))}`);
  }
  const rels = await graph.read((tx) => tx.run('MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS t, elementId(b) AS b, properties(r) AS p'));
  for (const r of rels.records) out.relationships.push(`${key.get(r.get('a') as string)} -[${r.get('t') as string} ${JSON.stringify(props(r.get('p') as Record<string, unknown>))}]-> ${key.get(r.get('b') as string)}`);
  const cons = await graph.read((tx) => tx.run('SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties RETURN name, type, labelsOrTypes, properties'));
  for (const r of cons.records) out.schema.push(`constraint ${JSON.stringify(r.toObject())}`);
  const idx = await graph.read((tx) => tx.run("SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state RETURN name, type, labelsOrTypes, properties, state"));
  for (const r of idx.records) out.schema.push(`index ${JSON.stringify(r.toObject())}`);
  out.nodes.sort();
  out.relationships.sort();
  out.schema.sort();
  return out;
}
