// The composition root: builds every long-lived dependency once and wires the
// adapters (HTTP, sockets) to the services. Tests build a system the same way.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config } from './config/config.ts';
import { runMigrations } from './db/migrate.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { createHttpApp } from './http/app.ts';
import { createOriginPolicy } from './http/origins.ts';
import { buildOpenApi } from './http/openapi.ts';
import { healthRouter } from './http/health.ts';
import { loadWebHandler } from './http/web.ts';
import type { DeclaredRoute } from './http/route.ts';
import { createHub, endSessionSockets, localSockets, type Hub } from './socket/hub.ts';
import { resyncLocal } from './modules/hall/hall.resync.ts';
import { createSignInLimiter } from './modules/auth/auth.rate-limit.ts';
import { createAuthService, ensureAdmin } from './modules/auth/auth.service.ts';
import { authenticateRequests } from './modules/auth/auth.middleware.ts';
import { createRoutes, createServices } from './modules/registry.ts';
import { ltiToolFor } from './modules/lti/lti.routes.ts';
import { attachHandlers, presenceLeaves, socketHandlers } from './socket/handlers.ts';
import { startPresenceReaper } from './modules/hall/hall.presence-reaper.ts';
import { createInfrastructure, type Infrastructure } from './infrastructure.ts';
import { listenWithAcceptors } from './http/listen.ts';

/** How long an idle kept-alive HTTP connection stays open (see createSystem). */
export const KEEP_ALIVE_MS = 65_000;
export const VERSION = '0.1.0';

/** `infra`: the process's infrastructure (role `all` shares it with the job runtime and closes it
 * itself); without it the system builds its own for role `api` and closes it with itself. */
export async function createSystem(
  config: Config,
  opts: { log?: Logger; migrate?: boolean; infra?: Infrastructure } = {},
) {
  const log = opts.log ?? createLogger(config.logLevel, { service: 'exam-hall' });
  const infra = opts.infra ?? createInfrastructure(config, log, { role: 'api' });
  const { db, pool, redis, publish } = infra;
  if (opts.migrate !== false) await runMigrations(db);
  if (config.bootstrapAdmin) {
    const r = await ensureAdmin(db, config.bootstrapAdmin, { onlyIfNoAdmin: true });
    if (r.created) log.info({ userId: r.userId }, 'created the first admin from BOOTSTRAP_ADMIN_EMAIL');
  }

  // The hub needs the auth service and the auth service tells the hub about revocations.
  const hub: { io?: Hub } = {};
  const limiter = createSignInLimiter(redis, { prefix: config.redis.prefix, ...config.auth });
  const auth = createAuthService({
    db,
    config,
    limiter,
    onSessionRevoked: (sessionId) => hub.io && endSessionSockets(hub.io, sessionId, 'revoked'),
  });

  // The HTTP listener is registered before Socket.IO attaches, so Engine.IO wraps it and
  // answers its own path (/socket.io/) alone: Express never sees those requests (two
  // handlers writing one response crashed the process). The app is built below, once
  // the services exist; until then nothing listens anyway.
  const http: { app?: RequestListener } = {};
  const server: Server = createServer((req, res) => {
    if (http.app) return http.app(req, res);
    res.writeHead(503, { 'retry-after': '1' }).end();
  });
  // An idle kept-alive connection stays open 65 s (Node's default is 5 s): longer than the
  // 60 s after which nginx's upstream keepalive and common load balancers close theirs, so a
  // proxy never sends a request down a connection this server has just closed (a 502).
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  const origins = createOriginPolicy(config.http.publicUrl, { development: config.env !== 'production' });
  // Sockets first: services publish to rooms through the hub's adapter.
  const sockets = createHub(server, {
    redis,
    auth,
    log,
    origins,
    redisPrefix: config.redis.prefix,
  });
  hub.io = sockets.io;
  infra.attachSockets(sockets.io);
  // Pushes from other processes that Redis lost while it was away: once it is back, this
  // process's own students get their clocks (an extension, a pause, an end) read again, and
  // its proctors the rosters of the halls they watch.
  sockets.onRedisBack(() => {
    resyncLocal(db, localSockets(sockets.io))
      .then((n) => log.info(n, "Redis is back: clocks and hall rosters sent again to this process's sockets"))
      .catch((err: unknown) => log.warn({ err }, 'clock resync after Redis came back failed'));
  });
  const deps = {
    db,
    redis,
    config,
    secret: config.secret,
    publish,
    expiry: infra.expiry,
    grading: infra.grading,
    certificates: infra.certificates,
    chain: infra.chain,
    zoom: infra.zoom,
    zoomJobs: infra.zoomJobs,
    ltiGrades: infra.ltiGrades,
    log,
  };
  const services = createServices(deps);
  const presence = presenceLeaves(services.attemptLive, log);
  attachHandlers(
    sockets.io,
    socketHandlers({
      hall: services.hall,
      attemptLive: services.attemptLive,
      proctoring: services.proctoring,
      attendance: services.attendance,
      camera: services.camera,
      presence,
    }),
    log,
    presence,
  );
  const routes: DeclaredRoute[] = createRoutes(deps, auth, services);
  let openapi: unknown;
  const web = config.http.serveWeb ? await loadWebHandler(config.http.webBuildDir) : undefined;
  if (config.http.serveWeb && !web)
    log.warn('web build not found: only the API is served (run `npm run build -w web`)');
  const app = createHttpApp({
    log,
    trustProxy: config.http.trustProxy,
    bodyLimitKb: config.http.bodyLimitKb,
    origins,
    routes,
    openapi: () => (openapi ??= buildOpenApi(routes, VERSION)),
    authenticate: authenticateRequests(auth),
    tool: ltiToolFor(deps, auth, services.keys),
    web,
  });
  app.use(healthRouter(db, redis));
  // Health must answer before the web catch-all: move it to the front of the stack.
  app.router.stack.unshift(app.router.stack.pop()!);

  http.app = app;
  const stopReaper = startPresenceReaper(db, async () => (await sockets.io.fetchSockets()).map((s) => s.id), log);

  let stopAccepting = () => {};
  async function listen(port = config.http.port, host = config.http.host): Promise<string> {
    const listening = await listenWithAcceptors(server, port, host, config.http.acceptors);
    stopAccepting = listening.close;
    origins.served(listening.port);
    return `http://${host.includes(':') ? `[${host}]` : host}:${listening.port}`;
  }

  let closing: Promise<void> | undefined;
  /** Stops accepting work, lets in-flight requests finish (bounded), then closes pools. Idempotent. */
  function close(): Promise<void> {
    closing ??= (async () => {
      const forced = setTimeout(() => server.closeAllConnections(), config.http.shutdownTimeoutMs);
      stopReaper();
      // Close sockets first and let their presence updates finish while Redis and the pool are up.
      sockets.io.disconnectSockets(true);
      await presence.drain();
      publish.silence();
      await sockets.close();
      stopAccepting();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      clearTimeout(forced);
      // Writes the buffered verification log while the pool is still open.
      await services.verification.close();
      // A shared infrastructure is closed by its owner, after the job runtime.
      if (!opts.infra) await infra.close();
    })();
    return closing;
  }

  return { config, log, db, pool, redis, app, server, io: sockets.io, auth, services, listen, close };
}
export type System = Awaited<ReturnType<typeof createSystem>>;
