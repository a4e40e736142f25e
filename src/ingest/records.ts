/**
 * Runs straight from files, as the same records training reads back from Neo4j
 * (graph/read-runs.ts `RunRecord`): the ingest's own discovery, templates, parser and validation,
 * without a database. For offline checks and benchmarks that compare datasets which cannot share
 * one database (e.g. generated and real traces use the same workflow names with other templates).
 */
import fs from 'node:fs';
import path from 'node:path';
import { JOB_FIELDS, type RunRecord } from '../graph/read-runs';
import { discover } from './dataset';
import { loadTemplates } from './template';
import { parseRunFile, type Rejection } from './trace';

export interface FileRecords {
  records: RunRecord[];
  rejected: Rejection[];
}

export function readRunFiles(target: string): FileRecords {
  const ds = discover(target);
  const { templates } = loadTemplates(ds.templatesDir);
  const records: RunRecord[] = [];
  const rejected: Rejection[] = [];
  for (const file of ds.files) {
    const parsed = parseRunFile(
      { source: path.relative(ds.root, file), labelFolder: path.basename(path.dirname(file)), fileName: path.basename(file), bytes: fs.readFileSync(file) },
      templates,
    );
    if ('reason' in parsed) {
      rejected.push(parsed);
      continue;
    }
    const t = templates.get(parsed.workflow);
    records.push({
      id: parsed.id,
      workflow: parsed.workflow,
      label: parsed.label,
      category: parsed.category,
      level: parsed.level,
      startedAt: parsed.startedAt,
      jobNames: parsed.jobs.map((j) => j.name),
      jobs: parsed.jobs.map((j) => JOB_FIELDS.map((f) => j[f] ?? null)),
      edges: (t?.edges ?? []).flat(),
    });
  }
  records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { records, rejected };
}
