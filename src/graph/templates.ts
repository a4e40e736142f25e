/**
 * Workflow DAG templates, versioned: `(:Workflow)-[:HAS_TEMPLATE]->(:Template {id, workflow,
 * version, hash, jobs, edges, jobCount, edgeCount})` and `(:Run)-[:USES_TEMPLATE]->(:Template)`.
 *
 * A template is identified by its DAG's canonical hash (ingest/template.ts `dagHash`: job keys and
 * edges, independent of job order and instance ids), so `id = "<workflow>#<hash>"` and storing it
 * twice is a no-op. Versions count per workflow in the order templates were first stored. A run
 * whose DAG matches a stored template gets that template's job order (job i = template job i,
 * the order features and per-job baselines rely on); a run with a DAG not seen before founds a new
 * version of its workflow: real workflows change fan-out with input size, so a new DAG is not an
 * error.
 */
import neo4j from 'neo4j-driver';
import { auxKey } from '../ingest/names';
import type { SourceRun } from '../ingest/run-shape';
import { dagHash } from '../ingest/template';
import type { Graph } from './driver';

export interface TemplateRef {
  /** `<workflow>#<hash>` */
  id: string;
  workflow: string;
  version: number;
  hash: string;
  /** Job names in template order (of the file or the first run that had this DAG). */
  jobs: string[];
  keyIndex: Map<string, number>;
  edges: Array<[number, number]>;
  /** Where it was first seen: a template file or a run's source. */
  origin: string;
}

export const templateId = (workflow: string, hash: string): string => `${workflow}#${hash}`;

const READ = `
MATCH (w:Workflow)-[:HAS_TEMPLATE]->(t:Template)
WHERE $workflows IS NULL OR w.name IN $workflows
RETURN t.workflow AS workflow, t.version AS version, t.hash AS hash, t.jobs AS jobs, t.edges AS edges, t.origin AS origin
ORDER BY workflow, version`;

/** Workflow nodes written before templates were versioned keep their DAG on the node itself. */
const LEGACY = `
MATCH (w:Workflow) WHERE w.templateJobs IS NOT NULL AND NOT (w)-[:HAS_TEMPLATE]->(:Template)
RETURN w.name AS workflow, w.templateJobs AS jobs, w.templateEdges AS edges`;

const ADOPT = `
MATCH (w:Workflow {name: $t.workflow})
MERGE (t:Template {id: $t.id})
ON CREATE SET t += $t
MERGE (w)-[:HAS_TEMPLATE]->(t)
WITH w, t
MATCH (w)-[:HAS_RUN]->(r:Run) WHERE NOT (r)-[:USES_TEMPLATE]->(:Template)
CREATE (r)-[:USES_TEMPLATE]->(t)
SET r.edgeCount = t.edgeCount, r.template = t.id`;

const pairs = (flat: readonly number[]): Array<[number, number]> => {
  const out: Array<[number, number]> = [];
  for (let e = 0; e + 1 < flat.length; e += 2) out.push([flat[e] as number, flat[e + 1] as number]);
  return out;
};

function ref(workflow: string, version: number, jobs: string[], edges: Array<[number, number]>, origin: string, hash?: string): TemplateRef {
  const keys = jobs.map(auxKey);
  const h = hash ?? dagHash(keys, edges);
  return { id: templateId(workflow, h), workflow, version, hash: h, jobs, keyIndex: new Map(keys.map((k, i) => [k, i])), edges, origin };
}

/** Node properties of a template (edges flattened: Neo4j properties hold no nested lists). */
export function templateProps(t: TemplateRef): Record<string, unknown> {
  return {
    id: t.id,
    workflow: t.workflow,
    version: neo4j.int(t.version),
    hash: t.hash,
    jobs: t.jobs,
    edges: t.edges.flat().map((x) => neo4j.int(x)),
    jobCount: neo4j.int(t.jobs.length),
    edgeCount: neo4j.int(t.edges.length),
    origin: t.origin,
  };
}

/** A run placed in its template: jobs reordered to the template's order, edges the template's. */
export interface PlacedRun {
  run: SourceRun;
  template: TemplateRef;
}

export class TemplateCatalog {
  private readonly byWorkflow = new Map<string, TemplateRef[]>();

  /** The stored templates (of some workflows, or all), adopting pre-versioning Workflow nodes first. */
  static async load(graph: Graph, workflows: string[] | null = null): Promise<TemplateCatalog> {
    const legacy = (await graph.query(LEGACY)).records;
    for (const rec of legacy) {
      const t = ref(rec.get('workflow') as string, 1, rec.get('jobs') as string[], pairs(rec.get('edges') as number[]), 'stored before template versions');
      await graph.write((tx) => tx.run(ADOPT, { t: templateProps(t) }));
    }
    const cat = new TemplateCatalog();
    for (const rec of (await graph.query(READ, { workflows })).records) {
      const t = ref(rec.get('workflow') as string, rec.get('version') as number, rec.get('jobs') as string[], pairs(rec.get('edges') as number[]), (rec.get('origin') as string | null) ?? '', rec.get('hash') as string);
      cat.add(t);
    }
    return cat;
  }

  private add(t: TemplateRef): void {
    const list = this.byWorkflow.get(t.workflow) ?? [];
    list.push(t);
    this.byWorkflow.set(t.workflow, list);
  }

  /** Templates of a workflow, oldest version first. */
  versions(workflow: string): readonly TemplateRef[] {
    return this.byWorkflow.get(workflow) ?? [];
  }

  workflows(): string[] {
    return [...this.byWorkflow.keys()];
  }

  /** The template with this DAG: the stored one, or a new version (stored with the first run that uses it). */
  ensure(workflow: string, jobs: readonly string[], edges: ReadonlyArray<readonly [number, number]>, origin: string): TemplateRef {
    const keys = jobs.map(auxKey);
    const hash = dagHash(keys, edges);
    const known = this.versions(workflow).find((t) => t.hash === hash);
    if (known) return known;
    const version = Math.max(0, ...this.versions(workflow).map((t) => t.version)) + 1;
    const t = ref(workflow, version, [...jobs], edges.map(([p, c]) => [p, c] as [number, number]), origin, hash);
    this.add(t);
    return t;
  }

  /** Puts a run in its template: the stored template with the same DAG (jobs reordered to it) or a new version. */
  place(run: SourceRun): PlacedRun {
    const t = this.ensure(run.workflow, run.jobs.map((j) => j.name), run.edges, run.source);
    const perm = run.jobs.map((j) => t.keyIndex.get(auxKey(j.name)) as number);
    if (perm.every((p, i) => p === i)) return { run, template: t };
    const jobs = new Array<SourceRun['jobs'][number]>(perm.length);
    perm.forEach((p, i) => {
      jobs[p] = { ...(run.jobs[i] as SourceRun['jobs'][number]), index: p, template: t.jobs[p] as string };
    });
    return { run: { ...run, jobs, edges: t.edges.map(([p, c]) => [p, c] as [number, number]) }, template: t };
  }
}
