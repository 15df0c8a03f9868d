// SQL for Zoom meetings and their registrants. Bulk writes pass whole columns as array
// parameters and unnest them, so a class of thousands stays one statement.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import {
  courses,
  enrollments,
  examParticipants,
  exams,
  meetingRegistrants,
  users,
  zoomMeetings,
  type MeetingRegistrant,
  type NewZoomMeeting,
  type UserStatus,
  type ZoomMeeting,
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
