// The attempt-level proctoring review (seed 003): a reviewer's decision with a note,
// what was done about each alert, the student's one appeal and the teacher's resolution,
// and the per-attempt trail that shows all of it in time order.
import { z } from 'zod';
import { alertActions, appealStatuses, attemptReviewStatuses } from './assessment.ts';
import { attemptStatuses } from './attempts.ts';
import { text } from './common.ts';
import { proctoringEventSchema, proctoringReviewStatuses, severities } from './hall.ts';

/** Notes, appeal messages and resolutions are at most this long. */
export const REVIEW_TEXT_MAX = 2000;

/** What a reviewer may decide (pending is where an attempt starts, not a decision). */
export const reviewDecisions = ['approved', 'flagged', 'rejected'] as const;
export type ReviewDecision = (typeof reviewDecisions)[number];

/** How a teacher resolves an appeal: the decision stands, or the attempt is approved. */
export const appealOutcomes = ['upheld', 'overturned'] as const;
export type AppealOutcome = (typeof appealOutcomes)[number];

export const reviewDecisionBodySchema = z
  .object({
    status: z.enum(reviewDecisions, 'status must be approved, flagged or rejected'),
    note: text().trim().max(REVIEW_TEXT_MAX, `note: at most ${REVIEW_TEXT_MAX} characters`).optional(),
  })
  .superRefine((b, ctx) => {
    // The student reads this note: a flag or a rejection says why.
    if (b.status !== 'approved' && !b.note) {
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'Say why (the student sees this note)' });
    }
  });
export type ReviewDecisionBody = z.infer<typeof reviewDecisionBodySchema>;

export const alertActionBodySchema = z.object({
  action: z.enum(alertActions, 'action must be ignored, warning_sent, session_flagged or session_terminated'),
});
export type AlertActionBody = z.infer<typeof alertActionBodySchema>;

export const appealBodySchema = z.object({
  message: text().trim().min(1, 'Write your appeal').max(REVIEW_TEXT_MAX, `At most ${REVIEW_TEXT_MAX} characters`),
});
export type AppealBody = z.infer<typeof appealBodySchema>;

export const resolveAppealBodySchema = z.object({
  outcome: z.enum(appealOutcomes, 'outcome must be upheld or overturned'),
  note: text()
    .trim()
    .min(1, 'Write a note for the student')
    .max(REVIEW_TEXT_MAX, `At most ${REVIEW_TEXT_MAX} characters`),
});
export type ResolveAppealBody = z.infer<typeof resolveAppealBodySchema>;

const person = z.object({ id: z.uuid(), name: z.string() }).nullable();

export const appealSchema = z.object({
  id: z.uuid(),
  attemptId: z.uuid(),
  status: z.enum(appealStatuses),
  message: z.string(),
  createdAt: z.iso.datetime(),
  resolutionNote: z.string().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
});
export type AppealDto = z.infer<typeof appealSchema>;

/** One attempt in an exam's review list. */
export const reviewQueueItemSchema = z.object({
  attemptId: z.uuid(),
  studentName: z.string(),
  attemptNumber: z.number().int(),
  status: z.enum(attemptStatuses),
  riskScore: z.number().int(),
  manualReviewRequired: z.boolean(),
  reviewStatus: z.enum(attemptReviewStatuses).nullable(),
  reviewedAt: z.iso.datetime().nullable(),
  endedAt: z.iso.datetime().nullable(),
  alertCount: z.number().int(),
  appealStatus: z.enum(appealStatuses).nullable(),
});
export type ReviewQueueItem = z.infer<typeof reviewQueueItemSchema>;

export const REVIEW_QUEUE_MAX = 500;
export const reviewQueueSchema = z.object({
  examId: z.uuid(),
  examTitle: z.string(),
  reviewRiskThreshold: z.number().int(),
  /** Attempts that need or had a review, waiting ones first; at most REVIEW_QUEUE_MAX. */
  attempts: z.array(reviewQueueItemSchema),
});
export type ReviewQueue = z.infer<typeof reviewQueueSchema>;

export const attemptAlertSchema = z.object({
  id: z.uuid(),
  type: z.string(),
  severity: z.enum(severities),
  occurredAt: z.iso.datetime(),
  reviewStatus: z.enum(proctoringReviewStatuses),
  action: z.enum(alertActions).nullable(),
  actionBy: person,
  actionAt: z.iso.datetime().nullable(),
  /** Camera alerts of an exam that keeps evidence: the frame (fetch its address with cameraApi.evidenceUrl). */
  evidence: proctoringEventSchema.shape.evidence,
});
export type AttemptAlert = z.infer<typeof attemptAlertSchema>;

export const trailKinds = [
  'started',
  'alert',
  'alert_review',
  'alert_action',
  'proctor_action',
  'ended',
  'review_required',
  'decision',
  'appeal',
  'appeal_resolved',
] as const;
export type TrailKind = (typeof trailKinds)[number];

/** One step of the trail: what happened, who did it and when (details are short labels, never free text). */
export const trailEntrySchema = z.object({
  at: z.iso.datetime(),
  kind: z.enum(trailKinds),
  by: person,
  /** e.g. the alert's type, the decision, the action, the appeal's outcome. */
  what: z.string(),
});
export type TrailEntry = z.infer<typeof trailEntrySchema>;

export const attemptTrailSchema = z.object({
  attempt: z.object({
    id: z.uuid(),
    examId: z.uuid(),
    examTitle: z.string(),
    studentName: z.string(),
    attemptNumber: z.number().int(),
    status: z.enum(attemptStatuses),
    riskScore: z.number().int(),
    reviewRiskThreshold: z.number().int(),
    manualReviewRequired: z.boolean(),
    reviewStatus: z.enum(attemptReviewStatuses).nullable(),
    reviewNote: z.string().nullable(),
    reviewedBy: person,
    reviewedAt: z.iso.datetime().nullable(),
    endedAt: z.iso.datetime().nullable(),
  }),
  alerts: z.array(attemptAlertSchema),
  appeal: appealSchema.nullable(),
  trail: z.array(trailEntrySchema),
  /** Whether the caller may resolve the appeal (the exam's teachers and admins; not proctors). */
  canResolve: z.boolean(),
});
export type AttemptTrail = z.infer<typeof attemptTrailSchema>;

/** What the student sees of the review of their attempt. */
export const studentReviewSchema = z.object({
  attemptId: z.uuid(),
  reviewStatus: z.enum(attemptReviewStatuses).nullable(),
  /** The reviewer's note, once decided. */
  note: z.string().nullable(),
  decidedAt: z.iso.datetime().nullable(),
  /** Flagged or rejected, and no appeal yet. */
  canAppeal: z.boolean(),
  appeal: appealSchema.nullable(),
});
export type StudentReview = z.infer<typeof studentReviewSchema>;
