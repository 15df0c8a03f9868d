// The Socket.IO hub. The handshake is authenticated by the same session cookie as
// HTTP; the Redis adapter carries room broadcasts between server processes.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { rooms, type ClientToServerEvents, type ServerToClientEvents } from '@exam-hall/protocol';
import type { AuthService } from '../modules/auth/auth.service.ts';
import type { Actor } from '../modules/auth/auth.policy.ts';
import { readCookies } from '../modules/auth/auth.cookies.ts';
import type { Logger } from '../lib/logger.ts';

export interface SocketData {
  actor: Actor;
}
export type Hub = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export function createHub(
  httpServer: HttpServer,
  deps: { redis: Redis; auth: AuthService; log: Logger; publicUrl: string },
): { io: Hub; close: () => Promise<void> } {
  const pub = deps.redis.duplicate();
  const sub = deps.redis.duplicate();
  pub.on('error', () => {});
  sub.on('error', () => {});
  const io: Hub = new Server(httpServer, {
    adapter: createAdapter(pub, sub),
    serveClient: false,
    // Only our own origin may open sockets with the session cookie.
    cors: { origin: deps.publicUrl, credentials: true },
    maxHttpBufferSize: 64 * 1024,
  });

  io.use(async (socket, next) => {
    try {
      const { access } = readCookies(socket.handshake.headers.cookie);
      const result = await deps.auth.authenticate(access);
      if (!result.actor) {
        const err = new Error(result.problem === 'session_revoked' ? 'session_revoked' : 'unauthenticated');
        return next(err);
      }
      socket.data.actor = result.actor;
      next();
    } catch (e) {
      deps.log.error({ err: e }, 'socket authentication failed');
      next(new Error('internal'));
    }
  });

  io.on('connection', (socket) => {
    const { actor } = socket.data;
    void socket.join([rooms.user(actor.userId), rooms.session(actor.sessionId)]);
    socket.on('whoami', (ack) => {
      if (typeof ack !== 'function') return;
      ack({
        ok: true,
        data: {
          user: { id: actor.userId, email: actor.email, name: actor.name, role: actor.role },
          sessionId: actor.sessionId,
        },
      });
    });
  });

  return {
    io,
    close: async () => {
      await io.close();
      pub.disconnect();
      sub.disconnect();
    },
  };
}

/** Closes every socket of a session, on whichever server process holds it. */
export function endSessionSockets(io: Hub, sessionId: string, reason: string): void {
  io.to(rooms.session(sessionId)).emit('session:ended', { reason });
  io.in(rooms.session(sessionId)).disconnectSockets(true);
}
