// The Socket.IO hub. The handshake is authenticated by the session cookie or by an
// attempt cookie (students who started with an access code have no session); the
// Redis adapter carries room broadcasts between server processes. Event handlers
// live in one table (socket/handlers.ts): schema, rate limit and error acks there.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { parseCookie } from 'cookie';
import {
  ACCESS_COOKIE,
  ATTEMPT_COOKIE,
  examOfProctorsRoom,
  rooms,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@exam-hall/protocol';
import type { AuthService } from '../modules/auth/auth.service.ts';
import type { Actor } from '../policy/actor.ts';
import type { JoinedAttempt } from '../modules/attempts/attempts.live.service.ts';
import type { LocalSockets } from '../modules/hall/hall.resync.ts';
import type { Logger } from '../lib/logger.ts';
import { closeRedis, fireAndForgetPublisher } from '../lib/redis.ts';
import type { OriginPolicy } from '../http/origins.ts';
import { unavailableErrorOf } from '../db/unavailable.ts';
import { refuseUnsupportedMethods } from './engine-guard.ts';

export interface SocketData {
  actor: Actor | null;
  attemptCookie: string | null;
  /** Attempts this socket joined (checked once on join, so saves need no lookup). */
  joined: Map<string, JoinedAttempt>;
  ip: string;
}
export type Hub = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type HubSocket = Parameters<Parameters<Hub['on']>[1]>[0];

export function createHub(
  httpServer: HttpServer,
  deps: { redis: Redis; auth: AuthService; log: Logger; origins: OriginPolicy; redisPrefix: string },
): { io: Hub; close: () => Promise<void>; onRedisBack: (listener: () => void) => void } {
  const pub = deps.redis.duplicate();
  const sub = deps.redis.duplicate();
  pub.on('error', () => {});
  sub.on('error', () => {});
  // The adapter's subscriber lost Redis, then got it back (and subscribed again): what other
  // processes published meanwhile never arrived here.
  const back: (() => void)[] = [];
  let lost = false;
  sub.on('close', () => (lost = true));
  sub.on('ready', () => {
    if (!lost) return;
    lost = false;
    for (const listener of back) listener();
  });
  const io: Hub = new Server(httpServer, {
    // The adapter publishes without awaiting: its client handles its own failures.
    adapter: createAdapter(fireAndForgetPublisher(pub, deps.log, 'socket adapter'), sub, {
      key: socketChannel(deps.redisPrefix),
    }),
    serveClient: false,
    // Only our own origin may open sockets with the cookies. CORS covers long-polling;
    // a websocket upgrade is not subject to CORS, so the handshake checks the Origin
    // itself. Clients that send no Origin are not browsers and carry no victim's cookies.
    cors: { origin: (origin, cb) => cb(null, origin === undefined || deps.origins.allows(origin)), credentials: true },
    allowRequest: (req, cb) => {
      const origin = req.headers.origin;
      if (origin === undefined || deps.origins.allows(origin)) return cb(null, true);
      deps.log.warn({ origin }, 'socket handshake from a foreign origin refused');
      cb('origin not allowed', false);
    },
    maxHttpBufferSize: 64 * 1024,
    // Short enough that a vanished browser shows as disconnected within ~25 s.
    pingInterval: 10_000,
    pingTimeout: 15_000,
  });

  refuseUnsupportedMethods(io);

  io.use(async (socket, next) => {
    try {
      const cookies = socket.handshake.headers.cookie ? parseCookie(socket.handshake.headers.cookie) : {};
      const result = await deps.auth.authenticate(cookies[ACCESS_COOKIE]);
      const attemptCookie = cookies[ATTEMPT_COOKIE] ?? null;
      if (!result.actor && !attemptCookie) {
        return next(new Error(result.problem === 'session_revoked' ? 'session_revoked' : 'unauthenticated'));
      }
      socket.data.actor = result.actor;
      socket.data.attemptCookie = attemptCookie;
      socket.data.joined = new Map();
      socket.data.ip = socket.handshake.address;
      next();
    } catch (e) {
      // A database outage is a reason to retry, not a fault of ours: the page reconnects.
      if (unavailableErrorOf(e)) return next(new Error('unavailable'));
      deps.log.error({ err: e }, 'socket authentication failed');
      next(new Error('internal'));
    }
  });

  io.on('connection', (socket) => {
    const { actor } = socket.data;
    if (actor) void socket.join([rooms.user(actor.userId), rooms.session(actor.sessionId)]);
  });

  return {
    io,
    close: async () => {
      back.length = 0;
      await io.close();
      await closeRedis(pub, sub);
    },
    onRedisBack: (listener) => back.push(listener),
  };
}

/** This process's own sockets (never other processes'), for the resync after a Redis outage. */
export function localSockets(io: Hub): LocalSockets {
  return {
    *joinedAttempts() {
      for (const socket of io.of('/').sockets.values()) yield* socket.data.joined?.keys() ?? [];
    },
    clock: (attemptId, clock) => io.local.to(rooms.attempt(attemptId)).emit('attempt:clock', clock),
    ended: (attemptId, status) =>
      io.local.to(rooms.attempt(attemptId)).emit('attempt:ended', { attemptId, status, reason: status }),
    *watchedExams() {
      // The adapter's rooms are this process's own.
      for (const room of io.of('/').adapter.rooms.keys()) {
        const examId = examOfProctorsRoom(room);
        if (examId) yield examId;
      }
    },
    rows: (examId, rows) => {
      if (rows.length) io.local.to(rooms.examProctors(examId)).emit('hall:rows', rows);
    },
  };
}

/** The Redis channel prefix shared by the adapter (API processes) and the emitter (workers). */
export const socketChannel = (prefix: string) => `${prefix}:socket.io`;

/** Closes every socket of a session, on whichever server process holds it. */
export function endSessionSockets(io: Hub, sessionId: string, reason: string): void {
  io.to(rooms.session(sessionId)).emit('session:ended', { reason });
  io.in(rooms.session(sessionId)).disconnectSockets(true);
}
