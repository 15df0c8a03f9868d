// Who is acting: the signed-in person (Actor) and, for services that audit, where the
// call came from (Caller). Built by the HTTP layer (http/actor.ts), the socket hub and
// jobs alike; nothing here knows about Express or Socket.IO.
import type { Role } from '@exam-hall/protocol';

export interface Actor {
  userId: string;
  role: Role;
  sessionId: string;
  sessionExpiresAt: Date;
  email: string;
  name: string;
}

/** Who is calling a service and from where: what services need for rules and the audit log. */
export interface Caller {
  actor: Actor;
  ip: string;
  requestId?: string | undefined;
}
