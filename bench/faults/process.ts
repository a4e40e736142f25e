/**
 * Child processes for fault trials: the real CLI (bin/wfad.js) spawned as a user runs it, SIGKILLed
 * after a chosen delay, with what the database was doing at that moment.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config';
import type { Graph } from '../../src/graph/driver';

export const WFAD = path.join(PROJECT_ROOT, 'bin', 'wfad.js');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface KillResult {
  /** False when the process finished before the kill point. */
  killed: boolean;
  /** Milliseconds from spawn to SIGKILL (or to exit when not killed). */
  atMs: number;
  exitCode: number | null;
  /** Transactions of other clients open on the server just before the kill (-1: not probed). */
  openTransactions: number;
  stdout: string;
  stderr: string;
}

/**
 * Write transactions (and queries) other clients have open now. SHOW TRANSACTIONS lists this
 * probe too, hence the filter.
 */
export async function openTransactions(graph: Graph): Promise<number> {
  const s = graph.driver.session({ database: graph.conn.database });
  try {
    const res = await s.run("SHOW TRANSACTIONS YIELD currentQuery WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN count(*) AS n");
    return (res.records[0]?.get('n') as number | undefined) ?? 0;
  } finally {
    await s.close();
  }
}

/** Runs `wfad <args>` and SIGKILLs it `delayMs` after spawn unless it has exited by then. */
export function runAndKill(args: string[], delayMs: number, opts: { env?: NodeJS.ProcessEnv; probe?: Graph } = {}): Promise<KillResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [WFAD, ...args], { env: { ...process.env, ...opts.env }, cwd: PROJECT_ROOT });
    let stdout = '';
    let stderr = '';
    let exited = false;
    let killed = false;
    let atMs = 0;
    let openTx = -1;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      if (exited) return;
      const probe = opts.probe ? openTransactions(opts.probe).catch(() => -1) : Promise.resolve(-1);
      void probe.then((n) => {
        if (exited) return;
        openTx = n;
        atMs = performance.now() - t0;
        killed = child.kill('SIGKILL');
      });
    }, delayMs);
    child.on('error', reject);
    child.on('close', (code) => {
      exited = true;
      clearTimeout(timer);
      if (!killed) atMs = performance.now() - t0;
      resolve({ killed, atMs, exitCode: code, openTransactions: killed ? openTx : -1, stdout, stderr });
    });
  });
}

/**
 * Waits until no other client has a transaction open on the server. A client killed after it sent
 * COMMIT still has its transaction committed by the server, some time later on a loaded machine:
 * measuring before then reads a store that is still changing (the bench, at load 28, saw job and
 * run counts taken a moment apart disagree). Returns the ms waited.
 */
export async function quiesce(graph: Graph, timeoutMs = 120_000): Promise<number> {
  const t0 = performance.now();
  while ((await openTransactions(graph)) > 0) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`transactions still open on the server after ${timeoutMs} ms`);
    await sleep(100);
  }
  return performance.now() - t0;
}
