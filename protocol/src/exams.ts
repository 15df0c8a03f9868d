import { z } from 'zod';
import { EXAM_CODE_PATTERN } from './assessment.ts';
import { line, text } from './common.ts';
import { DEFAULT_CAMERA_SETTINGS, cameraSettingsSchema } from './camera.ts';

export const examStatuses = ['draft', 'published', 'archived'] as const;
export type ExamStatus = (typeof examStatuses)[number];

/** Who starts the clock: each student from the lobby, or everyone at once when a proctor opens the hall. */
export const startModes = ['student', 'proctor'] as const;
export type StartMode = (typeof startModes)[number];
export const resultsPolicies = ['immediately', 'on_release'] as const;
export type ResultsPolicy = (typeof resultsPolicies)[number];
export const partialCreditRules = ['all_or_nothing', 'proportional'] as const;
export type PartialCreditRule = (typeof partialCreditRules)[number];
export const disconnectPolicies = ['strict', 'credit'] as const;
export type DisconnectPolicy = (typeof disconnectPolicies)[number];

/** Browsers an exam can be limited to, as the server recognises them from the User-Agent. */
export const browserNames = ['chrome', 'chromium', 'firefox', 'safari', 'edge'] as const;
export type BrowserName = (typeof browserNames)[number];
export const BROWSER_LABELS: Record<BrowserName, string> = {
  chrome: 'Chrome',
  chromium: 'Chromium',
  firefox: 'Firefox',
  safari: 'Safari',
  edge: 'Edge',
};

export const proctoringSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  requireFullscreen: z.boolean().default(false),
  blockCopyPaste: z.boolean().default(false),
  /** Every signal is recorded one severity higher (server/src/modules/proctoring/proctoring.strict.ts). */
  strictMode: z.boolean().default(false),
  /** Checked when a student enters the lobby and starts; empty = any browser. */
  allowedBrowsers: z
    .array(z.enum(browserNames, { error: `Browser must be one of ${browserNames.join(', ')}` }))
    .max(browserNames.length)
    .refine((list) => new Set(list).size === list.length, 'List each browser once')
    .default([]),
  /** Camera proctoring on the student's device (protocol/src/camera.ts). */
  camera: cameraSettingsSchema.default(DEFAULT_CAMERA_SETTINGS),
});

/** Upper-cased before the check, so a teacher may type it in any case. */
export const examCodeSchema = line()
  .trim()
  .toUpperCase()
  .regex(EXAM_CODE_PATTERN, 'Exam code must be 6 to 8 letters and digits, e.g. BIO2026');

const dateTime = z.iso.datetime({ offset: true, message: 'must be an ISO date-time, e.g. 2026-12-01T09:00:00Z' });

/** Every setting of an exam; the same schema validates create and (partially) update. */
const examFields = z.object({
  courseId: z.uuid('courseId must be a UUID').nullish(),
  title: line({ error: (i) => (i.input === undefined ? 'Title is required' : 'Title must be text') })
    .trim()
    .min(3, 'Title must be at least 3 characters')
    .max(200, 'Title must be at most 200 characters'),
  description: text().trim().max(1000, 'Description must be at most 1000 characters').nullish(),
  instructions: text().trim().max(10000, 'Instructions must be at most 10000 characters').nullish(),
  durationMinutes: z
    .number({ error: (i) => (i.input === undefined ? 'Duration is required' : 'Duration must be a number of minutes') })
    .int('Duration must be whole minutes')
    .min(1, 'Duration must be at least 1 minute')
    .max(1440, 'Duration must be at most 1440 minutes (24 hours)'),
  availableAnytime: z.boolean(),
  startsAt: dateTime.nullish(),
  endsAt: dateTime.nullish(),
  shuffleQuestions: z.boolean(),
  shuffleOptions: z.boolean(),
  passingScore: z
    .number()
    .min(0, 'Passing score must be between 0 and 100')
    .max(100, 'Passing score must be between 0 and 100'),
  maxAttempts: z
    .number()
    .int('Attempt limit must be a whole number')
    .min(1, 'Attempt limit must be at least 1')
    .max(100, 'Attempt limit must be at most 100'),
  allowReview: z.boolean(),
  resultsPolicy: z.enum(resultsPolicies),
  partialCreditRule: z.enum(partialCreditRules),
  partialCreditPenalty: z.number().min(0).max(1, 'Penalty must be between 0 and 1'),
  proctoring: proctoringSettingsSchema,
  disconnectPolicy: z.enum(disconnectPolicies),
  disconnectCreditMaxMinutes: z.number().int().min(0).max(1440, 'Credit must be at most 1440 minutes'),
  issueCertificates: z.boolean(),
  startMode: z.enum(startModes, { error: "Start mode must be 'student' or 'proctor'" }),
  /** Seed 003: students enrolled in the exam's course join with it (exams of a course only); null = none. */
  code: examCodeSchema.nullable(),
  /** Hand grading shows answer sheets without names. */
  blindGrading: z.boolean(),
  /** An ended attempt whose risk score reaches this needs a reviewer's decision. */
  reviewRiskThreshold: z
    .number()
    .int('Review threshold must be a whole number')
    .min(0, 'Review threshold must be between 0 and 100')
    .max(100, 'Review threshold must be between 0 and 100'),
});

/** The availability-window rule, as data, so the server can apply it to a merged update too. */
export function examWindowProblems(v: {
  availableAnytime?: boolean | undefined;
  startsAt?: string | null | undefined;
  endsAt?: string | null | undefined;
}): { path: 'startsAt' | 'endsAt'; message: string }[] {
  if (v.availableAnytime) return [];
  const problems: { path: 'startsAt' | 'endsAt'; message: string }[] = [];
  if (!v.startsAt) problems.push({ path: 'startsAt', message: 'Set a start time, or make the exam available anytime' });
  if (!v.endsAt) problems.push({ path: 'endsAt', message: 'Set an end time, or make the exam available anytime' });
  if (v.startsAt && v.endsAt && Date.parse(v.endsAt) <= Date.parse(v.startsAt)) {
    problems.push({ path: 'endsAt', message: 'End time must be after the start time' });
  }
  return problems;
}

/** What an exam gets for every setting not sent when it is created. */
export const EXAM_DEFAULTS = {
  availableAnytime: false,
  shuffleQuestions: false,
  shuffleOptions: false,
  passingScore: 50,
  maxAttempts: 1,
  allowReview: false,
  resultsPolicy: 'on_release',
  partialCreditRule: 'all_or_nothing',
  partialCreditPenalty: 0,
  proctoring: {
    enabled: false,
    requireFullscreen: false,
    blockCopyPaste: false,
    strictMode: false,
    allowedBrowsers: [] as BrowserName[],
    camera: DEFAULT_CAMERA_SETTINGS,
  },
  disconnectPolicy: 'strict',
  disconnectCreditMaxMinutes: 0,
  issueCertificates: false,
  startMode: 'student',
  code: null,
  blindGrading: false,
  reviewRiskThreshold: 60,
} as const;

export const examCreateSchema = examFields
  .partial()
  .required({ title: true, durationMinutes: true })
  .superRefine((v, ctx) => {
    for (const p of examWindowProblems(v)) ctx.addIssue({ code: 'custom', path: [p.path], message: p.message });
  })
  .transform((v) => ({ ...EXAM_DEFAULTS, ...v }));
export type ExamCreate = z.infer<typeof examCreateSchema>;

/**
 * Partial update: only the fields sent change (no defaults here); the window rule is checked on the merged result.
 * Proctoring is sent whole, except its camera settings: left out, the exam keeps the ones it has.
 */
export const examUpdateSchema = examFields
  .extend({ proctoring: proctoringSettingsSchema.extend({ camera: cameraSettingsSchema.optional() }) })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'Send at least one field to change');
export type ExamUpdate = z.infer<typeof examUpdateSchema>;

export const examSchema = examFields.extend({
  id: z.uuid(),
  createdBy: z.uuid(),
  status: z.enum(examStatuses),
  publishedAt: z.iso.datetime().nullable(),
  questionCount: z.number().int(),
  totalPoints: z.number(),
  participantCount: z.number().int().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Exam = z.infer<typeof examSchema>;

export const examListQuerySchema = z.object({
  courseId: z.uuid('courseId must be a UUID').optional(),
  status: z.enum(examStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(100, 'limit must be at most 100').default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const idParamsSchema = z.object({ id: z.uuid('id must be a UUID') });
export const examIdParamsSchema = z.object({ examId: z.uuid('examId must be a UUID') });
