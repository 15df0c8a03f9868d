// Every inbound socket event in one table: its payload schema, next to its handler.
// In front of each: a per-socket rate limit; a payload that fails its schema, or a
// handler that throws, answers an error ack and never crashes the process.
import type { z } from 'zod';
import {
  attemptNoteQuerySchema,
  attemptNoteSaveSchema,
  hallActionSchema,
  hallBulkSchema,
  joinAttemptSchema,
  proctorSignalSchema,
  reviewAlertSchema,
  reviewAlertsSchema,
  rooms,
  saveAnswerSchema,
  submitAttemptSchema,
  watchExamSchema,
  watchAttendanceSchema,
  type AckReply,
} from '@exam-hall/protocol';
import { z as zod } from 'zod';
import { AppError, notFound } from '../http/errors.ts';
import { unavailableErrorOf } from '../db/unavailable.ts';
import type { Logger } from '../lib/logger.ts';
import type { HallService } from '../modules/hall/hall.service.ts';
import type { ProctoringService } from '../modules/proctoring/proctoring.service.ts';
import { loadWatchableExam } from '../modules/hall/hall.access.ts';
import { loadAttendanceMeeting } from '../modules/attendance/attendance.service.ts';
import type { Db } from '../db/client.ts';
import type { Hub, HubSocket } from './hub.ts';

interface Handler<S extends z.ZodType | null> {
  schema: S;
  handle: (socket: HubSocket, input: S extends z.ZodType ? z.output<S> : undefined) => Promise<unknown> | unknown;
}
const handler = <S extends z.ZodType | null>(h: Handler<S>) => h;

function joinedAttempt(socket: HubSocket, attemptId: string) {
  const joined = socket.data.joined.get(attemptId);
  if (!joined) throw new AppError(409, 'conflict', 'Join the attempt first (attempt:join).');
  return joined;
}

function callerOf(socket: HubSocket) {
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

export function socketHandlers(deps: { db: Db; hall: HallService; proctoring: ProctoringService }) {
  const { db, hall, proctoring } = deps;
  return {
    whoami: handler({
      schema: null,
      handle: (socket) => {
        const a = socket.data.actor;
        return {
          user: a ? { id: a.userId, email: a.email, name: a.name, role: a.role } : null,
          sessionId: a?.sessionId ?? null,
          attemptId: socket.data.attemptCookie?.split('.')[0] ?? null,
        };
      },
    }),
    'time:sync': handler({ schema: null, handle: () => ({ serverTime: new Date().toISOString() }) }),
    'attempt:join': handler({
      schema: joinAttemptSchema,
      handle: async (socket, input) => {
        const who = { actor: socket.data.actor, attemptCookie: socket.data.attemptCookie };
        const room = rooms.attempt(input.attemptId);
        const { snapshot, joined } = await hall.join(
          who,
          input,
          { socketId: socket.id, ip: socket.data.ip },
          () => Promise.resolve(socket.join(room)),
          () => liveInRoom(socket, room),
        );
        socket.data.joined.set(joined.attemptId, joined);
        return snapshot;
      },
    }),
    'answer:save': handler({
      schema: saveAnswerSchema,
      handle: (socket, input) => hall.save(joinedAttempt(socket, input.attemptId), input),
    }),
    'attempt:submit': handler({
      schema: submitAttemptSchema,
      handle: (socket, input) => hall.submit(joinedAttempt(socket, input.attemptId), { ip: socket.data.ip }),
    }),
    'proctor:signal': handler({
      schema: proctorSignalSchema,
      handle: async (socket, input) => {
        const joined = joinedAttempt(socket, input.attemptId);
        const details: Record<string, unknown> = {};
        if (input.durationMs !== undefined) details.durationMs = input.durationMs;
        if (input.questionId) details.questionId = input.questionId;
        return { stored: await hall.signal(joined, input.type, details, input.clientEventId) };
      },
    }),
    'hall:watch': handler({
      schema: watchExamSchema,
      handle: async (socket, input) => {
        return hall.watch(callerOf(socket), input.examId, () =>
          Promise.resolve(socket.join(rooms.examProctors(input.examId))),
        );
      },
    }),
    'attendance:watch': handler({
      schema: watchAttendanceSchema,
      handle: async (socket, input) => {
        await loadAttendanceMeeting(db, callerOf(socket).actor, input.meetingId);
        await socket.join(rooms.meetingAttendance(input.meetingId));
        return { watching: true as const };
      },
    }),
    'hall:action': handler({
      schema: hallActionSchema,
      handle: async (socket, input) => ({ row: await hall.act(callerOf(socket), input) }),
    }),
    'hall:bulk': handler({
      schema: hallBulkSchema,
      handle: (socket, input) => hall.bulk(callerOf(socket), input),
    }),
    'alert:review-many': handler({
      schema: reviewAlertsSchema,
      handle: async (socket, input) => {
        const events = await proctoring.reviewMany(callerOf(socket), input.eventIds, input.status);
        await hall.refreshRows([...new Set(events.map((e) => e.attemptId))]);
        return { events };
      },
    }),
    'alert:review': handler({
      schema: reviewAlertSchema,
      handle: async (socket, input) => {
        const event = await proctoring.review(callerOf(socket), input.eventId, input.status, input.note);
        await hall.refreshRow(event.attemptId);
        return { event };
      },
    }),
    'hall:note': handler({
      schema: attemptNoteQuerySchema,
      handle: (socket, input) => hall.notes.get(callerOf(socket), input.attemptId),
    }),
    'hall:note-save': handler({
      schema: attemptNoteSaveSchema,
      handle: (socket, input) => hall.notes.save(callerOf(socket), input),
    }),
    'hall:risk': handler({
      schema: zod.object({ attemptId: zod.uuid('must be a UUID') }),
      handle: async (socket, input) => {
        const caller = callerOf(socket);
        const [a] = await db.query.attempts.findMany({ where: (t, { eq }) => eq(t.id, input.attemptId), limit: 1 });
        if (!a) throw notFound('Attempt');
        await loadWatchableExam(db, caller.actor, a.examId);
        return proctoring.riskOf(a.id);
      },
    }),
  };
}
export type SocketHandlers = ReturnType<typeof socketHandlers>;

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

/** Wires the table to every connection; `drain` waits for the presence updates of closed sockets. */
export function attachHandlers(io: Hub, handlers: SocketHandlers, log: Logger, hall: HallService) {
  const pending = new Set<Promise<unknown>>();
  io.on('connection', (socket) => {
    const allow = bucket(20, 60);
    let refused = 0;
    for (const [event, h] of Object.entries(handlers) as [string, Handler<z.ZodType | null>][]) {
      socket.on(event as 'whoami', async (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (r: AckReply<unknown>) => void) : null;
        const reply = (r: AckReply<unknown>) => ack?.(r);
        if (!allow()) {
          // A client that keeps flooding after being told is cut off.
          if (++refused > 200) socket.disconnect(true);
          return reply({ ok: false, error: { code: 'rate_limited', message: 'Too many messages; slow down.' } });
        }
        let input: unknown = undefined;
        if (h.schema) {
          const parsed = h.schema.safeParse(args[0]);
          if (!parsed.success) {
            const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
            return reply({
              ok: false,
              error: { code: 'validation_failed', message: `Invalid ${event} payload: ${detail}` },
            });
          }
          input = parsed.data;
        }
        try {
          reply({ ok: true, data: await h.handle(socket, input as never) });
        } catch (e) {
          const known = e instanceof AppError ? e : unavailableErrorOf(e);
          if (known) return reply({ ok: false, error: { code: known.code, message: known.message } });
          log.error({ err: e, event }, 'socket handler failed');
          reply({ ok: false, error: { code: 'internal', message: 'Something went wrong on our side; try again.' } });
        }
      });
    }
    socket.on('disconnect', () => {
      for (const joined of socket.data.joined.values()) {
        const p = hall.leave(joined, socket.id).catch((err) => log.error({ err }, 'presence leave failed'));
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
    });
  });
  return { drain: () => Promise.all([...pending]).then(() => undefined) };
}
