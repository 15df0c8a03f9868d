import { keyedHash } from '../../lib/crypto.ts';
import type { Caller } from '../../policy/actor.ts';
import type { AuditContext } from './audit.service.ts';

export function auditContextOf(secret: string, caller: Caller): AuditContext {
  return {
    actorId: caller.actor.userId,
    actorRole: caller.actor.role,
    ipHash: keyedHash(secret, 'ip', caller.ip),
    requestId: caller.requestId ?? null,
  };
}
