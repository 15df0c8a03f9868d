import { z } from 'zod';
import { line, text } from './common.ts';
import { emailSchema } from './auth.ts';

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a domain such as school.example',
  );

export const courseLevels = ['beginner', 'intermediate', 'advanced'] as const;
export type CourseLevel = (typeof courseLevels)[number];

export const courseListStatuses = ['active', 'archived', 'all'] as const;

export const courseInputSchema = z.object({
  name: line().trim().min(1, 'Name is required').max(200, 'Name must be at most 200 characters'),
  description: text().trim().max(2000, 'Description must be at most 2000 characters').nullish(),
  subject: line().trim().max(100, 'Subject must be at most 100 characters').nullish(),
  level: z.enum(courseLevels).nullish(),
  /** Empty means any email domain may be invited. */
  allowedEmailDomains: z.array(domain).max(20, 'At most 20 domains').default([]),
});
export type CourseInput = z.infer<typeof courseInputSchema>;

export const courseSchema = courseInputSchema.extend({
  id: z.uuid(),
  teacherId: z.uuid(),
  teacherName: z.string(),
  examCount: z.number().int(),
  /** Active student enrolments, exact: kept in the same transaction as every roster change. */
  enrollmentCount: z.number().int(),
  /** False once archived: hidden from default lists, roster and details frozen; its exams keep working. */
  isActive: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type Course = z.infer<typeof courseSchema>;

export const courseListQuerySchema = z.object({
  /** Which courses: active ones (default), archived ones, or all. */
  status: z.enum(courseListStatuses).default('active'),
});
export type CourseListQuery = z.infer<typeof courseListQuerySchema>;

/** How someone belongs to a course: students take its exams, teachers co-teach it, proctors watch its halls. */
export const enrollmentRoles = ['student', 'teacher', 'proctor'] as const;
export const enrollmentRoleSchema = z.enum(enrollmentRoles);
export type EnrollmentRole = z.infer<typeof enrollmentRoleSchema>;
export const enrollmentStatuses = ['active', 'dropped'] as const;
export type EnrollmentStatus = (typeof enrollmentStatuses)[number];

export const ENROLLMENT_IMPORT_MAX_ROWS = 5000;
export const ENROLLMENT_NAME_MAX = 100;

export const enrollmentAddSchema = z.object({
  email: emailSchema,
  role: enrollmentRoleSchema,
  /** For a new (invited) student account; defaults to the part of the email before '@'. Ignored otherwise. */
  name: line()
    .trim()
    .min(1, 'Name must not be empty')
    .max(ENROLLMENT_NAME_MAX, `Name must be at most ${ENROLLMENT_NAME_MAX} characters`)
    .optional(),
});
export type EnrollmentAdd = z.infer<typeof enrollmentAddSchema>;

export const enrollmentSchema = z.object({
  userId: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: enrollmentRoleSchema,
  status: z.enum(enrollmentStatuses),
  /** The account's own role and status (an invited student has not signed in yet). */
  accountRole: z.string(),
  accountStatus: z.string(),
  enrolledAt: z.iso.datetime(),
});
export type Enrollment = z.infer<typeof enrollmentSchema>;

export const ENROLLMENT_PAGE_SIZE = 25;
export const enrollmentListQuerySchema = z.object({
  role: enrollmentRoleSchema.optional(),
  /** Active enrolments (default), dropped ones, or both. */
  status: z.enum([...enrollmentStatuses, 'all']).default('active'),
  /** Case-insensitive part of the email or name. */
  search: line().trim().max(254, 'search must be at most 254 characters').optional(),
  page: z.coerce.number().int().min(1, 'page must be 1 or more').max(100_000, 'page must be at most 100000').default(1),
  pageSize: z.coerce
    .number()
    .int()
    .min(1, 'pageSize must be at least 1')
    .max(200, 'pageSize must be at most 200')
    .default(ENROLLMENT_PAGE_SIZE),
});
export type EnrollmentListQuery = z.infer<typeof enrollmentListQuerySchema>;

export const enrollmentListSchema = z.object({
  enrollments: z.array(enrollmentSchema),
  /** Rows matching the filters, for paging. */
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  /** Active enrolments per role, whatever the filters. */
  counts: z.object({ student: z.number().int(), teacher: z.number().int(), proctor: z.number().int() }),
});
export type EnrollmentList = z.infer<typeof enrollmentListSchema>;

/** added: new enrolment; reactivated: was dropped; changed: role changed; skipped: nothing to do; rejected: see reason. */
export const enrollmentOutcomes = ['added', 'reactivated', 'changed', 'skipped', 'rejected'] as const;
export type EnrollmentOutcome = (typeof enrollmentOutcomes)[number];

export const enrollmentAddedSchema = z.object({
  enrollment: enrollmentSchema,
  outcome: z.enum(['added', 'reactivated', 'changed']),
  /** A student account was created for this address (invited, no password yet). */
  newAccount: z.boolean(),
});
export type EnrollmentAdded = z.infer<typeof enrollmentAddedSchema>;

export const enrollmentImportRowSchema = z.object({
  /** The row number a spreadsheet shows: the header is row 1. */
  row: z.number().int(),
  email: z.string(),
  role: enrollmentRoleSchema.nullable(),
  outcome: z.enum(enrollmentOutcomes),
  /** Why a row was skipped or rejected, or what changed, as a sentence. */
  reason: z.string().optional(),
  newAccount: z.boolean().optional(),
});
export type EnrollmentImportRow = z.infer<typeof enrollmentImportRowSchema>;

export const enrollmentImportResultSchema = z.object({
  summary: z.object({
    added: z.number().int(),
    reactivated: z.number().int(),
    changed: z.number().int(),
    skipped: z.number().int(),
    rejected: z.number().int(),
  }),
  rows: z.array(enrollmentImportRowSchema),
  /** The course's active students after the import. */
  enrollmentCount: z.number().int(),
});
export type EnrollmentImportResult = z.infer<typeof enrollmentImportResultSchema>;

export const enrollmentParamsSchema = z.object({
  id: z.uuid('id must be a UUID'),
  userId: z.uuid('userId must be a UUID'),
});

/** Who may proctor an exam: its owner, the course's co-teachers and its enrolled proctors. */
export const examProctorSchema = z.object({
  userId: z.uuid(),
  name: z.string(),
  role: z.enum(['owner', 'teacher', 'proctor']),
  /** Only for those who manage the exam (its teachers and admins). */
  email: z.string().optional(),
});
export type ExamProctor = z.infer<typeof examProctorSchema>;
export const examProctorsSchema = z.object({
  examId: z.uuid(),
  courseId: z.uuid().nullable(),
  courseName: z.string().nullable(),
  /** Whether the caller manages the exam (may open the course roster). */
  canManage: z.boolean(),
  proctors: z.array(examProctorSchema),
});
export type ExamProctors = z.infer<typeof examProctorsSchema>;
