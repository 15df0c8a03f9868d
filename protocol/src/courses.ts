import { z } from 'zod';
import { line, text } from './common.ts';

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a domain such as school.example',
  );

export const courseInputSchema = z.object({
  name: line().trim().min(1, 'Name is required').max(200, 'Name must be at most 200 characters'),
  description: text().trim().max(2000, 'Description must be at most 2000 characters').nullish(),
  subject: line().trim().max(100, 'Subject must be at most 100 characters').nullish(),
  level: z.enum(['beginner', 'intermediate', 'advanced']).nullish(),
  /** Empty means any email domain may be invited. */
  allowedEmailDomains: z.array(domain).max(20, 'At most 20 domains').default([]),
});
export type CourseInput = z.infer<typeof courseInputSchema>;

export const courseSchema = courseInputSchema.extend({
  id: z.uuid(),
  teacherId: z.uuid(),
  teacherName: z.string(),
  examCount: z.number().int(),
  enrollmentCount: z.number().int(),
  createdAt: z.iso.datetime(),
});
export type Course = z.infer<typeof courseSchema>;

export const enrollBodySchema = z.object({
  emails: z
    .array(line().trim().toLowerCase().pipe(z.email('Enter a valid email address')))
    .min(1)
    .max(500),
});
