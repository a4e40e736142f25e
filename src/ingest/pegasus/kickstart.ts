/**
 * A job's kickstart record (`00/00/<job>.out.<retry>`, YAML, one `- invocation: true` entry per
 * task), read when there is no monitoring database: what pegasus-monitord would have put in the
 * `invocation` table. Per task (Pegasus `kickstart_parser`, as monitord stores it):
 *   remote_duration = mainjob.duration
 *   remote_cpu_time = mainjob.usage.utime + mainjob.usage.stime
 *   exitcode        = mainjob.status.raw
 * and the record's hostname and user.
 */
import fs from 'node:fs';
import { parse } from 'yaml';

export interface Kickstart {
  hostname: string | null;
  user: string | null;
  cpuTime: number | null;
  duration: number | null;
  exitRaw: number | null;
  transformations: string;
  executables: string;
  argv: string;
}

type Rec = Record<string, unknown>;
const obj = (x: unknown): Rec | null => (x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Rec) : null);
const numOf = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const micro = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The record, null when the file does not exist, or why it cannot be read. */
export function readKickstart(file: string): Kickstart | null | { defect: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return { defect: (err as Error).message.split('\n')[0] as string };
  }
  const tasks = (Array.isArray(doc) ? doc : [doc]).map(obj).filter((r): r is Rec => r !== null && Boolean(r.invocation));
  if (tasks.length === 0) return { defect: 'no invocation record' };
  const out: Kickstart = { hostname: null, user: null, cpuTime: null, duration: null, exitRaw: null, transformations: '', executables: '', argv: '' };
  const tr: string[] = [];
  const ex: string[] = [];
  const av: string[] = [];
  for (const t of tasks) {
    out.hostname ??= typeof t.hostname === 'string' ? t.hostname : null;
    out.user ??= typeof t.user === 'string' ? t.user : null;
    const main = obj(t.mainjob);
    const usage = obj(main?.usage);
    const u = numOf(usage?.utime);
    const s = numOf(usage?.stime);
    if (u !== null || s !== null) out.cpuTime = micro((out.cpuTime ?? 0) + (u ?? 0) + (s ?? 0));
    const d = numOf(main?.duration);
    if (d !== null) out.duration = micro((out.duration ?? 0) + d);
    const raw = numOf(obj(main?.status)?.raw);
    if (raw !== null) out.exitRaw = out.exitRaw === null ? raw : Math.max(out.exitRaw, raw);
    tr.push(String(t.transformation ?? ''));
    ex.push(String(obj(main?.executable)?.file_name ?? ''));
    av.push(Array.isArray(main?.argument_vector) ? (main?.argument_vector as unknown[]).map(String).join(' ') : '');
  }
  out.transformations = tr.join(';');
  out.executables = ex.join(';');
  out.argv = av.join(';');
  return out;
}
