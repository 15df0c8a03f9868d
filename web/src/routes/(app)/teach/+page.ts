import { courseSchema, examSchema } from '@exam-hall/protocol';
import { apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:teach');
  const [courses, exams] = await authed(
    url,
    Promise.all([
      apiList('/api/courses', { fetch, key: 'courses', item: courseSchema }),
      apiList('/api/exams?limit=100', { fetch, key: 'exams', item: examSchema }),
    ]),
  );
  return {
    courses: courses.items,
    exams: exams.items,
    courseProblems: courses.problems,
    examProblems: exams.problems,
  };
};
