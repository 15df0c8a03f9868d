// HTTP contract of joining an exam with its exam code (seed 003): a signed-in student
// enrolled in the exam's course types the code on their home page.
import { z } from 'zod';
import { EXAM_CODE_PATTERN } from '../assessment.ts';
import { line } from '../common.ts';
import { endpoint } from '../http.ts';

export const joinWithExamCodeBodySchema = z.object({
  // Spaces and dashes a student may type are dropped; letters may be in either case.
  code: line({ error: (i) => (i.input === undefined ? 'Exam code is required' : 'Exam code must be text') })
    .max(40, 'Exam code must be 6 to 8 letters and digits')
    .transform((s) => s.replace(/[\s-]/g, '').toUpperCase())
    .pipe(z.string().regex(EXAM_CODE_PATTERN, 'Exam code must be 6 to 8 letters and digits, e.g. BIO2026')),
});
export type JoinWithExamCodeBody = z.infer<typeof joinWithExamCodeBodySchema>;

export const joinedExamSchema = z.object({
  examId: z.uuid(),
  title: z.string(),
  /** False when the student was already a participant (invited, or joined before). */
  joined: z.boolean(),
});
export type JoinedExam = z.infer<typeof joinedExamSchema>;

export const examCodeApi = {
  join: endpoint({
    method: 'post',
    path: '/api/my/exams/join',
    body: joinWithExamCodeBodySchema,
    response: joinedExamSchema,
  }),
};
