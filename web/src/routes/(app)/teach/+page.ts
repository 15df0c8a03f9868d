import { courseSchema, examSchema } from '@exam-hall/protocol';
import { api, listOf } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:teach');
  const [{ courses }, { exams }] = await authed(
    url,
    Promise.all([
      api('/api/courses', { fetch, schema: listOf('courses', courseSchema) }),
      api('/api/exams?limit=100', { fetch, schema: listOf('exams', examSchema) }),
    ]),
  );
  return { courses, exams };
};
