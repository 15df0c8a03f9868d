import { examSchema, coursesApi, examsApi } from '@exam-hall/protocol';
import { listFrom, call } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:course');
  const [course, roster, exams] = await authed(
    url,
    Promise.all([
      call(coursesApi.get, { params: { id: params.id }, fetch }),
      // One row is enough: the answer carries the active counts per role.
      call(coursesApi.enrollments, { params: { id: params.id }, query: { pageSize: 1 }, fetch }),
      listFrom(examsApi.list, { query: { courseId: params.id, limit: 100 }, fetch, key: 'exams', item: examSchema }),
    ]),
  );
  return { course, counts: roster.counts, exams: exams.items, examProblems: exams.problems };
};
