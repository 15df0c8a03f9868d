import { courseSchema } from '@exam-hall/protocol';
import { apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const { items: courses, problems: courseProblems } = await authed(
    url,
    apiList('/api/courses', { fetch, key: 'courses', item: courseSchema }),
  );
  return { courses, courseProblems };
};
