// Every access rule of the system lives here, so "who may do what" reads in one file.
import type { Request } from 'express';
import type { Role } from '@exam-hall/protocol';
import { AppError, forbidden, notFound, unauthenticated } from '../../http/errors.ts';
import type { Access } from '../../http/route.ts';

export interface Actor {
  userId: string;
  role: Role;
  sessionId: string;
  sessionExpiresAt: Date;
  email: string;
  name: string;
}

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
  if (access !== 'signed-in' && !access.includes(actor.role)) {
    throw forbidden(`This needs one of the roles: ${access.join(', ')}.`);
  }
  return actor;
}

/** Admins see everything; others only what they own. Unowned answers 404 so ids cannot be probed. */
export function assertOwnerOrAdmin(actor: Actor, ownerId: string, what: string): void {
  if (actor.role === 'admin' || actor.userId === ownerId) return;
  throw notFound(what);
}

export function assertRole(actor: Actor, roles: readonly Role[]): void {
  if (!roles.includes(actor.role)) throw forbidden(`This needs one of the roles: ${roles.join(', ')}.`);
}
