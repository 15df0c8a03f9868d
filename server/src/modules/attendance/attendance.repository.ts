// SQL of attendance. The reads behind the dashboard: one query each for the meeting
// (with who may see it), the expected roster, the Zoom segments, the hall segments and
// the stored attendance, whatever the number of people. The report sync's lookups and
// its one-transaction replacement of a meeting's report rows and computed attendance.
import { and, asc, eq, gte, inArray, isNull, isNotNull, lte, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import {
  attendanceRecords,
  courses,
  exams,
  meetingParticipation,
  meetingRegistrants,
  presence,
  users,
  zoomMeetings,
} from '../../db/schema/index.ts';

/** The meeting plus the people its access rule needs: the exam's owner and the course's teacher. */
export async function findMeeting(db: Db, meetingId: string) {
  const [row] = await db
    .select({
      meeting: zoomMeetings,
      examOwnerId: exams.createdBy,
      examCourseId: exams.courseId,
      courseTeacherId: courses.teacherId,
    })
    .from(zoomMeetings)
    .leftJoin(exams, eq(exams.id, zoomMeetings.examId))
    .leftJoin(courses, eq(courses.id, zoomMeetings.courseId))
    .where(eq(zoomMeetings.id, meetingId));
  return row;
}

export interface RosterPerson {
  userId: string;
  name: string;
  email: string;
}

/** Everyone expected: the meeting's registrants, the linked exam's participants, the linked course's students. */
export async function expectedRoster(
  db: Db,
  m: { id: string; examId: string | null; courseId: string | null },
): Promise<RosterPerson[]> {
  const res = await db.execute<{ user_id: string; name: string; email: string }>(sql`
    with expected as (
      select user_id from meeting_registrants where meeting_id = ${m.id} and status <> 'cancelled'
      union
      select user_id from exam_participants where exam_id = ${m.examId}
      union
      select user_id from enrollments
       where course_id = ${m.courseId} and role = 'student' and status = 'active'
    )
    select u.id as user_id, u.name, u.email
      from expected e join ${users} u on u.id = e.user_id
     order by lower(u.name), u.email`);
  return res.rows.map((r) => ({ userId: r.user_id, name: r.name, email: r.email }));
}

/** Zoom segments of one source, with the matched account's name and email. */
export function zoomSegments(db: Db, meetingId: string, source: 'webhook' | 'report') {
  return db
    .select({
      userId: meetingParticipation.userId,
      participantUuid: meetingParticipation.zoomParticipantUuid,
      name: meetingParticipation.name,
      email: meetingParticipation.email,
      userName: users.name,
      userEmail: users.email,
      joinedAt: meetingParticipation.joinedAt,
      leftAt: meetingParticipation.leftAt,
    })
    .from(meetingParticipation)
    .leftJoin(users, eq(users.id, meetingParticipation.userId))
    .where(and(eq(meetingParticipation.meetingId, meetingId), eq(meetingParticipation.source, source)))
    .orderBy(asc(meetingParticipation.joinedAt));
}
export type ZoomSegmentRow = Awaited<ReturnType<typeof zoomSegments>>[number];

/** Whether the post-meeting report has been stored for this meeting (some sync wrote rows). */
export async function hasReportRows(db: Db, meetingId: string): Promise<boolean> {
  const [row] = await db
    .select({ one: sql<number>`1` })
    .from(meetingParticipation)
    .where(and(eq(meetingParticipation.meetingId, meetingId), eq(meetingParticipation.source, 'report')))
    .limit(1);
  return !!row;
}

/**
 * The exam hall's connection segments (of attempts) that touch the meeting's window:
 * open ones always, closed ones only if they overlap [from, to].
 */
export function hallSegments(db: Db, examId: string, window: { from: Date | null; to: Date | null }) {
  return db
    .select({ userId: presence.userId, joinedAt: presence.joinedAt, leftAt: presence.leftAt })
    .from(presence)
    .where(
      and(
        eq(presence.examId, examId),
        eq(presence.source, 'hall'),
        isNotNull(presence.attemptId),
        window.from ? or(isNull(presence.leftAt), gte(presence.leftAt, window.from)) : undefined,
        window.to ? lte(presence.joinedAt, window.to) : undefined,
      ),
    )
    .orderBy(asc(presence.joinedAt));
}

export function attendanceOf(db: Db, meetingId: string) {
  return db
    .select({
      userId: attendanceRecords.userId,
      status: attendanceRecords.status,
      firstJoinAt: attendanceRecords.firstJoinAt,
      lastLeaveAt: attendanceRecords.lastLeaveAt,
      totalSeconds: attendanceRecords.totalSeconds,
      segmentsCount: attendanceRecords.segmentsCount,
      source: attendanceRecords.source,
      name: users.name,
      email: users.email,
    })
    .from(attendanceRecords)
    .innerJoin(users, eq(users.id, attendanceRecords.userId))
    .where(eq(attendanceRecords.meetingId, meetingId));
}
export type StoredAttendance = Awaited<ReturnType<typeof attendanceOf>>[number];

// The report sync

export async function zoomMeeting(db: Db, meetingId: string) {
  const [meeting] = await db.select().from(zoomMeetings).where(eq(zoomMeetings.id, meetingId));
  return meeting;
}

/** Zoom registrant id to user id, for the given registrants of the meeting. */
export async function usersByRegistrant(db: Db, meetingId: string, registrantIds: string[]) {
  const byRegistrant = new Map<string, string>();
  if (!registrantIds.length) return byRegistrant;
  for (const r of await db
    .select({ id: meetingRegistrants.zoomRegistrantId, userId: meetingRegistrants.userId })
    .from(meetingRegistrants)
    .where(
      and(eq(meetingRegistrants.meetingId, meetingId), inArray(meetingRegistrants.zoomRegistrantId, registrantIds)),
    )) {
    if (r.id) byRegistrant.set(r.id, r.userId);
  }
  return byRegistrant;
}

/** Lower-cased email to user id, a thousand addresses a query. */
export async function usersByEmail(db: Db, emails: string[]) {
  const byEmail = new Map<string, string>();
  for (let i = 0; i < emails.length; i += 1000) {
    for (const u of await db
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(inArray(users.email, emails.slice(i, i + 1000)))) {
      byEmail.set(u.email, u.id);
    }
  }
  return byEmail;
}

/**
 * Replaces the meeting's report segments, upserts its computed attendance (a teacher's
 * manual status stands) and marks it synced, a thousand rows a statement.
 */
export async function replaceReport(
  tx: Tx,
  meetingId: string,
  rows: (typeof meetingParticipation.$inferInsert)[],
  records: (typeof attendanceRecords.$inferInsert)[],
  now: Date,
) {
  await tx
    .delete(meetingParticipation)
    .where(and(eq(meetingParticipation.meetingId, meetingId), eq(meetingParticipation.source, 'report')));
  for (let i = 0; i < rows.length; i += 1000) {
    await tx
      .insert(meetingParticipation)
      .values(rows.slice(i, i + 1000))
      .onConflictDoNothing();
  }
  for (let i = 0; i < records.length; i += 1000) {
    await tx
      .insert(attendanceRecords)
      .values(records.slice(i, i + 1000))
      .onConflictDoUpdate({
        target: [attendanceRecords.meetingId, attendanceRecords.userId],
        set: {
          status: sql`excluded.status`,
          firstJoinAt: sql`excluded.first_join_at`,
          lastLeaveAt: sql`excluded.last_leave_at`,
          totalSeconds: sql`excluded.total_seconds`,
          segmentsCount: sql`excluded.segments_count`,
          sessionDate: sql`excluded.session_date`,
          computedAt: sql`excluded.computed_at`,
          source: sql`excluded.source`,
          updatedAt: now,
        },
        // A teacher's manual status stands.
        setWhere: sql`${attendanceRecords.source} <> 'manual'`,
      });
  }
  await tx.update(zoomMeetings).set({ lastSyncedAt: now, updatedAt: now }).where(eq(zoomMeetings.id, meetingId));
}

// Reconciliation

/**
 * Meetings that ended over `settleSeconds` ago (give it the report delay plus a margin,
 * so the normal delayed sync runs first) but less than `maxAgeHours` ago (Zoom keeps
 * reports for a while; an old meeting whose sync keeps failing is not retried for ever),
 * and were not synced after they ended.
 */
export async function unsyncedMeetingIds(
  db: Db,
  limit: number,
  settleSeconds: number,
  maxAgeHours: number,
): Promise<string[]> {
  const rows = await db
    .select({ id: zoomMeetings.id })
    .from(zoomMeetings)
    .where(
      and(
        eq(zoomMeetings.status, 'ended'),
        sql`(${zoomMeetings.lastSyncedAt} is null or ${zoomMeetings.lastSyncedAt} < ${zoomMeetings.endedAt})`,
        // updated_at: when the end reached us (ended_at is Zoom's clock, and may be replayed late).
        sql`${zoomMeetings.updatedAt} <= now() - make_interval(secs => ${settleSeconds})`,
        sql`${zoomMeetings.updatedAt} > now() - make_interval(hours => ${maxAgeHours})`,
      ),
    )
    .orderBy(asc(zoomMeetings.updatedAt))
    .limit(limit);
  return rows.map((r) => r.id);
}
