/**
 * The CSV trace layouts (flowgad, Flow-Bench) as a RunSource: `<root>/adjacency_list_dags/*.json`
 * (templates matched to run files by name) and/or templates named explicitly
 * (`--template <workflow>=<file.json>`), and `data/<label>/*.csv` run files parsed by trace.ts.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WfadError } from '../errors';
import { discover } from './dataset';
import { isRejection, type Rejection } from './rejection';
import type { RunSource, SourceItem, Unchanged } from './source';
import { NamedTemplateMissing, TemplateError, loadNamedTemplate, loadTemplates, workflowFromTemplateFile, type DagTemplate } from './template';
import { parseRunFile, workflowOfFile } from './trace';

/** Changes when the reader would store a file differently: stored digests then no longer match. */
const READER_VERSION = 'csv-trace/1';

/**
 * The digest of one run file's input: its bytes, the names it was found under (label folder and
 * file name make the run id and truth), how truth is read, and the exact template it is parsed
 * against. Equal digest, equal stored run: the file is not parsed again.
 */
function fileDigest(bytes: Buffer, labelFolder: string, fileName: string, truth: string, template: string): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([READER_VERSION, labelFolder, fileName, truth, template, bytes.length]));
  h.update(bytes);
  return h.digest('hex').slice(0, 32);
}

export interface CsvSourceOptions {
  /** Templates named explicitly: workflow → template file. */
  templates?: ReadonlyArray<{ workflow: string; file: string }>;
  /** Every run has unknown truth, whatever folder it is in; per-job truth columns are not stored. */
  unlabelled?: boolean;
}

/** Parses `--template <workflow>=<file.json>`. */
export function parseTemplateOption(v: string): { workflow: string; file: string } {
  const eq = v.indexOf('=');
  const workflow = eq > 0 ? v.slice(0, eq).trim() : '';
  const file = eq > 0 ? v.slice(eq + 1).trim() : '';
  if (!workflow || !file) throw new WfadError('BAD_INPUT', `--template ${v}: expected <workflow>=<file.json>`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(workflow)) throw new WfadError('BAD_INPUT', `--template ${v}: workflow name "${workflow}" may hold only letters, digits and _ . -`);
  return { workflow, file };
}

export function openCsvSource(target: string, opts: CsvSourceOptions = {}): RunSource {
  const named = opts.templates ?? [];
  const ds = discover(target, { templatesNamed: named.length > 0 });
  const rel = (p: string): string => path.relative(ds.root, p) || path.basename(p);
  const templates = new Map<string, DagTemplate>();
  const rejected: Rejection[] = [];
  const badTemplates = new Map<string, string>();
  const bad = (wf: string, file: string, reason: string): void => {
    const why = `${rel(file)}: ${reason}`;
    badTemplates.set(wf, badTemplates.has(wf) ? `${badTemplates.get(wf)}; ${why}` : why);
    rejected.push({ file: rel(file), code: 'BAD_TEMPLATE', reason, workflow: wf });
  };

  const namedFiles = new Set<string>();
  for (const { workflow, file } of named) {
    const abs = path.resolve(file);
    namedFiles.add(abs);
    try {
      const t = loadNamedTemplate(workflow, abs);
      if (templates.has(workflow)) throw new WfadError('BAD_INPUT', `--template ${workflow}=… is given twice`);
      templates.set(workflow, t);
    } catch (err) {
      if (err instanceof NamedTemplateMissing) throw new WfadError('BAD_INPUT', err.message);
      if (err instanceof TemplateError) bad(workflow, abs, err.reason);
      else throw err;
    }
  }
  if (ds.templatesDir !== null) {
    const { templates: byName, errors } = loadTemplates(ds.templatesDir);
    // A file named by --template serves only the workflow it was named for.
    for (const [wf, t] of byName) if (!namedFiles.has(path.resolve(t.file)) && !templates.has(wf) && !badTemplates.has(wf)) templates.set(wf, t);
    for (const e of errors) if (!namedFiles.has(path.resolve(e.file))) bad(workflowFromTemplateFile(e.file), e.file, e.reason);
  }

  const ctx: CsvReadContext = {
    root: ds.root,
    templates,
    badTemplates,
    allNames: [...templates.keys(), ...badTemplates.keys()],
    truthMode: opts.unlabelled ? 'none' : 'folder',
    // The exact template (order included: it fixes job indices), hashed once per workflow.
    templateDigest: new Map([...templates].map(([wf, t]) => [wf, createHash('sha256').update(JSON.stringify([wf, t.jobs, t.edges])).digest('hex')])),
  };
  return {
    root: ds.root,
    total: ds.files.length,
    ignoredFiles: ds.ignored.filter((f) => !namedFiles.has(path.resolve(f))).map(rel),
    skipped: ds.skipped.map((s) => ({ path: rel(s.path), reason: s.reason })),
    templates: [...templates.values()].map((t) => ({ workflow: t.workflow, jobs: t.jobs, edges: t.edges, origin: rel(t.file) })),
    rejected,
    digests: true,
    *runs(stored?: ReadonlySet<string>) {
      for (const file of ds.files) yield readSourceItem(ctx, file, stored);
    },
    parallel: { module: __filename, context: ctx, items: ds.files },
  };
}

/** What reading one run file needs, found once per source (plain data: worker threads get a copy). */
interface CsvReadContext {
  root: string;
  templates: Map<string, DagTemplate>;
  /** Workflows whose template is unusable, with why. */
  badTemplates: Map<string, string>;
  allNames: string[];
  truthMode: 'none' | 'folder';
  templateDigest: Map<string, string>;
}

/** One run file as `runs()` yields it: the run, its rejection, or `Unchanged` (digest in `stored`). */
export function readSourceItem(ctx: CsvReadContext, file: string, stored?: ReadonlySet<string>): SourceItem {
  const rel = path.relative(ctx.root, file) || path.basename(file);
  const labelFolder = path.basename(path.dirname(file));
  const fileName = path.basename(file);
  const wf = workflowOfFile(fileName, ctx.allNames);
  const why = wf === null ? undefined : ctx.badTemplates.get(wf);
  if (wf !== null && why !== undefined) return { file: rel, code: 'BAD_TEMPLATE', reason: `the DAG template of ${wf} is unusable: ${why}`, workflow: wf } satisfies Rejection;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    return { file: rel, code: 'UNREADABLE_FILE', reason: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` } satisfies Rejection;
  }
  const digest = fileDigest(bytes, labelFolder, fileName, ctx.truthMode, (wf !== null && ctx.templateDigest.get(wf)) || '');
  if (stored?.has(digest)) return { unchanged: true, source: rel } satisfies Unchanged;
  const run = parseRunFile({ source: rel, labelFolder, fileName, bytes }, ctx.templates, { truth: ctx.truthMode });
  if (!isRejection(run)) run.sourceDigest = digest;
  return run;
}
