// The reads behind the attendance dashboard: one query each for the meeting (with who
// may see it), the expected roster, the Zoom segments, the hall segments and the
// stored attendance, whatever the number of people.
import { and, asc, eq, gte, isNull, isNotNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  attendanceRecords,
  courses,
  exams,
  meetingParticipation,
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
