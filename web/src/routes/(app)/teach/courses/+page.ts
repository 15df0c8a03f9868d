import { courseSchema, coursesApi } from '@exam-hall/protocol';
import { listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';
import { courseListStatuses } from '@exam-hall/protocol';

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:teach');
  const wanted = url.searchParams.get('status');
  const status = courseListStatuses.find((s) => s === wanted) ?? 'active';
  const list = await authed(
    url,
    listFrom(coursesApi.list, { query: { status }, fetch, key: 'courses', item: courseSchema }),
  );
  return { courses: list.items, problems: list.problems, status };
};
