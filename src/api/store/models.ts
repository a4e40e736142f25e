/**
 * The model registry in Neo4j (shared contract): (:Model {id: "<name>@<version>", name, version,
 * workflow, level, task, classes, metrics (JSON text), path, active, registeredAt}).
 */
import type { Graph } from '../../graph/driver';
import type { ModelIdentity, ModelLevel, ModelTask } from '../../model-identity';

export type { ModelLevel };

export interface ModelRecord extends ModelIdentity {
  id: string;
  /** The model card's metrics, parsed from the stored JSON text (null when unreadable). */
  metrics: unknown;
  path: string;
  active: boolean;
  registeredAt: string | null;
}

const FIELDS = `m.id AS id, m.name AS name, m.version AS version, m.workflow AS workflow, m.level AS level,
  m.task AS task, m.classes AS classes, m.metrics AS metrics, m.path AS path, coalesce(m.active, false) AS active,
  toString(m.registeredAt) AS registeredAt`;

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function toModel(get: (k: string) => unknown): ModelRecord {
  return {
    id: get('id') as string,
    name: get('name') as string,
    version: String(get('version') ?? ''),
    workflow: (get('workflow') as string | null) ?? 'ALL',
    level: get('level') as ModelLevel,
    task: get('task') as ModelTask,
    classes: (get('classes') as string[] | null) ?? [],
    metrics: parseJson(get('metrics')),
    path: (get('path') as string | null) ?? '',
    active: get('active') as boolean,
    registeredAt: get('registeredAt') as string | null,
  };
}

export async function listModels(graph: Graph): Promise<ModelRecord[]> {
  const res = await graph.query(`MATCH (m:Model) RETURN ${FIELDS} ORDER BY m.level, m.task, m.registeredAt DESC, m.id`);
  return res.records.map((r) => toModel((k) => r.get(k)));
}

/** Sets `active` on the model and clears it on every other model of the same level and task. */
export async function activateModel(graph: Graph, id: string): Promise<ModelRecord | null> {
  const res = await graph.write((tx) =>
    tx.run(
      `MATCH (m:Model {id: $id})
       CALL (m) { MATCH (o:Model {level: m.level, task: m.task}) WHERE o <> m SET o.active = false }
       SET m.active = true
       RETURN ${FIELDS}`,
      { id },
    ),
  );
  const rec = res.records[0];
  return rec ? toModel((k) => rec.get(k)) : null;
}
