import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { errSerializer, type Logger } from '../lib/logger.ts';
import type { ErrorCode } from '@exam-hall/protocol';
import { AppError } from './errors.ts';
import { unavailableErrorOf } from '../db/unavailable.ts';
import { mount, type DeclaredRoute } from './route.ts';
import { docsRouter } from './docs.ts';
import { vendorRouter } from './vendor.ts';
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
  /** Endpoints other systems call outside /api (LTI login, launch, JWKS), before the web pages. */
  tool?: RequestHandler | undefined;
  /** The SvelteKit handler, mounted after the API. */
  web?: RequestHandler | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The level of a request's log line: 5xx and thrown errors are errors, except a deliberate 503
 * (answered by us while the database or Redis is away, with Retry-After), which a client retries
 * and an outage of minutes would otherwise turn into thousands of error lines: a warning.
 */
export function requestLogLevel(status: number, err: Error | undefined): 'error' | 'warn' | 'info' {
  if (status === 503 && !err) return 'warn';
  return err || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

/** A 503 we answered on purpose: no error was thrown or attached, only pino-http's made-up one. */
function isDeliberateRefusal(status: number, attached: Error | undefined, logged: Error): boolean {
  return status === 503 && !attached && logged.message === `failed with status code ${status}`;
}

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
        // pino-http would otherwise put its own err serializer in front of the logger's.
        err: errSerializer,
      },
      customLogLevel: (_req, res, err) => requestLogLevel(res.statusCode, err ?? (res as { err?: Error }).err),
      // pino-http makes up an error ("failed with status code 503") with a stack for every 5xx; a
      // deliberate 503 (the database or Redis away, Retry-After given) is not a fault of ours.
      customErrorObject: (_req, res, err, logged) =>
        isDeliberateRefusal(res.statusCode, (res as { err?: Error }).err, err) ? { ...logged, err: undefined } : logged,
      customErrorMessage: (_req, res, err) =>
        isDeliberateRefusal(res.statusCode, (res as { err?: Error }).err, err)
          ? 'request refused: a dependency is unavailable (503, Retry-After sent)'
          : 'request errored',
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
  // The camera detector's library, models and WASM files, from node_modules (no CDN).
  app.use(vendorRouter());
  if (o.tool) app.use(o.tool);
  if (o.web) app.use(o.web);
  app.use(errorHandler);
  return app;
}

const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const requestId = String(req.id ?? '');
  let e = err instanceof AppError ? err : (clientErrorOf(err) ?? unavailableErrorOf(err));
  if (!e) {
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

const body = (message: string) => ({ fields: [{ path: 'body', message }] });

/**
 * What the client got wrong, for errors raised before a route runs: body-parser and raw-body
 * (`type`), zlib while inflating a body, the router decoding path params (URIError, status 400).
 * Any other http-errors client error (expose: true) keeps its status.
 * Undefined means the fault is ours (500).
 */
export function clientErrorOf(err: unknown): AppError | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const x = err as {
    type?: unknown;
    status?: unknown;
    statusCode?: unknown;
    code?: unknown;
    charset?: unknown;
    expose?: unknown;
  };
  const status = Number(x.status ?? x.statusCode);
  switch (x.type) {
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', 'The request body is too large.');
    case 'entity.parse.failed':
      return new AppError(400, 'validation_failed', 'The request body is not valid JSON.', body('must be valid JSON'));
    case 'charset.unsupported':
      return new AppError(
        415,
        'unsupported_media_type',
        `The request body's charset ${JSON.stringify(String(x.charset ?? '')).slice(0, 80)} is not supported: send UTF-8.`,
        { fields: [{ path: 'headers.content-type', message: 'charset must be utf-8' }] },
      );
    case 'encoding.unsupported':
      return new AppError(
        415,
        'unsupported_media_type',
        "The request body's Content-Encoding is not supported: send identity, gzip, deflate or br.",
        { fields: [{ path: 'headers.content-encoding', message: 'must be identity, gzip, deflate or br' }] },
      );
    case 'request.aborted':
      return new AppError(400, 'validation_failed', 'The request was aborted before its body arrived.');
    case 'request.size.invalid':
      return new AppError(
        400,
        'validation_failed',
        'The request body is not as long as its Content-Length says.',
        body('length must match Content-Length'),
      );
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return new AppError(400, 'validation_failed', 'The request body could not be read.', body('could not be read'));
    case 'parameters.too.many':
      return new AppError(413, 'payload_too_large', 'The request has too many parameters.');
    case 'entity.verify.failed':
      return new AppError(403, 'forbidden', 'The request body was refused.');
  }
  // A body that claims gzip/deflate/br but does not inflate: body-parser passes zlib's error on with 400.
  if (status === 400 && typeof x.code === 'string' && x.code.startsWith('Z_')) {
    return new AppError(
      400,
      'validation_failed',
      'The request body could not be decompressed as its Content-Encoding says.',
      { fields: [{ path: 'headers.content-encoding', message: 'does not match the body' }] },
    );
  }
  // The router decodes path params with decodeURIComponent: '%zz' or a lone '%' is a URIError (status 400).
  if (status === 400 && err instanceof URIError) {
    return new AppError(400, 'validation_failed', 'The URL path is not valid percent-encoding.', {
      fields: [{ path: 'params', message: 'must be valid percent-encoded UTF-8' }],
    });
  }
  // Only http-errors' own client errors (expose: true): an upstream API's 401 on some error object is not the caller's.
  if (x.expose === true && Number.isInteger(status) && status >= 400 && status < 500) {
    return new AppError(status, codeOfStatus(status), `The request is not valid (HTTP ${status}).`);
  }
  return undefined;
}

function codeOfStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 429) return 'rate_limited';
  return 'validation_failed';
}
