// Zoom meetings, registrants, raw participation segments and computed attendance
// (seed 001, which ran on PostgreSQL/Supabase already).
import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { attendanceStatuses, zoomMeetingStatuses } from '@exam-hall/protocol';
import { createdAt, tstz, updatedAt } from './columns.ts';
import { courses } from './courses.ts';
import { exams } from './exams.ts';
import { users } from './users.ts';

export const zoomMeetingStatus = pgEnum('zoom_meeting_status', zoomMeetingStatuses);
export const registrantStatus = pgEnum('registrant_status', ['registered', 'failed', 'cancelled']);
export const participationSource = pgEnum('participation_source', ['webhook', 'report']);
export const attendanceStatus = pgEnum('attendance_status', attendanceStatuses);
// 'manual': a teacher overrode the computed status; recomputation must not overwrite it.
export const attendanceSource = pgEnum('attendance_source', ['webhook', 'report', 'manual']);

export const zoomMeetings = pgTable(
  'zoom_meetings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Zoom's numeric meeting id; text because it exceeds 32 bits and is an identifier, not a number.
    zoomMeetingId: text('zoom_meeting_id').notNull().unique('zoom_meetings_zoom_meeting_id_uq'),
    // Instance uuid (changes per occurrence); needed for the past-meeting report.
    zoomUuid: text('zoom_uuid'),
    // Zoom's host user id.
    hostId: text('host_id'),
    hostUserId: uuid('host_user_id').references(() => users.id, { onDelete: 'set null' }),
    topic: text('topic').notNull(),
    startTime: tstz('start_time'),
    durationMinutes: integer('duration_minutes'),
    timezone: text('timezone'),
    joinUrl: text('join_url'),
    registrationRequired: boolean('registration_required').notNull().default(false),
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'set null' }),
    examId: uuid('exam_id').references(() => exams.id, { onDelete: 'set null' }),
    status: zoomMeetingStatus('status').notNull().default('scheduled'),
    // Attendance rules: joined more than N minutes after start = late; attended less
    // than P percent of the meeting = partial.
    lateAfterMinutes: integer('late_after_minutes').notNull().default(10),
    partialBelowPercent: integer('partial_below_percent').notNull().default(75),
    startedAt: tstz('started_at'),
    endedAt: tstz('ended_at'),
    lastSyncedAt: tstz('last_synced_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('zoom_meetings_course_idx').on(t.courseId),
    index('zoom_meetings_exam_idx').on(t.examId),
    index('zoom_meetings_status_start_idx').on(t.status, t.startTime),
    check('zoom_meetings_duration_ck', sql`${t.durationMinutes} is null or ${t.durationMinutes} > 0`),
    check('zoom_meetings_late_after_ck', sql`${t.lateAfterMinutes} >= 0`),
    check('zoom_meetings_partial_below_ck', sql`${t.partialBelowPercent} between 0 and 100`),
    check(
      'zoom_meetings_ended_after_started_ck',
      sql`${t.endedAt} is null or ${t.startedAt} is null or ${t.endedAt} >= ${t.startedAt}`,
    ),
  ],
);

export const meetingRegistrants = pgTable(
  'meeting_registrants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => zoomMeetings.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    zoomRegistrantId: text('zoom_registrant_id'),
    // Personal join link returned by Zoom.
    joinUrl: text('join_url'),
    // A failed batch item keeps its row (with last_error) so a retry is idempotent.
    status: registrantStatus('status').notNull().default('registered'),
    lastError: text('last_error'),
    registeredAt: tstz('registered_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('meeting_registrants_meeting_user_uq').on(t.meetingId, t.userId),
    index('meeting_registrants_zoom_registrant_idx').on(t.zoomRegistrantId),
    index('meeting_registrants_user_idx').on(t.userId),
    check('meeting_registrants_registered_ck', sql`${t.status} <> 'registered' or ${t.zoomRegistrantId} is not null`),
  ],
);

// Raw join..leave segments, from live webhooks and from the post-meeting report.
// Both are kept (source) and attendance is computed from them.
export const meetingParticipation = pgTable(
  'meeting_participation',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => zoomMeetings.id, { onDelete: 'cascade' }),
    // Null until matched to a user (by registrant id or email).
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    // Zoom's participant_uuid (falls back to the report's id). Not null: part of the dedupe key.
    zoomParticipantUuid: text('zoom_participant_uuid').notNull(),
    zoomUserId: text('zoom_user_id'),
    registrantId: text('registrant_id'),
    name: text('name'),
    // As reported by Zoom; may be empty for guests.
    email: text('email'),
    joinedAt: tstz('joined_at').notNull(),
    leftAt: tstz('left_at'),
    durationSeconds: integer('duration_seconds'),
    leaveReason: text('leave_reason'),
    source: participationSource('source').notNull(),
    ipHash: text('ip_hash'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Webhook retries and re-synced report pages become ON CONFLICT no-ops/updates.
    uniqueIndex('meeting_participation_dedupe_uq').on(t.meetingId, t.zoomParticipantUuid, t.joinedAt, t.source),
    index('meeting_participation_meeting_user_idx').on(t.meetingId, t.userId),
    index('meeting_participation_user_idx').on(t.userId),
    check('meeting_participation_left_after_joined_ck', sql`${t.leftAt} is null or ${t.leftAt} >= ${t.joinedAt}`),
    check('meeting_participation_duration_ck', sql`${t.durationSeconds} is null or ${t.durationSeconds} >= 0`),
  ],
);

// Every participant_joined / participant_left as received: the webhook segments above are
// derived from all of a participant's events at once, so the order in which they are
// processed (Zoom does not promise one; workers run in parallel) cannot change them.
export const zoomParticipantEventKind = pgEnum('zoom_participant_event_kind', ['joined', 'left']);
export const zoomParticipantEvents = pgTable(
  'zoom_participant_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => zoomMeetings.id, { onDelete: 'cascade' }),
    // meeting_participation.zoom_participant_uuid of the segments it feeds.
    participantKey: text('participant_key').notNull(),
    kind: zoomParticipantEventKind('kind').notNull(),
    // The event's own join_time / leave_time, never the time it was processed.
    at: tstz('at').notNull(),
    // Zoom's user_id: a new one for each stay, so it pairs a leave with its join when present.
    stayId: text('stay_id'),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    registrantId: text('registrant_id'),
    name: text('name'),
    email: text('email'),
    leaveReason: text('leave_reason'),
    createdAt: createdAt(),
  },
  (t) => [
    // A redelivered event is the same row (ON CONFLICT DO NOTHING).
    uniqueIndex('zoom_participant_events_uq').on(t.meetingId, t.participantKey, t.kind, t.at),
  ],
);

export const attendanceRecords = pgTable(
  'attendance_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => zoomMeetings.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'set null' }),
    // Meeting date in the meeting's timezone, for per-class daily attendance views.
    sessionDate: date('session_date').notNull(),
    status: attendanceStatus('status').notNull(),
    firstJoinAt: tstz('first_join_at'),
    lastLeaveAt: tstz('last_leave_at'),
    // Union of segments (overlaps from two devices are not double counted).
    totalSeconds: integer('total_seconds').notNull().default(0),
    segmentsCount: integer('segments_count').notNull().default(0),
    computedAt: tstz('computed_at').notNull().defaultNow(),
    source: attendanceSource('source').notNull().default('report'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('attendance_records_meeting_user_uq').on(t.meetingId, t.userId),
    index('attendance_records_course_date_idx').on(t.courseId, t.sessionDate),
    index('attendance_records_user_idx').on(t.userId),
    check('attendance_records_counts_ck', sql`${t.totalSeconds} >= 0 and ${t.segmentsCount} >= 0`),
    check(
      'attendance_records_absent_ck',
      sql`${t.status} = 'absent' or ${t.source} = 'manual' or ${t.firstJoinAt} is not null`,
    ),
  ],
);

export type ZoomMeeting = typeof zoomMeetings.$inferSelect;
export type NewZoomMeeting = typeof zoomMeetings.$inferInsert;
export type MeetingRegistrant = typeof meetingRegistrants.$inferSelect;
export type NewMeetingRegistrant = typeof meetingRegistrants.$inferInsert;
export type MeetingParticipation = typeof meetingParticipation.$inferSelect;
export type NewMeetingParticipation = typeof meetingParticipation.$inferInsert;
export type ZoomParticipantEvent = typeof zoomParticipantEvents.$inferSelect;
export type AttendanceRecord = typeof attendanceRecords.$inferSelect;
export type NewAttendanceRecord = typeof attendanceRecords.$inferInsert;
export type AttendanceStatus = (typeof attendanceStatus.enumValues)[number];
