import { courseSchema, enrollmentListSchema, examSchema } from '@exam-hall/protocol';
import { api, apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:course');
  const id = encodeURIComponent(params.id);
  const [course, roster, exams] = await authed(
    url,
    Promise.all([
      api(`/api/courses/${id}`, { fetch, schema: courseSchema }),
      // One row is enough: the answer carries the active counts per role.
      api(`/api/courses/${id}/enrollments?pageSize=1`, { fetch, schema: enrollmentListSchema }),
      apiList(`/api/exams?courseId=${id}&limit=100`, { fetch, key: 'exams', item: examSchema }),
    ]),
  );
  return { course, counts: roster.counts, exams: exams.items, examProblems: exams.problems };
};
