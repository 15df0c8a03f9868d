// Every inbound socket event in one table, typed from protocol's `clientEvents`: each
// handler gets the payload its event's schema parsed and answers its event's ack. In
// front of each: a per-socket rate limit; a payload that fails its schema, or a handler
// that throws, answers an error ack and never crashes the process.
import type { z } from 'zod';
import {
  clientEvents,
  rooms,
  type AckReply,
  type ClientAck,
  type ClientEvent,
  type ClientPayloadParsed,
} from '@exam-hall/protocol';
import { AppError } from '../http/errors.ts';
import { unavailableErrorOf } from '../db/unavailable.ts';
import type { Logger } from '../lib/logger.ts';
import type { HallService } from '../modules/hall/hall.service.ts';
import type { AttemptLiveService, JoinedAttempt } from '../modules/attempts/attempts.live.service.ts';
import type { ProctoringService } from '../modules/proctoring/proctoring.service.ts';
import type { AttendanceService } from '../modules/attendance/attendance.service.ts';
import { isCameraSignal, signalExtras, type CameraService } from '../modules/camera/camera.service.ts';
import type { Caller } from '../policy/actor.ts';
import { parseAttemptCookie } from '../policy/attempt-cookie.ts';
import type { Hub, HubSocket } from './hub.ts';

/**
 * The presence segments of this process's sockets end when they close: `leave` ends one (in
 * the background, group-committed by the service), `drain` waits for those still running.
 */
export function presenceLeaves(attemptLive: Pick<AttemptLiveService, 'leave'>, log: Logger) {
  const pending = new Set<Promise<unknown>>();
  return {
    leave(socket: { id: string }, joined: JoinedAttempt) {
      const p = attemptLive.leave(joined, socket.id).catch((err) => log.error({ err }, 'presence leave failed'));
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    drain: () => Promise.all([...pending]).then(() => undefined),
  };
}
export type PresenceLeaves = ReturnType<typeof presenceLeaves>;

/** The handler of each client event: its parsed payload in, its ack's data out. */
export type SocketHandlers = {
  [E in ClientEvent]: (socket: HubSocket, input: ClientPayloadParsed<E>) => Promise<ClientAck<E>> | ClientAck<E>;
};

function joinedAttempt(socket: HubSocket, attemptId: string) {
  const joined = socket.data.joined.get(attemptId);
  if (!joined) throw new AppError(409, 'conflict', 'Join the attempt first (attempt:join).');
  return joined;
}

function callerOf(socket: HubSocket): Caller {
  const actor = socket.data.actor;
  if (!actor) throw new AppError(401, 'unauthenticated', 'Sign in to do this.');
  return { actor, ip: socket.data.ip };
}

/**
 * Socket ids in a room across the cluster (through Redis). When the cluster does not
 * answer in time (Redis away), what this process knows: a join never waits on Redis.
 */
async function liveInRoom(socket: HubSocket, room: string, ms = 1500): Promise<string[]> {
  const cluster = socket.nsp.in(room).fetchSockets();
  cluster.catch(() => {}); // may settle after the race is decided
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)));
  const found = await Promise.race([cluster, late])
    .catch(() => socket.nsp.in(room).local.fetchSockets())
    .finally(() => clearTimeout(timer));
  return found.map((r: { id: string }) => r.id);
}

export function socketHandlers(deps: {
  hall: HallService;
  attemptLive: AttemptLiveService;
  proctoring: ProctoringService;
  attendance: AttendanceService;
  camera: CameraService;
  presence: PresenceLeaves;
}): SocketHandlers {
  const { hall, attemptLive, proctoring, attendance, camera, presence } = deps;
  return {
    whoami: (socket) => {
      const a = socket.data.actor;
      const cookie = socket.data.attemptCookie;
      return {
        user: a ? { id: a.userId, email: a.email, name: a.name, role: a.role } : null,
        sessionId: a?.sessionId ?? null,
        attemptId: cookie === null ? null : parseAttemptCookie(cookie).attemptId,
      };
    },
    'time:sync': () => ({ serverTime: new Date().toISOString() }),
    'attempt:join': async (socket, input) => {
      const who = { actor: socket.data.actor, attemptCookie: socket.data.attemptCookie };
      const room = rooms.attempt(input.attemptId);
      const { snapshot, joined } = await attemptLive.join(
        who,
        input,
        { socketId: socket.id, ip: socket.data.ip },
        () => Promise.resolve(socket.join(room)),
        () => liveInRoom(socket, room),
      );
      socket.data.joined.set(joined.attemptId, joined);
      // Finished after its socket closed: 'disconnect' ran before the attempt was joined and
      // left nothing, so the segment this join opened ends now (otherwise only the presence
      // reaper would end it, a minute later, and the hall would show the student online meanwhile).
      if (socket.disconnected) presence.leave(socket, joined);
      return snapshot;
    },
    'answer:save': (socket, input) => attemptLive.save(joinedAttempt(socket, input.attemptId), input),
    'attempt:submit': (socket, input) =>
      attemptLive.submit(joinedAttempt(socket, input.attemptId), { ip: socket.data.ip }),
    'proctor:signal': async (socket, input) => {
      const joined = joinedAttempt(socket, input.attemptId);
      const details: Record<string, unknown> = {};
      if (input.durationMs !== undefined) details.durationMs = input.durationMs;
      if (input.questionId) details.questionId = input.questionId;
      const { confidence, measure } = signalExtras(input);
      if (measure) details.measure = measure;
      const r = await attemptLive.signal(joined, input.type, details, input.clientEventId, confidence);
      if (!isCameraSignal(input.type)) return r;
      return { ...r, wantsEvidence: await camera.wantsEvidence(joined.examId, input.type, r.stored) };
    },
    'camera:status': (socket, input) => camera.status(joinedAttempt(socket, input.attemptId), input),
    'hall:watch': (socket, input) =>
      hall.watch(callerOf(socket), input.examId, () => Promise.resolve(socket.join(rooms.examProctors(input.examId)))),
    'attendance:watch': (socket, input) =>
      attendance.watch(callerOf(socket).actor, input.meetingId, () =>
        Promise.resolve(socket.join(rooms.meetingAttendance(input.meetingId))),
      ),
    'hall:action': async (socket, input) => ({ row: await hall.act(callerOf(socket), input) }),
    'hall:bulk': (socket, input) => hall.bulk(callerOf(socket), input),
    'alert:review-many': async (socket, input) => {
      const events = await proctoring.reviewMany(callerOf(socket), input.eventIds, input.status);
      await hall.refreshRows([...new Set(events.map((e) => e.attemptId))]);
      return { events };
    },
    'alert:review': async (socket, input) => {
      const event = await proctoring.review(callerOf(socket), input.eventId, input.status, input.note);
      await hall.refreshRow(event.attemptId);
      return { event };
    },
    'hall:note': (socket, input) => hall.notes.get(callerOf(socket), input.attemptId),
    'hall:note-save': (socket, input) => hall.notes.save(callerOf(socket), input),
    'hall:risk': (socket, input) => hall.risk(callerOf(socket), input.attemptId),
  };
}

/** A token bucket per socket: bursts are fine, a flood is not. */
function bucket(ratePerSecond: number, burst: number) {
  let tokens = burst;
  let last = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * ratePerSecond);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** One listener serves every client event: what it receives is checked by the event's schema, not by the type. */
function on(socket: HubSocket, event: ClientEvent, listener: (...args: unknown[]) => Promise<void>) {
  socket.on(event, listener);
}

const isClientEvent = (name: string): name is ClientEvent => Object.hasOwn(clientEvents, name);

type Parsed<E extends ClientEvent> = { ok: true; input: ClientPayloadParsed<E> } | { ok: false; message: string };

/** Checks event E's payload with E's schema in the contract (no schema: the event carries no payload). */
function parsePayload<E extends ClientEvent>(event: E, raw: unknown): Parsed<E> {
  const schema: z.ZodType | null = clientEvents[event].payload;
  if (!schema) return { ok: true, input: undefined as ClientPayloadParsed<E> };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, input: parsed.data as ClientPayloadParsed<E> };
  const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
  return { ok: false, message: `Invalid ${event} payload: ${detail}` };
}

/** Wires the table to every connection; a closing socket's presence segments end through `presence`. */
export function attachHandlers(io: Hub, handlers: SocketHandlers, log: Logger, presence: PresenceLeaves) {
  io.on('connection', (socket) => {
    const allow = bucket(20, 60);
    let refused = 0;
    const listen = <E extends ClientEvent>(event: E) => {
      on(socket, event, async (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (r: AckReply<unknown>) => void) : null;
        const reply = (r: AckReply<ClientAck<E>>) => ack?.(r);
        if (!allow()) {
          // A client that keeps flooding after being told is cut off.
          if (++refused > 200) socket.disconnect(true);
          return reply({ ok: false, error: { code: 'rate_limited', message: 'Too many messages; slow down.' } });
        }
        const parsed = parsePayload(event, args[0]);
        if (!parsed.ok) return reply({ ok: false, error: { code: 'validation_failed', message: parsed.message } });
        try {
          reply({ ok: true, data: await handlers[event](socket, parsed.input) });
        } catch (e) {
          const known = e instanceof AppError ? e : unavailableErrorOf(e);
          if (known) return reply({ ok: false, error: { code: known.code, message: known.message } });
          log.error({ err: e, event }, 'socket handler failed');
          reply({ ok: false, error: { code: 'internal', message: 'Something went wrong on our side; try again.' } });
        }
      });
    };
    for (const event of Object.keys(clientEvents)) if (isClientEvent(event)) listen(event);
    socket.on('disconnect', () => {
      for (const joined of socket.data.joined.values()) presence.leave(socket, joined);
    });
  });
}
