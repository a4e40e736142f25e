/**
 * Reads the DAGMan input file Pegasus writes (`<name>-<index>.dag`): the nodes (`JOB name
 * file.sub [DIR d]`, `SUBDAG EXTERNAL name file.dag`) and the dependencies (`PARENT p… CHILD c…`,
 * every parent before every child). Other statements (SCRIPT, RETRY, VARS, PRIORITY, CATEGORY,
 * MAXJOBS, …) are not needed for the DAG and are skipped. Keywords are case-insensitive, as
 * DAGMan reads them; `#` starts a comment line.
 *
 * Undefined parents and cycles are not checked here: run-builder.ts checks every DAG, whatever
 * its source.
 */
export interface DagNode {
  name: string;
  /** The node's HTCondor submit file (JOB), relative to the .dag file's folder (and its DIR); null for SUBDAG. */
  submitFile: string | null;
  subdag: boolean;
}

export interface DagFile {
  nodes: DagNode[];
  edges: Array<[string, string]>;
}

export function parseDagFile(text: string): DagFile | { line: number; reason: string } {
  const nodes: DagNode[] = [];
  const edges: Array<[string, string]> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    const kw = (f[0] as string).toUpperCase();
    if (kw === 'JOB' || kw === 'DATA') {
      if (f.length < 3) return { line: i + 1, reason: `${f[0]} needs a node name and a submit file: "${line.slice(0, 120)}"` };
      const d = f.findIndex((x, k) => k > 2 && x.toUpperCase() === 'DIR');
      const file = d > 0 && f[d + 1] ? `${f[d + 1]}/${f[2]}` : (f[2] as string);
      nodes.push({ name: f[1] as string, submitFile: file, subdag: false });
    } else if (kw === 'SUBDAG') {
      if ((f[1] ?? '').toUpperCase() !== 'EXTERNAL' || f.length < 4) return { line: i + 1, reason: `SUBDAG needs EXTERNAL, a node name and a .dag file: "${line.slice(0, 120)}"` };
      nodes.push({ name: f[2] as string, submitFile: null, subdag: true });
    } else if (kw === 'SPLICE') {
      return { line: i + 1, reason: 'SPLICE is not supported (Pegasus does not write it): the spliced DAG is not read' };
    } else if (kw === 'PARENT') {
      const c = f.findIndex((x) => x.toUpperCase() === 'CHILD');
      const ps = f.slice(1, c < 0 ? f.length : c);
      const cs = c < 0 ? [] : f.slice(c + 1);
      if (ps.length === 0 || cs.length === 0) return { line: i + 1, reason: `PARENT … CHILD … needs at least one parent and one child: "${line.slice(0, 120)}"` };
      for (const p of ps) for (const ch of cs) edges.push([p, ch]);
    }
  }
  return { nodes, edges };
}
