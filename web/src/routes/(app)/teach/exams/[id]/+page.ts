import { courseSchema } from '@exam-hall/protocol';
import { api, listOf } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const { courses } = await authed(url, api('/api/courses', { fetch, schema: listOf('courses', courseSchema) }));
  return { courses };
};
