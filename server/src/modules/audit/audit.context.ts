// pino-http adds req.id to Express's Request type.
import type {} from 'pino-http';
import type { Request } from 'express';
import { keyedHash } from '../../lib/crypto.ts';
import type { Actor } from '../auth/auth.policy.ts';
import type { AuditContext } from './audit.service.ts';

/** Who is calling a service and from where: what services need for rules and the audit log. */
export interface Caller {
  actor: Actor;
  ip: string;
  requestId?: string | undefined;
}

export function callerOf(req: Request, actor: Actor): Caller {
  return { actor, ip: req.ip ?? 'unknown', requestId: String(req.id ?? '') };
}

export function auditContextOf(secret: string, caller: Caller): AuditContext {
  return {
    actorId: caller.actor.userId,
    actorRole: caller.actor.role,
    ipHash: keyedHash(secret, 'ip', caller.ip),
    requestId: caller.requestId ?? null,
  };
}
