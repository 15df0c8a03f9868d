// SQL for Zoom meetings and their registrants, and for the webhook events' participant
// events and live segments. Bulk writes pass whole columns as array parameters and
// unnest them, so a class of thousands stays one statement.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import {
  courses,
  enrollments,
  examParticipants,
  exams,
  meetingParticipation,
  meetingRegistrants,
  users,
  zoomMeetings,
  zoomParticipantEvents,
  type MeetingRegistrant,
  type NewZoomMeeting,
  type UserStatus,
  type ZoomMeeting,
  type ZoomParticipantEvent,
} from '../../db/schema/index.ts';

type Q = Db | Tx;

export async function findMeeting(db: Q, id: string): Promise<ZoomMeeting | undefined> {
  const [row] = await db.select().from(zoomMeetings).where(eq(zoomMeetings.id, id));
  return row;
}

export async function findByZoomId(db: Q, zoomMeetingId: string): Promise<ZoomMeeting | undefined> {
  const [row] = await db.select().from(zoomMeetings).where(eq(zoomMeetings.zoomMeetingId, zoomMeetingId));
  return row;
}

/** The new row, or undefined when the Zoom meeting is linked already (unique zoom_meeting_id). */
export async function insertMeeting(db: Q, values: NewZoomMeeting): Promise<ZoomMeeting | undefined> {
  const [row] = await db.insert(zoomMeetings).values(values).onConflictDoNothing().returning();
  return row;
}

export async function updateMeeting(db: Q, id: string, patch: Partial<NewZoomMeeting>): Promise<ZoomMeeting> {
  const [row] = await db
    .update(zoomMeetings)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(zoomMeetings.id, id))
    .returning();
  return row!;
}

export async function listMeetings(db: Q, where: { examId?: string; courseId?: string }): Promise<ZoomMeeting[]> {
  const cond = where.examId ? eq(zoomMeetings.examId, where.examId) : eq(zoomMeetings.courseId, where.courseId!);
  return db
    .select()
    .from(zoomMeetings)
    .where(cond)
    .orderBy(sql`${zoomMeetings.startTime} desc nulls last`, asc(zoomMeetings.createdAt));
}

export interface Person {
  userId: string;
  email: string;
  name: string;
  status: UserStatus;
}

const personColumns = { userId: users.id, email: users.email, name: users.name, status: users.status };

/** Who is expected at a meeting: the exam's participants, or the course's active students. */
export async function expectedPeople(db: Q, meeting: Pick<ZoomMeeting, 'examId' | 'courseId'>): Promise<Person[]> {
  if (meeting.examId) {
    return db
      .select(personColumns)
      .from(examParticipants)
      .innerJoin(users, eq(users.id, examParticipants.userId))
      .where(eq(examParticipants.examId, meeting.examId))
      .orderBy(asc(users.name), asc(users.email));
  }
  if (meeting.courseId) {
    return db
      .select(personColumns)
      .from(enrollments)
      .innerJoin(users, eq(users.id, enrollments.userId))
      .where(
        and(
          eq(enrollments.courseId, meeting.courseId),
          eq(enrollments.role, 'student'),
          eq(enrollments.status, 'active'),
        ),
      )
      .orderBy(asc(users.name), asc(users.email));
  }
  return [];
}

export async function peopleByIds(db: Q, ids: string[]): Promise<Person[]> {
  if (!ids.length) return [];
  return db
    .select(personColumns)
    .from(users)
    .where(sql`${users.id} = any(${sql.param(ids)}::uuid[])`);
}

/** The allowed email domains of the meeting's course (an exam's through the exam); empty = anyone. */
export async function allowedDomains(db: Q, meeting: Pick<ZoomMeeting, 'examId' | 'courseId'>): Promise<string[]> {
  if (meeting.courseId) {
    const [row] = await db
      .select({ d: courses.allowedEmailDomains })
      .from(courses)
      .where(eq(courses.id, meeting.courseId));
    return row?.d ?? [];
  }
  if (meeting.examId) {
    const [row] = await db
      .select({ d: courses.allowedEmailDomains })
      .from(exams)
      .innerJoin(courses, eq(courses.id, exams.courseId))
      .where(eq(exams.id, meeting.examId));
    return row?.d ?? [];
  }
  return [];
}

export async function registrantsOf(db: Q, meetingId: string): Promise<MeetingRegistrant[]> {
  return db.select().from(meetingRegistrants).where(eq(meetingRegistrants.meetingId, meetingId));
}

export interface RegistrantWrite {
  userId: string;
  email: string;
  status: 'registered' | 'failed';
  zoomRegistrantId: string | null;
  joinUrl: string | null;
  lastError: string | null;
}

/**
 * One row per (meeting, user). A failure never overwrites a registration that
 * exists (a concurrent or earlier success keeps its id and link).
 */
export async function upsertRegistrants(db: Q, meetingId: string, rows: RegistrantWrite[]): Promise<void> {
  if (!rows.length) return;
  const col = <T>(f: (r: RegistrantWrite) => T) => sql.param(rows.map(f));
  await db.execute(sql`
    insert into ${meetingRegistrants}
      (meeting_id, user_id, email, status, zoom_registrant_id, join_url, last_error, registered_at)
    select ${meetingId}::uuid, u, e, s::registrant_status, z, j, le,
           case when s = 'registered' then now() end
    from unnest(${col((r) => r.userId)}::uuid[], ${col((r) => r.email)}::text[], ${col((r) => r.status)}::text[],
                ${col((r) => r.zoomRegistrantId)}::text[], ${col((r) => r.joinUrl)}::text[],
                ${col((r) => r.lastError)}::text[]) as t(u, e, s, z, j, le)
    on conflict (meeting_id, user_id) do update set
      email = excluded.email,
      status = excluded.status,
      zoom_registrant_id = excluded.zoom_registrant_id,
      join_url = excluded.join_url,
      last_error = excluded.last_error,
      registered_at = excluded.registered_at,
      updated_at = now()
    where excluded.status = 'registered' or ${meetingRegistrants.status} <> 'registered'`);
}

/** A student's personal links, for meetings that did not end more than a day ago. */
export async function myMeetings(db: Q, userId: string) {
  const end = sql`coalesce(${zoomMeetings.endedAt}, ${zoomMeetings.startTime} + make_interval(mins => coalesce(${zoomMeetings.durationMinutes}, 0)))`;
  return db
    .select({
      meetingId: zoomMeetings.id,
      topic: zoomMeetings.topic,
      startTime: zoomMeetings.startTime,
      status: zoomMeetings.status,
      joinUrl: meetingRegistrants.joinUrl,
    })
    .from(meetingRegistrants)
    .innerJoin(zoomMeetings, eq(zoomMeetings.id, meetingRegistrants.meetingId))
    .where(
      and(
        eq(meetingRegistrants.userId, userId),
        eq(meetingRegistrants.status, 'registered'),
        sql`${meetingRegistrants.joinUrl} is not null`,
        sql`(${end} is null or ${end} > now() - interval '1 day')`,
      ),
    )
    .orderBy(sql`${zoomMeetings.startTime} asc nulls last`);
}

// Webhook events

/** The user a registrant of the meeting belongs to. */
export async function registrantUser(db: Q, meetingId: string, registrantId: string): Promise<string | undefined> {
  const [r] = await db
    .select({ userId: meetingRegistrants.userId })
    .from(meetingRegistrants)
    .where(and(eq(meetingRegistrants.meetingId, meetingId), eq(meetingRegistrants.zoomRegistrantId, registrantId)));
  return r?.userId;
}

/** The user with this (lower-cased) email. */
export async function userIdByEmail(db: Q, email: string): Promise<string | undefined> {
  const [u] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  return u?.id;
}

/** Locks the meeting row so its events are applied one at a time. */
export async function lockByZoomId(tx: Tx, zoomMeetingId: string): Promise<ZoomMeeting | undefined> {
  const [meeting] = await tx
    .select()
    .from(zoomMeetings)
    .where(eq(zoomMeetings.zoomMeetingId, zoomMeetingId))
    .for('no key update');
  return meeting;
}

/** Started unless already ended; the given start time, else the stored one, else `fallback`. */
export async function markStarted(
  tx: Tx,
  id: string,
  set: { startedAt: Date | null; fallback: Date; zoomUuid: string | null },
) {
  await tx
    .update(zoomMeetings)
    .set({
      status: sql`case when ${zoomMeetings.status} = 'ended' then 'ended'::zoom_meeting_status else 'started'::zoom_meeting_status end`,
      startedAt: set.startedAt ?? sql`coalesce(${zoomMeetings.startedAt}, ${set.fallback})`,
      zoomUuid: set.zoomUuid,
      updatedAt: new Date(),
    })
    .where(eq(zoomMeetings.id, id));
}

/** Ended at `endedAt`; the given start time, else the stored one, else the end. */
export async function markEnded(
  tx: Tx,
  id: string,
  set: { endedAt: Date; startedAt: Date | null; zoomUuid: string | null },
) {
  await tx
    .update(zoomMeetings)
    .set({
      status: 'ended',
      endedAt: set.endedAt,
      startedAt: set.startedAt ?? sql`coalesce(${zoomMeetings.startedAt}, ${set.endedAt})`,
      zoomUuid: set.zoomUuid,
      updatedAt: new Date(),
    })
    .where(eq(zoomMeetings.id, id));
}

/** A scheduled meeting that someone joined has started (at the stored start, else `at`). */
export async function startIfScheduled(tx: Tx, id: string, at: Date) {
  await tx
    .update(zoomMeetings)
    .set({ status: 'started', startedAt: sql`coalesce(${zoomMeetings.startedAt}, ${at})` })
    .where(and(eq(zoomMeetings.id, id), eq(zoomMeetings.status, 'scheduled')));
}

type NewParticipantEvent = typeof zoomParticipantEvents.$inferInsert;

/** Stores a participant event; a redelivery is a no-op, or with `refresh` updates who it names. */
export async function insertParticipantEvent(tx: Tx, event: NewParticipantEvent, refresh = false) {
  const insert = tx.insert(zoomParticipantEvents).values(event);
  if (!refresh) {
    await insert.onConflictDoNothing();
    return;
  }
  await insert.onConflictDoUpdate({
    target: [
      zoomParticipantEvents.meetingId,
      zoomParticipantEvents.participantKey,
      zoomParticipantEvents.kind,
      zoomParticipantEvents.at,
    ],
    set: {
      stayId: event.stayId,
      userId: event.userId,
      registrantId: event.registrantId,
      name: event.name,
      email: event.email,
    },
  });
}

/** The meeting's participant events, of one participant or (key null) of everyone. */
export async function participantEvents(
  tx: Tx,
  meetingId: string,
  key: string | null,
): Promise<ZoomParticipantEvent[]> {
  return tx
    .select()
    .from(zoomParticipantEvents)
    .where(
      and(
        eq(zoomParticipantEvents.meetingId, meetingId),
        key === null ? undefined : eq(zoomParticipantEvents.participantKey, key),
      ),
    );
}

/** The meeting's webhook segments, of one participant or (key null) of everyone. */
export async function webhookSegments(tx: Tx, meetingId: string, key: string | null) {
  return tx
    .select()
    .from(meetingParticipation)
    .where(
      and(
        eq(meetingParticipation.meetingId, meetingId),
        eq(meetingParticipation.source, 'webhook'),
        key === null ? undefined : eq(meetingParticipation.zoomParticipantUuid, key),
      ),
    );
}

type NewSegment = typeof meetingParticipation.$inferInsert;

export async function insertSegment(tx: Tx, segment: NewSegment) {
  await tx.insert(meetingParticipation).values(segment);
}

export async function updateSegment(tx: Tx, id: string, set: Partial<NewSegment>) {
  await tx
    .update(meetingParticipation)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(meetingParticipation.id, id));
}

export async function deleteSegment(tx: Tx, id: string) {
  await tx.delete(meetingParticipation).where(eq(meetingParticipation.id, id));
}
