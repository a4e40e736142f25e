/**
 * The API server: Apollo Server on Node's http (no framework), with
 *   POST/GET /graphql   GraphQL (CSRF prevention on: JSON POSTs, or GETs with a preflight header)
 *   GET /health         liveness: the process answers
 *   GET /ready          readiness: Neo4j answers (503 otherwise)
 *   GET /metrics        Prometheus text: Neo4j sessions opened/closed, unavailable calls, open fds (keyed when reads are)
 * and structured JSON logs, one line per request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { Logger } from 'pino';
import { inferenceConfig } from '../config';
import { openGraph, type Graph } from '../graph/driver';
import { migrate } from '../graph/migrations';
import { KeyRing } from './auth';
import { ReadCache } from './cache';
import { SharedReads } from './shared-reads';
import { assertStartable, type ApiConfig } from './config';
import { createContext, type ApiContext, type ApiServices } from './context';
import { formatError, UnauthenticatedError } from './errors';
import { BadConfigError, PortInUseError } from '../errors';
import { ModelRuntime } from './inference';
import { complexityPlugin, depthRule, noSubscriptionsRule } from './limits';
import { createLogger } from './log';
import { renderMetrics } from './metrics';
import { ModelRegistry } from './registry';
import { apiSchema } from './schema';
import { TrainingJobs } from './training/jobs';

export interface ApiServer {
  url: string;
  port: number;
  services: ApiServices;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  config: ApiConfig;
  /** Neo4j access; opened from the environment (and closed by close()) when not given. */
  graph?: Graph;
  log?: Logger;
  /** Inference batching: most graphs per session.run (default WFAD_BATCH_MAX or 256). */
  maxBatch?: number;
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Past the limit the rest is read and dropped, so the client gets the 413 answer.
      if (size > limit) reject(new BodyTooLarge());
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Neo4j answers a trivial read within 2 s. */
async function neo4jReady(graph: Graph): Promise<boolean> {
  const probe = graph.query('RETURN 1').then(() => true, () => false);
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref());
  return Promise.race([probe, timeout]);
}

/** Why the API could not listen, as a typed error where the operator can fix it by configuration. */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new PortInUseError(host, port, err);
  if (code === 'EACCES') return new BadConfigError(`cannot listen on ${host}:${port}: not permitted (ports below 1024 need privileges); choose another port with --port <port> or WFAD_API_PORT`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new BadConfigError(`cannot listen on ${host}:${port}: ${host} is not an address of this machine; choose another with --host <host> or WFAD_API_HOST`);
  return err;
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const { config } = opts;
  assertStartable(config);
  const log = opts.log ?? createLogger(config.logLevel);
  const ownGraph = !opts.graph;
  // Bounded waits: a request during a Neo4j outage answers UNAVAILABLE within seconds, not the
  // driver's 30-60 s, and for 1 s after a failure at once (see GraphOptions.failFastMs).
  const graph = opts.graph ?? openGraph(undefined, { maxRetryMs: 3000, connectTimeoutMs: 5000, acquireTimeoutMs: 10_000, failFastMs: 1000 });
  const registry = new ModelRegistry(graph, config.registryTtlMs);
  const inference = inferenceConfig();
  const services: ApiServices = {
    config,
    graph,
    runtime: new ModelRuntime({ provider: inference.provider, maxBatch: opts.maxBatch ?? inference.maxBatch, maxWaitMs: inference.maxWaitMs, log }),
    registry,
    keys: new KeyRing(config.apiKeys),
    training: new TrainingJobs(graph, registry, config.modelsDir, log),
    shared: new SharedReads(graph),
    cache: config.cacheTtlMs > 0 ? new ReadCache({ maxRuns: 100_000, maxPredictions: 200_000, ttlMs: config.cacheTtlMs, runTtlMs: Math.max(config.cacheTtlMs, 600_000) }) : null,
    log,
  };
  // Apply the schema when Neo4j is up; a server started while it is down still starts (and is not ready).
  await migrate(graph).catch((err: unknown) => log.warn({ err }, 'Neo4j not reachable at start; /ready stays 503 until it is'));

  const schema = apiSchema();
  const httpServer = http.createServer();
  const apollo = new ApolloServer<ApiContext>({
    schema,
    introspection: config.introspection,
    csrfPrevention: true,
    // `wfad serve` handles SIGINT/SIGTERM itself (Apollo would re-raise the signal after stopping).
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    validationRules: [depthRule(config.maxDepth), noSubscriptionsRule],
    // Parsing and validating cost time linear in the document: 100,000 tokens is far beyond any
    // real query (a 57-job ingestRun written inline is ~6,000) and bounds what a 2 MiB body costs.
    parseOptions: { maxTokens: 100_000 },
    formatError: formatError(log),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      complexityPlugin<ApiContext>(schema, config.maxComplexity),
      // No field has cache hints; the plugin still wrapped every field resolver (its willResolveField).
      ApolloServerPluginCacheControlDisabled(),
      config.introspection ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }) : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  const graphql = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    let body: unknown;
    if (req.method === 'POST') {
      const text = await readBody(req, config.maxBodyBytes);
      const type = req.headers['content-type'] ?? '';
      if (/^application\/json/i.test(type)) {
        try {
          body = JSON.parse(text);
        } catch {
          sendJson(res, 400, { errors: [{ message: 'the request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
          return;
        }
      } else body = text;
    }
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const request: HTTPGraphQLRequest = { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: request,
      context: async () => {
        const ctx = createContext(services, req.headers.authorization);
        if (config.readKeyed && !ctx.authenticated) {
          throw new UnauthenticatedError('this server needs an API key for every request: send "Authorization: Bearer <key>"');
        }
        return ctx;
      },
    });
    for (const [k, v] of response.headers) res.setHeader(k, v);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') res.end(response.body.string);
    else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };

  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const t0 = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.on('finish', () => log.info({ method: req.method, path: url.pathname, status: res.statusCode, ms: Number((performance.now() - t0).toFixed(2)) }, 'request'));
    const handle = async (): Promise<void> => {
      if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/ready') {
        const up = await neo4jReady(graph);
        return sendJson(res, up ? 200 : 503, { status: up ? 'ready' : 'unavailable', neo4j: up ? 'up' : 'down' });
      }
      if (url.pathname === '/metrics') {
        // Session and traffic counts are reads like any other: keyed when reads are.
        if (config.readKeyed && !services.keys.accepts(req.headers.authorization)) {
          res.setHeader('www-authenticate', 'Bearer');
          return sendJson(res, 401, { errors: [{ message: 'this server needs an API key for every request, /metrics too: send "Authorization: Bearer <key>"', extensions: { code: 'UNAUTHENTICATED' } }] });
        }
        const text = renderMetrics(graph, services.shared.stats);
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        return void res.end(text);
      }
      if (url.pathname === '/graphql') return graphql(req, res, url);
      return sendJson(res, 404, { error: `no route ${url.pathname}: the API is at /graphql (also /health, /ready, /metrics)` });
    };
    handle().catch((err: unknown) => {
      if (err instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        return sendJson(res, 413, { errors: [{ message: `request body over ${config.maxBodyBytes} bytes`, extensions: { code: 'BAD_REQUEST' } }] });
      }
      log.error({ err }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    });
  });

  // Requests Node's HTTP parser refuses (headers over its limit, malformed request lines) get a
  // typed JSON answer too, instead of a bare status line.
  httpServer.on('clientError', (err: NodeJS.ErrnoException, socket: import('node:stream').Duplex) => {
    if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const text = JSON.stringify({ errors: [{ message: tooLarge ? 'request headers too large' : 'malformed HTTP request', extensions: { code: 'BAD_REQUEST' } }] });
    socket.end(`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    await services.training.close();
    await apollo.stop();
    await services.runtime.close();
    if (ownGraph) await graph.close();
    throw listenError(err, config.host, config.port);
  }
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.host}:${port}/graphql`;
  log.info({ url, introspection: config.introspection, readKeyed: config.readKeyed, mutations: config.mutations, keys: config.apiKeys.length }, 'wfad API listening');

  return {
    url,
    port,
    services,
    async close() {
      await services.training.close();
      await apollo.stop();
      await services.runtime.close();
      if (ownGraph) await graph.close();
    },
  };
}
