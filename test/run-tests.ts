/**
 * `npm test`: finds a Neo4j for the integration tests, then runs every compiled *.test.js with
 * Node's test runner, one file at a time (they share one database and each starts from a wiped one).
 *
 * Which Neo4j: NEO4J_URI when set (tests WIPE that database: point it at a throwaway one);
 * else a neo4j:5.26 container via testcontainers when a Docker engine answers; else the local
 * server (`wfad db start`) on its own port and data folder (.wfad/neo4j-test), stopped afterwards.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, localServerConfig } from '../src/config';
import * as server from '../src/localdb/server';

const log = (s: string): void => void process.stderr.write(`[test] ${s}\n`);

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

async function dockerNeo4j(): Promise<{ uri: string; stop: () => Promise<void> } | null> {
  if (process.env.WFAD_TEST_NO_DOCKER) return null;
  try {
    const tc = await import('testcontainers');
    const probe = tc.getContainerRuntimeClient();
    const timeout = new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 15_000).unref());
    await Promise.race([probe, timeout]);
    log('Docker engine found: starting neo4j:5.26 with testcontainers');
    const c = await new tc.GenericContainer('neo4j:5.26')
      .withEnvironment({ NEO4J_AUTH: 'none' })
      .withExposedPorts(7687)
      .withWaitStrategy(tc.Wait.forLogMessage(/Started\./))
      .withStartupTimeout(180_000)
      .start();
    return { uri: `bolt://${c.getHost()}:${c.getMappedPort(7687)}`, stop: async () => void (await c.stop()) };
  } catch (err) {
    log(`no Docker engine answers (${(err as Error).message.split('\n')[0]}); using the local Neo4j server`);
    return null;
  }
}

/**
 * The compiled test files the command line selects: all of them, or those whose path below the
 * project root contains one of the filters. A filter that matches no file is a mistake (a typo, a
 * file not compiled): it fails the run instead of silently testing something else.
 */
function selectFiles(filters: readonly string[]): string[] {
  const files = testFiles(path.join(PROJECT_ROOT, 'dist', 'test'));
  // Filters match the path below the project root: matching the absolute path would select every
  // file whenever the checkout's own folder name contains the filter (e.g. "security" in wt-security).
  const rel = (f: string): string => path.relative(PROJECT_ROOT, f);
  const unmatched = filters.filter((x) => !files.some((f) => rel(f).includes(x)));
  if (unmatched.length) throw new Error(`no test file matches ${unmatched.map((x) => JSON.stringify(x)).join(', ')} (filters match paths such as ${rel(files[0] ?? 'dist/test/…')})`);
  return filters.length ? files.filter((f) => filters.some((x) => rel(f).includes(x))) : files;
}

async function main(): Promise<number> {
  const selected = selectFiles(process.argv.slice(2));
  if (selected.length === 0) throw new Error(`no compiled test files under ${path.join(PROJECT_ROOT, 'dist', 'test')}: run \`npm run build\``);
  const env: NodeJS.ProcessEnv = { ...process.env };
  let cleanup = async (): Promise<void> => undefined;
  if (env.NEO4J_URI) {
    log(`using NEO4J_URI=${env.NEO4J_URI} (its database ${env.NEO4J_DATABASE ?? 'neo4j'} is wiped by the tests)`);
  } else {
    const docker = await dockerNeo4j();
    if (docker) {
      env.NEO4J_URI = docker.uri;
      cleanup = docker.stop;
    } else {
      const cfg = localServerConfig(env, {
        home: path.join(PROJECT_ROOT, '.wfad', 'neo4j-test'),
        port: Number(env.WFAD_TEST_NEO4J_PORT ?? 7688),
      });
      const current = await server.status(cfg);
      if (current.running) {
        // Deleting the data folder under a running server breaks it minutes later (transaction log
        // writes fail); the tests wipe the database through Cypher anyway, so use it as it is.
        env.NEO4J_URI = current.uri;
        log(`local test Neo4j already running on ${current.uri} (pid ${current.pid}): used as it is and left running`);
        return runFiles(selected, env, cleanup);
      }
      fs.rmSync(path.join(cfg.home, 'data'), { recursive: true, force: true });
      fs.rmSync(path.join(cfg.home, 'bulk-import'), { recursive: true, force: true });
      const res = await server.start(cfg, log, { parentPid: process.pid });
      env.NEO4J_URI = `bolt://${cfg.host}:${cfg.port}`;
      log(`local Neo4j on ${env.NEO4J_URI} (pid ${res.pid})`);
      cleanup = async () => void (await server.stop(cfg));
    }
  }
  return runFiles(selected, env, cleanup);
}

async function runFiles(selected: string[], env: NodeJS.ProcessEnv, cleanup: () => Promise<void>): Promise<number> {
  log(`${selected.length} test files`);
  // A test stuck for 10 minutes is cancelled and named (the run fails) instead of holding CI until
  // its overall limit; the slowest test takes well under a minute.
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=600000', '--test-reporter=spec', ...selected], {
    stdio: 'inherit',
    env,
    cwd: PROJECT_ROOT,
  });
  await cleanup();
  return r.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
