/**
 * The model registry as the API sees it: Neo4j's Model nodes, cached briefly (every prediction
 * field needs "the active model"; the registry changes rarely) and refreshed at once after this
 * process changes it. Resolves a requested model id, or the active one, with typed errors.
 */
import type { Graph } from '../graph/driver';
import { BadInputError } from './errors';
import { listModels, type ModelLevel, type ModelRecord } from './store/models';

/** The active model of a level; multiclass before binary (it tells the category). */
function activeOf(models: readonly ModelRecord[], level: ModelLevel): ModelRecord | null {
  const act = models.filter((m) => m.active && m.level === level);
  return act.find((m) => m.task === 'multiclass') ?? act[0] ?? null;
}

export class ModelRegistry {
  private cache: { at: number; models: Promise<ModelRecord[]>; settled: ModelRecord[] | null } | null = null;

  constructor(
    private readonly graph: Graph,
    private readonly ttlMs = 2000,
  ) {}

  all(): Promise<ModelRecord[]> {
    const now = Date.now();
    if (!this.cache || now - this.cache.at > this.ttlMs) {
      const models = listModels(this.graph);
      const entry: NonNullable<ModelRegistry['cache']> = { at: now, models, settled: null };
      models.then((m) => void (entry.settled = m), () => void (this.cache === entry && (this.cache = null)));
      this.cache = entry;
    }
    return this.cache.models;
  }

  /**
   * What `resolve` would answer, without waiting: the model (or null: none active) when the
   * registry is read and fresh and the answer is no error; undefined otherwise (then `resolve`).
   * Lets a field that is asked once per row of a page resolve its model in the same turn.
   */
  resolveNow(id: string | null | undefined, level: ModelLevel): ModelRecord | null | undefined {
    const c = this.cache;
    if (!c?.settled || Date.now() - c.at > this.ttlMs) return undefined;
    if (id === null || id === undefined || id === '') return activeOf(c.settled, level);
    const m = c.settled.find((x) => x.id === id);
    return m && m.level === level ? m : undefined;
  }

  invalidate(): void {
    this.cache = null;
  }

  async byId(id: string): Promise<ModelRecord | null> {
    return (await this.all()).find((m) => m.id === id) ?? null;
  }

  /** The active model of a level; multiclass before binary (it tells the category). */
  async active(level: ModelLevel): Promise<ModelRecord | null> {
    return activeOf(await this.all(), level);
  }

  /**
   * The named model (which must exist and be of `level`), or the active one of `level` (null when
   * there is none). `field` names the argument in errors.
   */
  async resolve(id: string | null | undefined, level: ModelLevel, field: string): Promise<ModelRecord | null> {
    if (id === null || id === undefined || id === '') return this.active(level);
    const m = await this.byId(id);
    if (!m) {
      const known = (await this.all()).map((x) => x.id);
      throw new BadInputError(field, `no model "${id}" is registered${known.length ? ` (known: ${known.slice(0, 10).join(', ')})` : ''}`);
    }
    if (m.level !== level) throw new BadInputError(field, `model "${id}" is a ${m.level}-level model; a ${level}-level model is needed here`);
    return m;
  }

  /** Like resolve, but a model is required. */
  async require(id: string | null | undefined, level: ModelLevel, field: string): Promise<ModelRecord> {
    const m = await this.resolve(id, level, field);
    if (!m) throw new BadInputError(field, `no ${level}-level model is active; name one (see models) or activate one (activateModel)`);
    return m;
  }
}
