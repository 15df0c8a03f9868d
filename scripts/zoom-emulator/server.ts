// Request dispatch: OAuth, the bearer check, 429 injection on report/past_meetings, the /v2 routes,
// and optional dev control routes; counts every request for stats().
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routes } from './api.ts';
import type { Ctx } from './context.ts';
import { matchPath, readRequest, zoomError, type Reply, type Req } from './http.ts';
import { checkBearer, issueToken } from './oauth.ts';

export type ControlHandler = (req: Req) => Promise<Reply | undefined>;

const RATE_LIMITED_PREFIXES = ['report', 'past_meetings'];

function rateLimitReply(ctx: Ctx, category: string): Reply | null {
  const rl = ctx.rateLimit;
  if (!rl || rl.every < 1) return null;
  ctx.rateLimitCounter++;
  if (ctx.rateLimitCounter % rl.every !== 0) return null;
  ctx.stats.rateLimited++;
  const headers: Record<string, string> = {
    'X-RateLimit-Category': category,
    'X-RateLimit-Type': 'QPS',
    'X-RateLimit-Limit': category === 'Heavy' ? '10' : '20',
    'X-RateLimit-Remaining': '0',
  };
  if (rl.retryAfterSeconds !== null) headers['Retry-After'] = String(rl.retryAfterSeconds);
  return {
    status: 429,
    body: { code: 429, message: 'You have reached the maximum per-second rate limit for this API. Try again later.' },
    headers,
  };
}

async function dispatch(
  ctx: Ctx,
  req: Req,
  control: ControlHandler | undefined,
): Promise<{ name: string; reply: Reply }> {
  const path = req.segments.join('/');
  if (path === 'oauth/token') {
    const name = `${req.method} /oauth/token`;
    if (req.method !== 'POST') return { name, reply: zoomError(405, 405, 'Method not allowed.') };
    return { name, reply: issueToken(ctx, req) };
  }
  if (req.segments[0] === '_emulator' && control) {
    const reply = await control(req);
    if (reply) return { name: `${req.method} /${path}`, reply };
  }
  if (req.segments[0] !== 'v2') return { name: `${req.method} /${path}`, reply: zoomError(404, 404, 'Not Found') };

  const route = routes.find((r) => r.method === req.method && matchPath(r.pattern, req.segments));
  const name = route?.name ?? `${req.method} /${path}`;
  const denied = checkBearer(ctx, req);
  if (denied) {
    ctx.stats.unauthorized++;
    return { name, reply: denied };
  }
  const limited = RATE_LIMITED_PREFIXES.includes(req.segments[1] ?? '');
  if (limited) {
    const reply = rateLimitReply(ctx, route?.rateLimitCategory ?? 'Heavy');
    if (reply) return { name, reply };
  }
  if (!route) return { name, reply: zoomError(404, 404, 'Not Found') };
  const reply = route.handle(ctx, req, matchPath(route.pattern, req.segments)!);
  if (route.rateLimitCategory) reply.headers = { 'X-RateLimit-Category': route.rateLimitCategory, ...reply.headers };
  return { name, reply };
}

export function requestListener(
  ctx: Ctx,
  control: ControlHandler | undefined,
  log: ((line: string) => void) | undefined,
) {
  return (incoming: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    void (async () => {
      let status = 500;
      try {
        const req = await readRequest(incoming);
        const { name, reply } = await dispatch(ctx, req, control);
        ctx.stats.totalRequests++;
        ctx.stats.requests[name] = (ctx.stats.requests[name] ?? 0) + 1;
        status = reply.status;
        const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
        res.writeHead(reply.status, {
          ...(body ? { 'content-type': 'application/json;charset=UTF-8' } : {}),
          ...reply.headers,
        });
        res.end(body);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json;charset=UTF-8' });
        res.end(JSON.stringify({ code: 500, message: err instanceof Error ? err.message : String(err) }));
      }
      log?.(`${incoming.method} ${incoming.url} -> ${status} (${Date.now() - started} ms)`);
    })();
  };
}
