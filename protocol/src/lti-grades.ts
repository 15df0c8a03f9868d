// LTI Advantage services on the tool side: Assignment and Grade Services 2.0 (a score per
// student pushed to the LMS gradebook, with a status the teacher sees and can resend) and
// Names and Role Provisioning Services 2.0 (the LMS course's roster synced into a course).
import { z } from 'zod';
import { gradeSyncStatuses } from './lti.ts';

/** IMS media types and scopes (AGS 2.0, NRPS 2.0). */
export const LTI_MEDIA = {
  score: 'application/vnd.ims.lis.v1.score+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  membershipContainer: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
} as const;

export const LTI_SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  membershipReadonly: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

const iso = z.string();

/** One student's grade push for one placement of the exam in an LMS. */
export const gradeSyncRowSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  name: z.string(),
  /** The placement's title in the LMS (several courses may link the same exam). */
  linkTitle: z.string().nullable(),
  status: z.enum(gradeSyncStatuses),
  scoreGiven: z.number().nullable(),
  scoreMaximum: z.number().nullable(),
  tries: z.number().int(),
  /** What went wrong, in words a teacher can act on; null once sent. */
  lastError: z.string().nullable(),
  lastTriedAt: iso.nullable(),
  sentAt: iso.nullable(),
});
export type GradeSyncRow = z.infer<typeof gradeSyncRowSchema>;

export const examGradeSyncsSchema = z.object({
  /** False when the exam is not placed in any LMS course (the panel is hidden). */
  linked: z.boolean(),
  links: z.number().int(),
  counts: z.object({ pending: z.number().int(), sent: z.number().int(), failed: z.number().int() }),
  rows: z.array(gradeSyncRowSchema),
});
export type ExamGradeSyncs = z.infer<typeof examGradeSyncsSchema>;

export const gradeSyncParamsSchema = z.object({
  examId: z.uuid('examId must be a UUID'),
  syncId: z.uuid('syncId must be a UUID'),
});

export const gradeResendResultSchema = z.object({ queued: z.number().int() });
export type GradeResendResult = z.infer<typeof gradeResendResultSchema>;

export const rosterSyncStates = ['never', 'running', 'done', 'failed'] as const;
export type RosterSyncState = (typeof rosterSyncStates)[number];

/** The last roster sync of one LMS course linked to this course. */
export const rosterSyncStatusSchema = z.object({
  contextId: z.uuid(),
  title: z.string().nullable(),
  platformName: z.string(),
  state: z.enum(rosterSyncStates),
  syncedAt: iso.nullable(),
  counts: z
    .object({ added: z.number().int(), updated: z.number().int(), dropped: z.number().int(), total: z.number().int() })
    .nullable(),
  error: z.string().nullable(),
});
export type RosterSyncStatus = z.infer<typeof rosterSyncStatusSchema>;

export const courseRosterSyncsSchema = z.object({
  /** False when no LMS course is linked to this course (or its LMS offers no roster service). */
  linked: z.boolean(),
  contexts: z.array(rosterSyncStatusSchema),
});
export type CourseRosterSyncs = z.infer<typeof courseRosterSyncsSchema>;

export const rosterSyncQueuedSchema = z.object({ queued: z.number().int() });
export type RosterSyncQueued = z.infer<typeof rosterSyncQueuedSchema>;
