/**
 * Schema migrations: the numbered .cypher files in cypher/ are applied in order, once each, and
 * recorded as (:Migration {version, name, checksum, appliedAt}). Every statement in them is itself
 * idempotent (IF NOT EXISTS), so a migration interrupted half-way is simply applied again.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config';
import { WfadError } from '../errors';
import type { Graph } from './driver';

export const CYPHER_DIR = path.join(PROJECT_ROOT, 'cypher');

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

/** Splits a .cypher file into statements: `//` comment lines dropped, `;` ends a statement. */
export function parseCypherFile(text: string): string[] {
  const body = text
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n');
  return body
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function loadMigrations(dir: string = CYPHER_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.cypher$/.test(f))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 3)),
        name: file,
        checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
        statements: parseCypherFile(text),
      };
    });
}

export interface MigrateOptions {
  /**
   * All pending schema statements in one transaction (a store filled by the bulk importer, which
   * has no schema yet): the constraints and indexes of one label are then populated together, in
   * one scan of its nodes, instead of one scan each.
   */
  together?: boolean;
}

/** Applies pending migrations; returns the names applied by this call. */
export async function migrate(graph: Graph, migrations: Migration[] = loadMigrations(), opts: MigrateOptions = {}): Promise<string[]> {
  // The Migration constraint comes from 001 itself, so read the record defensively.
  const applied = new Map<number, string>(
    (
      await graph.query('MATCH (m:Migration) RETURN m.version AS version, m.checksum AS checksum')
    ).records.map((r) => [r.get('version') as number, r.get('checksum') as string]),
  );
  const pending = migrations.filter((m) => {
    const seen = applied.get(m.version);
    if (seen !== undefined && seen !== m.checksum) {
      throw new WfadError('BAD_CONFIG', `migration ${m.name} was applied with checksum ${seen} but the file now has ${m.checksum}; migrations are append-only, add a new file instead`);
    }
    return seen === undefined;
  });
  if (opts.together && pending.length) {
    // Every statement is idempotent (IF NOT EXISTS): cut short, the next call applies them again.
    await graph.write(async (tx) => {
      for (const stmt of pending.flatMap((m) => m.statements)) await tx.run(stmt);
    });
  }
  const done: string[] = [];
  for (const m of pending) {
    // Schema commands cannot share a transaction with data writes: one transaction per statement.
    if (!opts.together) for (const stmt of m.statements) await graph.write((tx) => tx.run(stmt));
    await graph.write((tx) =>
      tx.run('MERGE (m:Migration {version: $version}) SET m.name = $name, m.checksum = $checksum, m.appliedAt = datetime()', {
        version: m.version,
        name: m.name,
        checksum: m.checksum,
      }),
    );
    done.push(m.name);
  }
  return done;
}
