/**
 * The local Neo4j server: Neo4j Community 5.26 as an embedded DBMS with Bolt enabled, launched from
 * the Maven project in scripts/neo4j-server (see its Main.java). This module builds it on first use,
 * starts it detached, waits for Bolt, and stops it. Every operation is idempotent.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT, type LocalServerConfig } from '../config';
import { WfadError } from '../errors';
import { recoverBulkImport } from './bulk-import';

export const SERVER_PROJECT = path.join(PROJECT_ROOT, 'scripts', 'neo4j-server');
const CLASSES = path.join(SERVER_PROJECT, 'target', 'classes');
const LIB = path.join(SERVER_PROJECT, 'target', 'lib');
const MAIN_CLASS = 'dev.wfad.neo4j.Main';
/** The launcher and Neo4j's jars (the bulk importer runs from them too). */
export const SERVER_CLASSPATH = `${CLASSES}${path.delimiter}${path.join(LIB, '*')}`;

export interface ServerStatus {
  running: boolean;
  pid: number | null;
  boltAnswers: boolean;
  uri: string;
  home: string;
  built: boolean;
}

type Log = (line: string) => void;

export function isBuilt(): boolean {
  return (
    fs.existsSync(path.join(CLASSES, 'dev', 'wfad', 'neo4j', 'Main.class')) &&
    fs.existsSync(LIB) &&
    fs.readdirSync(LIB).some((f) => f.startsWith('neo4j-kernel-'))
  );
}

export function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home ? path.join(home, 'bin', 'java') : 'java';
}

function checkJava(): void {
  const r = spawnSync(javaBinary(), ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new WfadError('JAVA_MISSING', `Java 17+ is required to run the local Neo4j (tried ${javaBinary()}): ${r.error?.message ?? r.stderr}`);
  }
  const m = /version "(\d+)/.exec(r.stderr);
  const major = m ? Number(m[1]) : 0;
  if (major < 17) {
    throw new WfadError('JAVA_MISSING', `Java 17+ is required to run Neo4j 5.26; ${javaBinary()} is version ${m?.[1] ?? 'unknown'}`);
  }
}

/** Compiles the launcher and fetches Neo4j's jars from Maven Central (first run only). */
export function build(log: Log, force = false): void {
  if (!force && isBuilt()) return;
  checkJava();
  log('building the local Neo4j server from Maven Central artifacts (first run only, ~1 min)…');
  const r = spawnSync('mvn', ['-B', '-q', 'package'], { cwd: SERVER_PROJECT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error || r.status !== 0) {
    throw new WfadError('NEO4J_START_FAILED', `mvn package in ${SERVER_PROJECT} failed (${r.error?.message ?? `exit ${r.status}`}); is Maven installed and Maven Central reachable?`);
  }
}

function pidFile(cfg: LocalServerConfig): string {
  return path.join(cfg.home, 'server.pid');
}

function parentFile(cfg: LocalServerConfig): string {
  return path.join(cfg.home, 'server.parent');
}

/** The start options the running server was started with (its watched parent), for a restart. */
export function startOptionsOf(cfg: LocalServerConfig): StartOptions {
  try {
    const n = Number(fs.readFileSync(parentFile(cfg), 'utf8').trim());
    return Number.isInteger(n) && n > 0 && alive(n) ? { parentPid: n } : {};
  } catch {
    return {};
  }
}

function readPid(cfg: LocalServerConfig): number | null {
  try {
    const n = Number(fs.readFileSync(pidFile(cfg), 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/**
 * True while process `pid` exists and has not exited: an exited child not yet reaped (a zombie,
 * e.g. a server whose starter is blocked) still answers signal 0, but is gone.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; the state follows the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): signal 0 is all there is
  }
}

/** True when something accepts TCP connections on the Bolt port. */
export function portAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export async function status(cfg: LocalServerConfig): Promise<ServerStatus> {
  const pid = readPid(cfg);
  const running = pid !== null && alive(pid);
  return {
    running,
    pid: running ? pid : null,
    boltAnswers: await portAnswers(cfg.host, cfg.port),
    uri: `bolt://${cfg.host}:${cfg.port}`,
    home: cfg.home,
    built: isBuilt(),
  };
}

export interface StartOptions {
  /** Stop the server when this process ends (foreground use: `npm start`, the test harness). */
  parentPid?: number;
  timeoutMs?: number;
}

/**
 * Starts the server unless it already runs; resolves once the Neo4j process reports it is ready
 * and Bolt accepts connections. Returns whether it was started by this call.
 */
export async function start(cfg: LocalServerConfig, log: Log, opts: StartOptions = {}): Promise<{ started: boolean; pid: number }> {
  const current = await status(cfg);
  if (current.running && current.pid !== null) {
    if (current.boltAnswers) return { started: false, pid: current.pid };
    await waitForBolt(cfg, current.pid, opts.timeoutMs ?? 120_000);
    return { started: false, pid: current.pid };
  }
  if (current.boltAnswers) {
    throw new WfadError('NEO4J_START_FAILED', `port ${cfg.port} on ${cfg.host} is already taken by another process; set WFAD_NEO4J_PORT or stop it`);
  }
  build(log);
  checkJava();
  fs.mkdirSync(cfg.home, { recursive: true });
  fs.rmSync(pidFile(cfg), { force: true });
  // A bulk import killed mid-way is finished (its store was complete) or discarded before Neo4j opens the store.
  const recovered = recoverBulkImport(cfg);
  if (recovered === 'moved') log(`completed a bulk import interrupted while moving its store into ${cfg.home}`);
  // Who to watch, kept so that a restart (after a bulk import) watches the same process.
  if (opts.parentPid !== undefined) fs.writeFileSync(parentFile(cfg), String(opts.parentPid));
  else fs.rmSync(parentFile(cfg), { force: true });
  const logPath = path.join(cfg.home, 'server.log');
  const out = fs.openSync(logPath, 'a');
  const args = [
    `-Xms512m`,
    `-Xmx${cfg.heap}`,
    '-XX:+UseG1GC',
    '-cp',
    SERVER_CLASSPATH,
    MAIN_CLASS,
    '--home', cfg.home,
    '--host', cfg.host,
    '--port', String(cfg.port),
    '--pagecache', cfg.pagecache,
  ];
  if (opts.parentPid !== undefined) args.push('--parent-pid', String(opts.parentPid));
  const child = spawn(javaBinary(), args, { detached: true, stdio: ['ignore', out, out], env: process.env });
  fs.closeSync(out);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new WfadError('NEO4J_START_FAILED', `could not spawn ${javaBinary()}`);
  log(`starting Neo4j 5.26 (pid ${pid}) on bolt://${cfg.host}:${cfg.port}, data in ${cfg.home}`);
  await waitForBolt(cfg, pid, opts.timeoutMs ?? 120_000, logPath);
  return { started: true, pid };
}

async function waitForBolt(cfg: LocalServerConfig, pid: number, timeoutMs: number, logPath?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) {
      const tail = logPath && fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new WfadError('NEO4J_START_FAILED', `Neo4j exited during start-up; last lines of ${logPath ?? 'its log'}:\n${tail}`);
    }
    if (readPid(cfg) === pid && (await portAnswers(cfg.host, cfg.port))) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new WfadError('NEO4J_START_FAILED', `Neo4j did not answer on bolt://${cfg.host}:${cfg.port} within ${timeoutMs / 1000}s (see ${path.join(cfg.home, 'server.log')})`);
}

/** Stops the server (SIGTERM → clean shutdown hook; SIGKILL after the timeout). Idempotent. */
export async function stop(cfg: LocalServerConfig, timeoutMs = 60_000): Promise<{ stopped: boolean }> {
  const pid = readPid(cfg);
  if (pid === null || !alive(pid)) {
    fs.rmSync(pidFile(cfg), { force: true });
    return { stopped: false };
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 100));
  fs.rmSync(pidFile(cfg), { force: true });
  return { stopped: true };
}

/** Wipes the local database: stops the server, deletes its data, restarts it if it was running. */
export async function reset(cfg: LocalServerConfig, log: Log): Promise<{ restarted: boolean }> {
  const was = await status(cfg);
  await stop(cfg);
  fs.rmSync(path.join(cfg.home, 'data'), { recursive: true, force: true });
  // A bulk import's staged store too: it would otherwise be moved into the wiped store on start.
  fs.rmSync(path.join(cfg.home, 'bulk-import'), { recursive: true, force: true });
  log(`deleted ${path.join(cfg.home, 'data')}`);
  if (was.running) {
    await start(cfg, log);
    return { restarted: true };
  }
  return { restarted: false };
}
