import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../lib/logger.ts';
import { AppError } from './errors.ts';
import { mount, type DeclaredRoute } from './route.ts';
import { docsRouter } from './docs.ts';
import type { OriginPolicy } from './origins.ts';

export interface HttpAppOptions {
  log: Logger;
  trustProxy: boolean | string | number;
  bodyLimitKb: number;
  /** PUBLIC_URL, plus in development the loopback origins of the port we listen on. */
  origins: OriginPolicy;
  routes: DeclaredRoute[];
  openapi: () => unknown;
  /** Resolves the signed-in actor (if any) before routes run. */
  authenticate: RequestHandler;
  /** The SvelteKit handler, mounted after the API. */
  web?: RequestHandler | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function createHttpApp(o: HttpAppOptions) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', o.trustProxy);

  app.use(
    pinoHttp({
      logger: o.log,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // URLs are logged without query strings: those may carry codes or tokens.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      autoLogging: { ignore: (req) => req.url === '/healthz' },
    }),
  );
  // Pages set their own CSP (SvelteKit computes script hashes); the API answers JSON only.
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use('/api', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  // Cookies are SameSite, and on top of that a state-changing request that names an
  // Origin must name ours: a second line against cross-site request forgery.
  app.use('/api', (req, _res, next) => {
    const origin = req.get('origin');
    if (UNSAFE.has(req.method) && origin && !o.origins.allows(origin)) {
      return next(new AppError(403, 'forbidden', `Requests from origin ${origin} are not allowed.`));
    }
    next();
  });
  // Routes that declare a larger limit get their own parser first; the general one then
  // sees an already-parsed body and leaves it alone.
  for (const r of o.routes.filter((r) => r.spec.rawBodyKb)) {
    app[r.spec.method](r.spec.path, express.raw({ type: () => true, limit: `${r.spec.rawBodyKb}kb` }));
  }
  for (const r of o.routes.filter((r) => r.spec.bodyLimitKb)) {
    app[r.spec.method](r.spec.path, express.json({ limit: `${r.spec.bodyLimitKb}kb`, strict: true }));
  }
  app.use('/api', express.json({ limit: `${o.bodyLimitKb}kb`, strict: true }));
  app.use('/api', o.authenticate);

  const api = express.Router();
  api.get('/api/openapi.json', (_req, res) => {
    res.json(o.openapi());
  });
  mount(api, o.routes);
  app.use(docsRouter());
  app.use(api);
  app.use('/api', (req, _res, next) =>
    next(new AppError(404, 'not_found', `No API route ${req.method} ${req.originalUrl.split('?')[0]}.`)),
  );
  if (o.web) app.use(o.web);
  app.use(errorHandler);
  return app;
}

const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const requestId = String(req.id ?? '');
  let e: AppError;
  if (err instanceof AppError) e = err;
  else if (err?.type === 'entity.too.large')
    e = new AppError(413, 'payload_too_large', 'The request body is too large.');
  else if (err?.type === 'entity.parse.failed')
    e = new AppError(400, 'validation_failed', 'The request body is not valid JSON.', {
      fields: [{ path: 'body', message: 'must be valid JSON' }],
    });
  else {
    req.log.error({ err }, 'unhandled error');
    e = new AppError(
      500,
      'internal',
      'Something went wrong on our side. Try again; if it keeps happening, report the request id.',
    );
  }
  if (res.headersSent) return;
  res.set(e.headers);
  res.status(e.status).json({
    error: { code: e.code, message: e.message, requestId, ...(e.fields ? { fields: e.fields } : {}) },
  });
};
