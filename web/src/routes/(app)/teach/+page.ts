import { courseSchema, examSchema, coursesApi, examsApi } from '@exam-hall/protocol';
import { listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:teach');
  const [courses, exams] = await authed(
    url,
    Promise.all([
      listFrom(coursesApi.list, { fetch, key: 'courses', item: courseSchema }),
      listFrom(examsApi.list, { query: { limit: 100 }, fetch, key: 'exams', item: examSchema }),
    ]),
  );
  return {
    courses: courses.items,
    exams: exams.items,
    courseProblems: courses.problems,
    examProblems: exams.problems,
  };
};
