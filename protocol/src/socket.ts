import { z } from 'zod';
import { publicUserSchema } from './auth.ts';

/** Every acknowledgement has this shape: ok with data, or an error a client can show. */
export type Ack<T> = (reply: { ok: true; data: T } | { ok: false; error: { code: string; message: string } }) => void;

export const whoamiReplySchema = z.object({ user: publicUserSchema, sessionId: z.uuid() });
export type WhoamiReply = z.infer<typeof whoamiReplySchema>;

export interface ServerToClientEvents {
  /** The session behind this socket was revoked or signed out; the socket closes next. */
  'session:ended': (payload: { reason: string }) => void;
}

export interface ClientToServerEvents {
  whoami: (ack: Ack<WhoamiReply>) => void;
}

/** Room names, built in one place so both ends agree. */
export const rooms = {
  user: (id: string) => `user:${id}`,
  session: (id: string) => `session:${id}`,
  attempt: (id: string) => `attempt:${id}`,
  examProctors: (id: string) => `exam:${id}:proctors`,
};
