// Registering students in a Zoom meeting: everyone expected or chosen people, the
// course's email domains enforced, idempotent (a registration we stored, or one Zoom
// already has for that email, is skipped, never duplicated), 30 per Zoom call with at
// most 3 calls in flight, one outcome per student. A failed item keeps its row with
// Zoom's reason so running it again retries exactly those.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { MeetingRegistrantRow, registerStudentsSchema, RegistrationSummary } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import type { ZoomMeeting } from '../../db/schema/index.ts';
import { conflict } from '../../http/errors.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { emailAllowed } from '../courses/courses.service.ts';
import { requireZoom, type ZoomClient } from './zoom.client.ts';
import { ZoomError } from './zoom.errors.ts';
import type { ZoomMeetingPayload, ZoomRegistrant } from './zoom.types.ts';
import * as repo from './zoom.meetings.repository.ts';

/** Zoom's limit per batch_registrants call. */
export const BATCH_SIZE = 30;
const MAX_IN_FLIGHT = 3;
const LIST_PAGE_SIZE = 300;
const LOCK_MS = 10 * 60_000;

type Input = z.output<typeof registerStudentsSchema>;
type Result = RegistrationSummary['results'][number];
type Outcome = { registered: ZoomRegistrant & { registrant_id: string } } | { error: string };

export interface RegistrationDeps {
  db: Db;
  secret: string;
  zoom: ZoomClient | null;
  redis: Redis;
  config: { redis: { prefix: string } };
  loadMeeting: (db: Db | Tx, actor: Actor, id: string) => Promise<ZoomMeeting>;
  viaZoom: <T>(fn: () => Promise<T>) => Promise<T>;
  registrationOn: (z: ZoomMeetingPayload) => boolean;
}

/** Zoom wants a first name (at most 64 characters); the rest of the name is the last name. */
export function zoomName(p: { name: string; email: string }): { first_name: string; last_name?: string } {
  const parts = p.name.trim().split(/\s+/).filter(Boolean);
  const first = (parts.shift() ?? p.email.slice(0, p.email.indexOf('@'))).slice(0, 64) || 'Student';
  const last = parts.join(' ').slice(0, 64);
  return last ? { first_name: first, last_name: last } : { first_name: first };
}

/** Runs fn over items with at most `limit` running at once. */
async function inPool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const chunk = <T>(items: T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

// Batch registration is for scheduled (type 2) meetings only; others take one registrant per call.
const batchUnsupported = (e: ZoomError) =>
  e.kind === 'refused' && /batch registration is not supported|meeting type: 2/i.test(e.message);

export function createRegistration(deps: RegistrationDeps) {
  const { db, secret, viaZoom } = deps;

  /** One registration run per meeting at a time: a double click must not register twice. */
  async function withLock<T>(meetingId: string, fn: () => Promise<T>): Promise<T> {
    const key = `${deps.config.redis.prefix}:zoom:register:${meetingId}`;
    const token = randomBytes(12).toString('hex');
    if ((await deps.redis.set(key, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
      throw conflict(
        'Students are being registered for this meeting right now. Wait for that to finish, then look again.',
      );
    }
    try {
      return await fn();
    } finally {
      await deps.redis.eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
        1,
        key,
        token,
      );
    }
  }

  /** Zoom's approved registrants of the meeting by email, every page. */
  async function zoomRegistrants(zoom: ZoomClient, zoomMeetingId: string) {
    const byEmail = new Map<string, ZoomRegistrant & { id: string }>();
    let token: string | undefined;
    do {
      const page = await viaZoom(() =>
        zoom.listRegistrants(zoomMeetingId, {
          page_size: LIST_PAGE_SIZE,
          ...(token ? { next_page_token: token } : {}),
        }),
      );
      for (const r of page.registrants ?? []) if (r.email) byEmail.set(r.email.toLowerCase(), r);
      token = page.next_page_token || undefined;
    } while (token);
    return byEmail;
  }

  async function registerOne(zoom: ZoomClient, zoomMeetingId: string, p: repo.Person): Promise<Outcome> {
    try {
      const r = await zoom.addRegistrant(zoomMeetingId, { email: p.email, ...zoomName(p) });
      return r.registrant_id ? { registered: { ...r, registrant_id: r.registrant_id } } : { error: unconfirmed };
    } catch (err) {
      if (err instanceof ZoomError) return { error: err.message };
      throw err;
    }
  }

  const unconfirmed = 'Zoom did not confirm this registration. Try again.';

  async function registerBatch(zoom: ZoomClient, zoomMeetingId: string, batch: repo.Person[]) {
    const out = new Map<string, Outcome>();
    try {
      const res = await zoom.batchRegister(
        zoomMeetingId,
        batch.map((p) => ({ email: p.email, ...zoomName(p) })),
      );
      const byEmail = new Map((res.registrants ?? []).map((r) => [r.email?.toLowerCase() ?? '', r]));
      for (const p of batch) {
        const r = byEmail.get(p.email.toLowerCase());
        out.set(
          p.userId,
          r?.registrant_id ? { registered: { ...r, registrant_id: r.registrant_id } } : { error: unconfirmed },
        );
      }
    } catch (err) {
      if (!(err instanceof ZoomError)) throw err;
      if (batchUnsupported(err)) {
        for (const p of batch) out.set(p.userId, await registerOne(zoom, zoomMeetingId, p));
      } else {
        for (const p of batch) out.set(p.userId, { error: err.message });
      }
    }
    return out;
  }

  /** Registration must be on in Zoom; a linked meeting may have had it turned on since. */
  async function ensureRegistrationOn(zoom: ZoomClient, meeting: ZoomMeeting): Promise<void> {
    if (meeting.registrationRequired) return;
    const found = await viaZoom(() => zoom.getMeeting(meeting.zoomMeetingId));
    if (!deps.registrationOn(found)) {
      throw conflict(
        'Registration is off for this meeting in Zoom. In Zoom, edit the meeting, tick "Registration: Required", save, and try again.',
      );
    }
    await repo.updateMeeting(db, meeting.id, { registrationRequired: true });
  }

  /**
   * Who this run is for, in the caller's order (the class list's for everyone), and the
   * chosen people who are not expected at the meeting.
   */
  async function choose(input: Input, expected: repo.Person[]) {
    if ('all' in input) return { order: expected.map((p) => p.userId), targets: expected, strangers: [] };
    const byId = new Map(expected.map((p) => [p.userId, p]));
    const order = [...new Set(input.userIds)];
    const others = order.filter((id) => !byId.has(id));
    const known = new Map((await repo.peopleByIds(db, others)).map((p) => [p.userId, p]));
    return {
      order,
      targets: order.flatMap((id) => byId.get(id) ?? []),
      strangers: others.map((id) => known.get(id) ?? { userId: id, email: '', name: '' }),
    };
  }

  return {
    async register(caller: Caller, meetingId: string, input: Input): Promise<RegistrationSummary> {
      const meeting = await deps.loadMeeting(db, caller.actor, meetingId);
      const zoom = await viaZoom(async () => requireZoom(deps.zoom));
      if (meeting.status === 'ended') {
        throw conflict('This meeting has ended; Zoom no longer takes registrations for it.');
      }
      return withLock(meeting.id, async () => {
        await ensureRegistrationOn(zoom, meeting);
        const notExpected = meeting.examId ? 'not a participant of this exam' : 'not a student of this course';
        const expected = await repo.expectedPeople(db, meeting);
        const results = new Map<string, Result>();
        const result = (
          p: { userId: string; email: string; name: string },
          outcome: Result['outcome'],
          reason: string | null,
        ) => results.set(p.userId, { userId: p.userId, email: p.email, name: p.name, outcome, reason });

        const { order, targets, strangers } = await choose(input, expected);
        for (const p of strangers) result(p, 'rejected', notExpected);

        const domains = await repo.allowedDomains(db, meeting);
        const stored = new Map((await repo.registrantsOf(db, meeting.id)).map((r) => [r.userId, r]));
        const pending: repo.Person[] = [];
        for (const p of targets) {
          if (p.status === 'suspended') result(p, 'rejected', 'the account is suspended');
          else if (!emailAllowed(domains, p.email)) {
            const domain = p.email.slice(p.email.lastIndexOf('@') + 1);
            result(
              p,
              'rejected',
              `the email domain ${domain} is not allowed for this course (allowed: ${domains.join(', ')})`,
            );
          } else if (stored.get(p.userId)?.status === 'registered') result(p, 'skipped', 'already registered');
          else pending.push(p);
        }

        const writes: repo.RegistrantWrite[] = [];
        const registered = (p: repo.Person, r: { registrant_id?: string; id?: string | number; join_url?: string }) =>
          writes.push({
            userId: p.userId,
            email: p.email,
            status: 'registered',
            zoomRegistrantId: String(r.registrant_id ?? r.id),
            joinUrl: r.join_url ?? null,
            lastError: null,
          });

        if (pending.length) {
          const inZoom = await zoomRegistrants(zoom, meeting.zoomMeetingId);
          const fresh: repo.Person[] = [];
          for (const p of pending) {
            const r = inZoom.get(p.email.toLowerCase());
            if (r) {
              // Registered in Zoom before (another tool, or a run that crashed before storing): keep its link.
              registered(p, r);
              result(p, 'skipped', 'already registered in Zoom');
            } else fresh.push(p);
          }
          await inPool(chunk(fresh, BATCH_SIZE), MAX_IN_FLIGHT, async (batch) => {
            const outcomes = await registerBatch(zoom, meeting.zoomMeetingId, batch);
            for (const p of batch) {
              const o = outcomes.get(p.userId)!;
              if ('registered' in o) {
                registered(p, o.registered);
                result(p, 'registered', null);
              } else {
                writes.push({
                  userId: p.userId,
                  email: p.email,
                  status: 'failed',
                  zoomRegistrantId: null,
                  joinUrl: null,
                  lastError: o.error,
                });
                result(p, 'failed', o.error);
              }
            }
          });
        }

        const list = order.map((id) => results.get(id)!);
        const counts = { registered: 0, skipped: 0, rejected: 0, failed: 0 };
        for (const r of list) counts[r.outcome]++;
        await db.transaction(async (tx) => {
          await repo.upsertRegistrants(tx, meeting.id, writes);
          await audit.record(tx, auditContextOf(secret, caller), {
            action: 'zoom.register',
            targetType: 'zoom_meeting',
            targetId: meeting.id,
            details: { all: 'all' in input, requested: list.length, ...counts },
          });
        });
        return { counts, results: list };
      });
    },

    /** Everyone expected plus anyone registered who no longer is, with their registration state. */
    async list(actor: Actor, meetingId: string): Promise<MeetingRegistrantRow[]> {
      const meeting = await deps.loadMeeting(db, actor, meetingId);
      const expected = await repo.expectedPeople(db, meeting);
      const rows = new Map((await repo.registrantsOf(db, meeting.id)).map((r) => [r.userId, r]));
      const expectedIds = new Set(expected.map((p) => p.userId));
      const former = await repo.peopleByIds(
        db,
        [...rows.keys()].filter((id) => !expectedIds.has(id)),
      );
      const row = (p: repo.Person, isExpected: boolean): MeetingRegistrantRow => {
        const r = rows.get(p.userId);
        return {
          userId: p.userId,
          name: p.name,
          email: p.email,
          expected: isExpected,
          status: r?.status ?? 'not_registered',
          lastError: r?.status === 'failed' ? r.lastError : null,
          registeredAt: r?.registeredAt?.toISOString() ?? null,
        };
      };
      return [...expected.map((p) => row(p, true)), ...former.map((p) => row(p, false))];
    },
  };
}

export type RegistrationService = ReturnType<typeof createRegistration>;
