// LTI 1.3 over HTTP. Two kinds of routes:
// - JSON API under /api/lti (declared routes: validated, RBAC-checked, in the OpenAPI):
//   platform registration, the tool configuration and key rotation (admins), and the
//   Deep Linking picker (the teacher who launched it).
// - The tool endpoints the LMS and the browser reach directly, outside /api: /lti/login
//   (GET and POST), /lti/launch (a cross-site form post from the LMS: outside /api, so the
//   /api Origin check does not apply, and no cookie is needed to get in) and /lti/jwks.
//   They answer HTML pages or redirects, are rate limited per IP, and never crash on input.
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ltiApi, ltiLaunchFormSchema, ltiLoginInitiationSchema } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { unavailableErrorOf } from '../../db/unavailable.ts';
import { route } from '../../http/route.ts';
import { keyedHash } from '../../lib/crypto.ts';
import { createLogger, type Logger } from '../../lib/logger.ts';
import { requestContext, setSessionCookies } from '../auth/auth.cookies.ts';
import type { KeyStore } from '../keys/keys.service.ts';
import { LtiError, sendLtiError } from './lti.html.ts';
import { startLogin } from './lti.login.ts';
import type { LtiPlatformService } from './lti.platforms.service.ts';
import { createLtiService, type LtiService } from './lti.service.ts';
import type { Config } from '../../config/config.ts';
import type { AuthService } from '../auth/auth.service.ts';

const tags = ['lti'];
const admins = ['admin'] as const;

export function ltiApiRoutes(platforms: LtiPlatformService, lti: LtiService) {
  const notFound = { description: 'No such platform' };
  return [
    route(
      ltiApi.platforms,
      {
        summary: 'Registered LMS platforms (LTI 1.3)',
        tags,
        access: admins,
        responses: { 200: { description: 'Platforms' } },
      },
      async ({ caller }) => platforms.list(caller),
    ),
    route(
      ltiApi.createPlatform,
      {
        summary: 'Register an LMS platform (issuer, client id, deployments, endpoints)',
        tags,
        access: admins,
        responses: {
          201: { description: 'Registered' },
          400: { description: 'Invalid fields' },
          409: { description: 'This issuer and client id are already registered' },
        },
      },
      async ({ caller, body, res }) => {
        res.status(201);
        return platforms.create(caller, body);
      },
    ),
    route(
      ltiApi.updatePlatform,
      {
        summary: 'Change an LMS platform registration',
        tags,
        access: admins,
        responses: {
          200: { description: 'Updated' },
          400: { description: 'Invalid fields' },
          404: notFound,
          409: { description: 'Duplicate' },
        },
      },
      async ({ caller, params, body }) => platforms.update(caller, params.id, body),
    ),
    route(
      ltiApi.deactivatePlatform,
      {
        summary: 'Switch an LMS platform off (its launches are refused)',
        tags,
        access: admins,
        responses: { 200: { description: 'Deactivated' }, 404: notFound },
      },
      async ({ caller, params }) => platforms.deactivate(caller, params.id),
    ),
    route(
      ltiApi.activatePlatform,
      {
        summary: 'Switch an LMS platform back on',
        tags,
        access: admins,
        responses: { 200: { description: 'Activated' }, 404: notFound },
      },
      async ({ caller, params }) => platforms.activate(caller, params.id),
    ),
    route(
      ltiApi.configuration,
      {
        summary: 'What to enter in the LMS to register Exam Hall as an LTI 1.3 tool',
        tags,
        access: admins,
        responses: { 200: { description: 'Tool configuration' } },
      },
      async ({ caller }) => platforms.configuration(caller),
    ),
    route(
      ltiApi.rotateKey,
      {
        summary:
          "Rotate the tool's signing key (the next key becomes active; the old one stays published for its grace)",
        tags,
        access: admins,
        responses: { 200: { description: 'Rotated' } },
      },
      async ({ caller }) => platforms.rotateKey(caller),
    ),
    route(
      ltiApi.deepLink,
      {
        summary: 'The pending LMS content selection (Deep Linking) and the exams you can place',
        tags,
        access: ['teacher'],
        responses: { 200: { description: 'The request' }, 404: { description: 'Unknown, expired or not yours' } },
      },
      async ({ caller, params }) => lti.deepLinking.describe(caller, params.id),
    ),
    route(
      ltiApi.deepLinkChoose,
      {
        summary: 'Place an exam: the signed LtiDeepLinkingResponse to post back to the LMS',
        tags,
        access: ['teacher'],
        responses: { 200: { description: 'The signed response' }, 404: { description: 'Unknown request or exam' } },
      },
      async ({ caller, params, body }) => lti.deepLinking.choose(caller, params.id, body.examId),
    ),
  ];
}

export interface LtiToolRouterDeps {
  db: Db;
  redis: Redis;
  prefix: string;
  secret: string;
  publicUrl: string;
  cookieSecure: boolean;
  keys: KeyStore;
  lti: LtiService;
  log: Logger;
  /** Launch + login requests per IP per minute (a whole school can sit behind one NAT address). */
  maxPerIpPerMinute?: number;
}

/** 600 a minute: a 1,000-pupil school starting an exam at once behind one address in under 4 minutes. */
export const LTI_MAX_PER_IP_PER_MINUTE = 600;

const fieldProblem = (issues: { path: PropertyKey[]; message: string }[]) =>
  issues.map((i) => `${String(i.path[0] ?? 'request')}: ${i.message}`).join('; ');

export function ltiToolRouter(d: LtiToolRouterDeps): Router {
  const router = express.Router();
  const points = d.maxPerIpPerMinute ?? LTI_MAX_PER_IP_PER_MINUTE;
  const limiter = new RateLimiterRedis({
    storeClient: d.redis,
    keyPrefix: `${d.prefix}:rl:lti`,
    points,
    duration: 60,
    // Redis down: the same limit per process in memory, at once rather than after retries.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ points, duration: 60 }),
  });
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 50 });
  const rid = (req: Request) => String(req.id ?? '');

  async function throttle(req: Request) {
    try {
      await limiter.consume(keyedHash(d.secret, 'ip', req.ip ?? 'unknown'));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw new LtiError(
        429,
        'Too many LMS launches from your network right now.',
        `Try again in ${Math.ceil(err.msBeforeNext / 1000)} seconds.`,
      );
    }
  }

  /** A form body is required for POSTs; a JSON or empty body is the wrong kind of request. */
  function formBody(req: Request): Record<string, unknown> {
    if (!req.is('application/x-www-form-urlencoded'))
      throw new LtiError(
        415,
        'This address accepts only an HTML form post (application/x-www-form-urlencoded) from an LMS.',
      );
    return (req.body ?? {}) as Record<string, unknown>;
  }

  async function login(req: Request, res: Response, input: Record<string, unknown>) {
    await throttle(req);
    const parsed = ltiLoginInitiationSchema.safeParse(input);
    if (!parsed.success)
      throw new LtiError(
        400,
        `The LMS login request is incomplete or malformed: ${fieldProblem(parsed.error.issues)}.`,
      );
    res.set('Cache-Control', 'no-store').redirect(302, await startLogin(d.db, d.publicUrl, parsed.data));
  }

  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: (e?: unknown) => void) =>
      fn(req, res).catch(next);

  router.get(
    '/lti/login',
    wrap((req, res) => login(req, res, req.query as Record<string, unknown>)),
  );
  router.post(
    '/lti/login',
    form,
    wrap((req, res) => login(req, res, formBody(req))),
  );
  router.post(
    '/lti/launch',
    form,
    wrap(async (req, res) => {
      await throttle(req);
      const body = formBody(req);
      if (typeof body.error === 'string')
        throw new LtiError(400, `The LMS refused the login: ${String(body.error).slice(0, 100)}.`);
      const parsed = ltiLaunchFormSchema.safeParse(body);
      if (!parsed.success) throw new LtiError(400, `The launch is malformed: ${fieldProblem(parsed.error.issues)}.`);
      const outcome = await d.lti.launch(parsed.data, requestContext(req));
      setSessionCookies(res, outcome.session, d.cookieSecure);
      res.set('Cache-Control', 'no-store').redirect(303, outcome.redirect);
    }),
  );
  router.get(
    '/lti/launch',
    wrap(async () => {
      throw new LtiError(405, 'Open this activity from your LMS: a launch is a form post, not a link.');
    }),
  );
  router.get(
    '/lti/jwks',
    wrap(async (_req, res) => {
      const keys = await d.keys.published('lti_tool');
      res.set('Cache-Control', 'public, max-age=300').json({ keys });
    }),
  );

  // The Deep Linking picker is a web page whose CSP allows form posts to 'self' only; it must
  // post the signed answer to the LMS, so its page (only) also allows the stored return URL's
  // origin. URL.origin is normalized (scheme://host:port), so it cannot inject a directive.
  router.get('/lti/deep-link/:id', (req, res, next) => {
    const id = String(req.params.id);
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(id)) return next();
    d.lti.deepLinking
      .returnOriginOf(id)
      .then((origin) => {
        if (origin && origin !== 'null') {
          const set = res.setHeader.bind(res);
          res.setHeader = ((name: string, value: number | string | readonly string[]) =>
            set(
              name,
              name.toLowerCase() === 'content-security-policy' && typeof value === 'string'
                ? value.replace("form-action 'self'", `form-action 'self' ${origin}`)
                : value,
            )) as typeof res.setHeader;
        }
        next();
      })
      .catch(() => next());
  });

  const errors: ErrorRequestHandler = (err, req, res, next) => {
    if (!req.path.startsWith('/lti/')) return next(err);
    if (err instanceof LtiError) return sendLtiError(res, err, rid(req));
    const status = (err as { status?: number; expose?: boolean })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500)
      return sendLtiError(
        res,
        new LtiError(status, status === 413 ? 'The request is too large.' : 'The request is malformed.'),
        rid(req),
      );
    if (unavailableErrorOf(err))
      return sendLtiError(
        res,
        new LtiError(503, 'Exam Hall is briefly unavailable.', 'Try again in a minute.'),
        rid(req),
      );
    d.log.error({ err }, 'lti endpoint failed');
    return sendLtiError(
      res,
      new LtiError(
        500,
        'Something went wrong on our side.',
        'Try again; if it keeps happening, tell your administrator.',
      ),
      rid(req),
    );
  };
  router.use(errors);
  return router;
}

/** The /lti/* router for a running system (system.ts mounts it before the web pages). */
export function ltiToolFor(
  deps: { db: Db; redis: Redis; secret: string; config: Config; log?: Logger | undefined },
  auth: AuthService,
  keys: KeyStore,
): Router {
  const { db, redis, secret, config } = deps;
  const publicUrl = config.http.publicUrl;
  const lti = createLtiService({ db, redis, secret, prefix: config.redis.prefix, publicUrl, keys, auth });
  const log = deps.log ?? createLogger(config.logLevel, { service: 'exam-hall', module: 'lti' });
  return ltiToolRouter({
    db,
    redis,
    prefix: config.redis.prefix,
    secret,
    publicUrl,
    cookieSecure: config.auth.cookieSecure,
    keys,
    lti,
    log,
    maxPerIpPerMinute: config.lti.maxPerIpPerMinute,
  });
}

/** The LTI service for the JSON API routes (registry.ts). */
export function ltiServiceFor(
  deps: { db: Db; redis: Redis; secret: string; config: Config },
  auth: AuthService,
  keys: KeyStore,
): LtiService {
  const { db, redis, secret, config } = deps;
  return createLtiService({
    db,
    redis,
    secret,
    prefix: config.redis.prefix,
    publicUrl: config.http.publicUrl,
    keys,
    auth,
  });
}
