import { courseSchema, coursesApi } from '@exam-hall/protocol';
import { listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const { items: courses, problems: courseProblems } = await authed(
    url,
    listFrom(coursesApi.list, { fetch, key: 'courses', item: courseSchema }),
  );
  const courseId = url.searchParams.get('courseId') ?? '';
  return { courses, courseProblems, courseId: courses.some((c) => c.id === courseId) ? courseId : '' };
};
