// Proctoring signals and connection presence (seed 003 ProctoringAlerts, plus the
// live-hall presence the architecture asks for).
import { sql } from 'drizzle-orm';
import {
  check,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  real,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { alertActions, proctoringReviewStatuses, severities } from '@exam-hall/protocol';
import { createdAt, tstz } from './columns.ts';
import { attempts } from './attempts.ts';
import { exams } from './exams.ts';
import { users } from './users.ts';

export const proctoringSeverity = pgEnum('proctoring_severity', severities);
export const proctoringReviewStatus = pgEnum('proctoring_review_status', proctoringReviewStatuses);
export const alertAction = pgEnum('alert_action', alertActions);
export const presenceSource = pgEnum('presence_source', ['hall', 'zoom']);

export const proctoringEvents = pgTable(
  'proctoring_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    attemptId: uuid('attempt_id')
      .notNull()
      .references(() => attempts.id, { onDelete: 'cascade' }),
    // Denormalized so the proctor room and per-exam reviews need no join.
    examId: uuid('exam_id')
      .notNull()
      .references(() => exams.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // 'tab_hidden', 'window_blur', 'fullscreen_exit', 'copy', 'cut', 'paste',
    // 'context_menu', 'offline', 'second_device', ... Text so new signals need no migration.
    type: text('type').notNull(),
    severity: proctoringSeverity('severity').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    // Camera signals: the detector's confidence, 0-1 (seed 003 alert.confidence).
    confidence: real('confidence'),
    // Id chosen by the browser; its outbox replays events after a reconnect and the
    // unique index below turns the replay into a no-op (ON CONFLICT DO NOTHING).
    clientEventId: text('client_event_id'),
    // When it happened in the browser (clamped by the server), not when it arrived.
    occurredAt: tstz('occurred_at').notNull().defaultNow(),
    reviewStatus: proctoringReviewStatus('review_status').notNull().default('open'),
    reviewedBy: uuid('reviewed_by').references(() => users.id, { onDelete: 'set null' }),
    reviewedAt: tstz('reviewed_at'),
    reviewNote: text('review_note'),
    // What was done about it (seed 003 ProctoringAlert.action), by whom and when.
    action: alertAction('action'),
    actionBy: uuid('action_by').references(() => users.id, { onDelete: 'set null' }),
    actionAt: tstz('action_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('proctoring_events_attempt_occurred_idx').on(t.attemptId, t.occurredAt),
    index('proctoring_events_exam_occurred_idx').on(t.examId, t.occurredAt),
    index('proctoring_events_type_severity_idx').on(t.type, t.severity),
    index('proctoring_events_review_status_idx').on(t.reviewStatus),
    index('proctoring_events_user_occurred_idx').on(t.userId, t.occurredAt),
    uniqueIndex('proctoring_events_client_event_uq')
      .on(t.attemptId, t.clientEventId)
      .where(sql`${t.clientEventId} is not null`),
  ],
);

// One row per connection segment (socket connect..disconnect, or a Zoom join..leave
// seen live through webhooks). Open segments have left_at null.
export const presence = pgTable(
  'presence',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    attemptId: uuid('attempt_id').references(() => attempts.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    examId: uuid('exam_id').references(() => exams.id, { onDelete: 'cascade' }),
    // Socket.IO socket id, or the Zoom participant uuid for source 'zoom'.
    connectionId: text('connection_id').notNull(),
    // Stable per browser (local storage); two live device ids on one attempt = second device.
    deviceId: text('device_id'),
    source: presenceSource('source').notNull().default('hall'),
    joinedAt: tstz('joined_at').notNull().defaultNow(),
    leftAt: tstz('left_at'),
    ipHash: text('ip_hash'),
  },
  (t) => [
    index('presence_attempt_joined_idx').on(t.attemptId, t.joinedAt),
    index('presence_user_joined_idx').on(t.userId, t.joinedAt),
    // One attempt's open segments (a join's other devices, a leave's update). Without it the
    // planner, whose statistics cannot keep up as an exam's start opens thousands of segments
    // in seconds, ANDed the attempt's index with the exam's open ones: every join then read
    // all open segments of its exam ([scale] issue #16).
    index('presence_attempt_open_idx')
      .on(t.attemptId)
      .where(sql`${t.leftAt} is null`),
    // Who is connected right now in an exam's hall.
    index('presence_exam_open_idx')
      .on(t.examId)
      .where(sql`${t.leftAt} is null`),
    check('presence_left_after_joined_ck', sql`${t.leftAt} is null or ${t.leftAt} >= ${t.joinedAt}`),
  ],
);

export type ProctoringEvent = typeof proctoringEvents.$inferSelect;
export type NewProctoringEvent = typeof proctoringEvents.$inferInsert;
export type ProctoringSeverity = (typeof proctoringSeverity.enumValues)[number];
export type Presence = typeof presence.$inferSelect;
export type NewPresence = typeof presence.$inferInsert;

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

// One low-resolution frame per camera alert, when the exam keeps evidence: AES-256-GCM
// encrypted at rest (server/src/modules/camera/evidence.crypto.ts), shown only to the exam's
// proctors and teachers through short-lived signed addresses, and removed by the retention
// job after expires_at. The row stays (ciphertext null, deleted_at set) as the record.
export const proctoringEvidence = pgTable(
  'proctoring_evidence',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => proctoringEvents.id, { onDelete: 'cascade' }),
    attemptId: uuid('attempt_id')
      .notNull()
      .references(() => attempts.id, { onDelete: 'cascade' }),
    examId: uuid('exam_id')
      .notNull()
      .references(() => exams.id, { onDelete: 'cascade' }),
    // iv (12 bytes) | tag (16 bytes) | ciphertext; null once deleted.
    sealed: bytea('sealed'),
    // Which key sealed it (EVIDENCE_KEY rotation keeps old frames readable).
    keyId: text('key_id').notNull(),
    bytes: integer('bytes').notNull(),
    createdAt: createdAt(),
    expiresAt: tstz('expires_at').notNull(),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [
    uniqueIndex('proctoring_evidence_event_uq').on(t.eventId),
    index('proctoring_evidence_attempt_idx').on(t.attemptId),
    index('proctoring_evidence_due_idx')
      .on(t.expiresAt)
      .where(sql`${t.deletedAt} is null`),
    check('proctoring_evidence_bytes_ck', sql`${t.bytes} > 0`),
    check('proctoring_evidence_deleted_ck', sql`(${t.deletedAt} is null) = (${t.sealed} is not null)`),
  ],
);
export type ProctoringEvidence = typeof proctoringEvidence.$inferSelect;
