// The HTTP side of the policy: the actor the auth middleware put on the request,
// checked against a route's access rule, and the caller a service sees.
// pino-http adds req.id to Express's Request type.
import type {} from 'pino-http';
import type { Request } from 'express';
import { parseCookie } from 'cookie';
import { ATTEMPT_COOKIE } from '@exam-hall/protocol';
import { assertRole } from '../policy/access.ts';
import type { Actor, Caller } from '../policy/actor.ts';
import { AppError, unauthenticated } from './errors.ts';
import type { Access } from './route.ts';

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor | null;
    authProblem?: 'session_revoked' | 'expired';
  }
}

export function requireActor(req: Request, access: Access): Actor | null {
  if (access === 'public') return req.actor ?? null;
  const actor = req.actor;
  if (!actor) {
    throw req.authProblem === 'session_revoked'
      ? new AppError(401, 'session_revoked', 'This session was signed out. Sign in again.')
      : unauthenticated();
  }
  if (access !== 'signed-in') assertRole(actor, access);
  return actor;
}

export function callerOf(req: Request, actor: Actor): Caller {
  return { actor, ip: req.ip ?? 'unknown', requestId: String(req.id ?? '') };
}

/** The attempt cookie as the browser sent it (checked by policy/attempt-cookie.ts, never here). */
export function attemptCookieOf(req: { headers: { cookie?: string | undefined } }): string | undefined {
  return (req.headers.cookie ? parseCookie(req.headers.cookie) : {})[ATTEMPT_COOKIE];
}
