import { z } from 'zod';
import { line } from './common.ts';

export const zoomMeetingStatuses = ['scheduled', 'started', 'ended'] as const;
export const attendanceStatuses = ['present', 'late', 'partial', 'absent'] as const;
export type AttendanceStatusName = (typeof attendanceStatuses)[number];

/** Per-session attendance rules. */
export const attendanceRulesSchema = z.object({
  /** Joined more than this many minutes after the start: late. */
  lateAfterMinutes: z.number().int().min(0).max(600),
  /** Attended less than this share of the meeting: partial. */
  partialBelowPercent: z.number().int().min(0).max(100),
});

export const zoomMeetingSchema = z.object({
  id: z.uuid(),
  zoomMeetingId: z.string(),
  topic: z.string(),
  startTime: z.string().nullable(),
  durationMinutes: z.number().nullable(),
  timezone: z.string().nullable(),
  /** The general join link (for the host); students get personal links when registered. */
  joinUrl: z.string().nullable(),
  registrationRequired: z.boolean(),
  courseId: z.uuid().nullable(),
  examId: z.uuid().nullable(),
  status: z.enum(zoomMeetingStatuses),
  lateAfterMinutes: z.number(),
  partialBelowPercent: z.number(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  lastSyncedAt: z.string().nullable(),
});
export type ZoomMeetingDto = z.infer<typeof zoomMeetingSchema>;

const sessionOf = z
  .object({ examId: z.uuid().optional(), courseId: z.uuid().optional() })
  .refine((v) => !!v.examId !== !!v.courseId, { message: 'give either examId or courseId', path: ['examId'] });

/** Create a Zoom meeting (registration on) for an exam or a class session of a course. */
export const createZoomMeetingSchema = z
  .object({
    examId: z.uuid().optional(),
    courseId: z.uuid().optional(),
    topic: line().trim().min(1).max(200),
    startTime: z.iso.datetime({ offset: true }),
    durationMinutes: z.number().int().min(1).max(1440),
    timezone: line().trim().min(1).max(64).optional(),
  })
  .extend(attendanceRulesSchema.partial().shape)
  .and(sessionOf);

/** Link a meeting that already exists in the Zoom account (registration must be on to register students). */
export const linkZoomMeetingSchema = z
  .object({
    examId: z.uuid().optional(),
    courseId: z.uuid().optional(),
    zoomMeetingId: z.string().regex(/^\d{9,12}$/, 'must be the 9-12 digit Zoom meeting id'),
  })
  .extend(attendanceRulesSchema.partial().shape)
  .and(sessionOf);

export const updateAttendanceRulesSchema = attendanceRulesSchema.partial();

export const registrationOutcomes = ['registered', 'skipped', 'rejected', 'failed'] as const;
/** Register some students (userIds) or everyone expected (all: true). */
export const registerStudentsSchema = z.union([
  z.object({ all: z.literal(true) }),
  z.object({ userIds: z.array(z.uuid()).min(1).max(5000) }),
]);
export const registrationSummarySchema = z.object({
  counts: z.object({ registered: z.number(), skipped: z.number(), rejected: z.number(), failed: z.number() }),
  results: z.array(
    z.object({
      userId: z.uuid(),
      email: z.string(),
      name: z.string(),
      outcome: z.enum(registrationOutcomes),
      /** Why skipped, rejected or failed. */
      reason: z.string().nullable(),
    }),
  ),
});
export type RegistrationSummary = z.infer<typeof registrationSummarySchema>;

/** A student's personal join link. */
export const myZoomMeetingSchema = z.object({
  meetingId: z.uuid(),
  topic: z.string(),
  startTime: z.string().nullable(),
  status: z.enum(zoomMeetingStatuses),
  joinUrl: z.string(),
});

export const attendanceSegmentSchema = z.object({
  joinedAt: z.string(),
  leftAt: z.string().nullable(),
  source: z.enum(['webhook', 'report', 'hall']),
});

export const attendanceRowSchema = z.object({
  userId: z.uuid().nullable(),
  name: z.string(),
  /** Teachers see emails; the CSV carries them too. */
  email: z.string().nullable(),
  expected: z.boolean(),
  inZoomNow: z.boolean(),
  inHallNow: z.boolean(),
  /** Computed by the rules; null while the meeting has not started. */
  status: z.enum(attendanceStatuses).nullable(),
  late: z.boolean(),
  leftEarly: z.boolean(),
  firstJoinAt: z.string().nullable(),
  lastLeaveAt: z.string().nullable(),
  /** Union of Zoom segments (two devices are not counted twice). */
  totalSeconds: z.number(),
  segments: z.array(attendanceSegmentSchema),
});
export type AttendanceRow = z.infer<typeof attendanceRowSchema>;

export const attendanceDashboardSchema = z.object({
  meeting: zoomMeetingSchema,
  summary: z.object({
    expected: z.number(),
    presentNow: z.number(),
    attended: z.number(),
    /** Expected people who attended / expected, 0..1. */
    attendanceRate: z.number(),
    totalSeconds: z.number(),
    averageSeconds: z.number(),
    byStatus: z.record(z.enum(attendanceStatuses), z.number()),
  }),
  rows: z.array(attendanceRowSchema),
  /** From the post-meeting report (authoritative) or live webhooks. */
  basis: z.enum(['report', 'live']),
});
export type AttendanceDashboard = z.infer<typeof attendanceDashboardSchema>;

/** Which session's meetings to list: an exam's or a course's. */
export const zoomMeetingListQuerySchema = z
  .object({
    examId: z.uuid('examId must be a UUID').optional(),
    courseId: z.uuid('courseId must be a UUID').optional(),
  })
  .refine((v) => !!v.examId !== !!v.courseId, { message: 'give either examId or courseId', path: ['examId'] });

export const registrantStatuses = ['registered', 'failed', 'cancelled', 'not_registered'] as const;
/** One expected student (or a registrant who no longer is) and where their registration stands. */
export const meetingRegistrantRowSchema = z.object({
  userId: z.uuid(),
  name: z.string(),
  email: z.string(),
  /** Still a participant of the exam / an active student of the course. */
  expected: z.boolean(),
  status: z.enum(registrantStatuses),
  /** Zoom's reason of the last failed attempt. */
  lastError: z.string().nullable(),
  registeredAt: z.string().nullable(),
});
export type MeetingRegistrantRow = z.infer<typeof meetingRegistrantRowSchema>;
export const meetingRegistrantsSchema = z.object({ registrants: z.array(meetingRegistrantRowSchema) });
export type MyZoomMeeting = z.infer<typeof myZoomMeetingSchema>;

/** Attendance routes: /api/zoom/meetings/{meetingId}/attendance, .csv, /sync. */
export const attendanceMeetingParamsSchema = z.object({ meetingId: z.uuid('meetingId must be a UUID') });
/** Socket 'attendance:watch' payload. */
export const watchAttendanceSchema = attendanceMeetingParamsSchema;
export const attendanceSyncQueuedSchema = z.object({ queued: z.literal(true), meetingId: z.uuid() });
export type AttendanceSyncQueued = z.infer<typeof attendanceSyncQueuedSchema>;
