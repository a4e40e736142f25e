/**
 * GET /metrics: a few Prometheus text-format counters for operators, chosen so that leaks show:
 * Neo4j sessions opened vs closed (a growing gap is a leak), failures because Neo4j was
 * unavailable, and the process's open file descriptors (sockets included).
 */
import fs from 'node:fs';
import type { Graph } from '../graph/driver';
import type { SharedReadStats } from './shared-reads';

/** Open file descriptors of this process (Linux /proc); null where there is no /proc. */
export function openFds(): number | null {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

export function renderMetrics(graph: Graph, shared?: SharedReadStats): string {
  const s = graph.sessionStats();
  const lines = [
    '# HELP wfad_neo4j_sessions_opened_total Neo4j driver sessions opened by this process.',
    '# TYPE wfad_neo4j_sessions_opened_total counter',
    `wfad_neo4j_sessions_opened_total ${s.opened}`,
    '# HELP wfad_neo4j_sessions_closed_total Neo4j driver sessions closed by this process.',
    '# TYPE wfad_neo4j_sessions_closed_total counter',
    `wfad_neo4j_sessions_closed_total ${s.closed}`,
    '# HELP wfad_neo4j_sessions_open Neo4j driver sessions open now (queries in flight).',
    '# TYPE wfad_neo4j_sessions_open gauge',
    `wfad_neo4j_sessions_open ${s.opened - s.closed}`,
    '# HELP wfad_neo4j_unavailable_total Database calls that failed because Neo4j was unreachable.',
    '# TYPE wfad_neo4j_unavailable_total counter',
    `wfad_neo4j_unavailable_total ${s.unavailable}`,
  ];
  if (shared) {
    lines.push(
      '# HELP wfad_api_shared_reads_total Neo4j reads batched across concurrent requests (one query each).',
      '# TYPE wfad_api_shared_reads_total counter',
      `wfad_api_shared_reads_total ${shared.queries}`,
      '# HELP wfad_api_shared_read_keys_total Keys (runs, predictions) read by those queries.',
      '# TYPE wfad_api_shared_read_keys_total counter',
      `wfad_api_shared_read_keys_total ${shared.keys}`,
    );
  }
  const fds = openFds();
  if (fds !== null) lines.push('# HELP process_open_fds Open file descriptors.', '# TYPE process_open_fds gauge', `process_open_fds ${fds}`);
  return `${lines.join('\n')}\n`;
}

/** Parses the text format back (tests, benchmarks): metric name → value. */
export function parseMetrics(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (-?[0-9.e+]+)$/.exec(line);
    if (m) out[m[1] as string] = Number(m[2]);
  }
  return out;
}
