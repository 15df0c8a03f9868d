// Courses group exams and students (seed 003) and carry the class's email-domain
// restriction used when registering students in Zoom meetings (seed 001).
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { courseLevels, enrollmentRoles, enrollmentStatuses } from '@exam-hall/protocol';
import { createdAt, tstz, updatedAt } from './columns.ts';
import { users } from './users.ts';

export const courseLevel = pgEnum('course_level', courseLevels);
export const enrollmentRole = pgEnum('enrollment_role', enrollmentRoles);
export const enrollmentStatus = pgEnum('enrollment_status', enrollmentStatuses);

export type CourseSettings = {
  defaultExamDuration?: number; // minutes
  defaultPassingScore?: number; // percent 0..100
  certificateTemplate?: string;
};

export type CourseMetadata = {
  duration?: string; // free text, e.g. "3 months"
  credits?: number;
  prerequisites?: string[];
};

export const courses = pgTable(
  'courses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // restrict: a teacher who owns courses is suspended, not deleted.
    teacherId: uuid('teacher_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    description: text('description'),
    subject: text('subject'),
    level: courseLevel('level'),
    // Lowercase domains without '@' (e.g. 'r1.deped.gov.ph'); empty = anyone.
    allowedEmailDomains: text('allowed_email_domains')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    settings: jsonb('settings').$type<CourseSettings>().notNull().default({}),
    metadata: jsonb('metadata').$type<CourseMetadata>().notNull().default({}),
    isActive: boolean('is_active').notNull().default(true),
    // Denormalized for list pages; maintained in the same transaction as enrollments.
    enrollmentCount: integer('enrollment_count').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('courses_teacher_idx').on(t.teacherId),
    index('courses_is_active_idx').on(t.isActive),
    index('courses_subject_idx').on(t.subject),
    check('courses_name_ck', sql`char_length(${t.name}) between 1 and 200`),
    check('courses_enrollment_count_ck', sql`${t.enrollmentCount} >= 0`),
  ],
);

export const enrollments = pgTable(
  'enrollments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: enrollmentRole('role').notNull().default('student'),
    // 'dropped' keeps the row so past attendance still has its expected-attendee list.
    status: enrollmentStatus('status').notNull().default('active'),
    enrolledAt: tstz('enrolled_at').notNull().defaultNow(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Leading column also serves "all enrollments of a course".
    uniqueIndex('enrollments_course_user_uq').on(t.courseId, t.userId),
    index('enrollments_user_idx').on(t.userId),
  ],
);

export type Course = typeof courses.$inferSelect;
export type NewCourse = typeof courses.$inferInsert;
export type Enrollment = typeof enrollments.$inferSelect;
export type NewEnrollment = typeof enrollments.$inferInsert;
