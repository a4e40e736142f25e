/** Shared by integration tests: a Graph on the harness's Neo4j, wiped before each test file. */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { PROJECT_ROOT, defaultDatasetPath } from '../../src/config';
import { openGraph, type Graph } from '../../src/graph/driver';
import { migrate } from '../../src/graph/migrations';

export function testGraph(): Graph {
  if (!process.env.NEO4J_URI) throw new Error('NEO4J_URI is not set: run integration tests through `npm test`');
  return openGraph();
}

/** Deletes every node and relationship (schema stays), then makes sure migrations are applied. */
export async function wipe(graph: Graph): Promise<void> {
  const session = graph.driver.session({ database: graph.conn.database });
  try {
    await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  } finally {
    await session.close();
  }
  await migrate(graph);
}

export async function count(graph: Graph, cypher: string, params: Record<string, unknown> = {}): Promise<number> {
  const res = await graph.read((tx) => tx.run(cypher, params));
  return res.records[0]?.get(0) as number;
}

export const DATASET = defaultDatasetPath();
export const datasetPresent = fs.existsSync(path.join(DATASET, 'adjacency_list_dags'));
export const skipWithoutDataset: string | false = datasetPresent ? false : `flowgad dataset not found at ${DATASET} (set WFAD_DATASET)`;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (bin/wfad.js) as a user would. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'wfad.js'), ...args], {
      env: { ...process.env, ...env },
      cwd: PROJECT_ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
