import { courseSchema } from '@exam-hall/protocol';
import { apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

const STATUSES = ['active', 'archived', 'all'] as const;

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:teach');
  const wanted = url.searchParams.get('status');
  const status = STATUSES.find((s) => s === wanted) ?? 'active';
  const list = await authed(
    url,
    apiList(`/api/courses?status=${status}`, { fetch, key: 'courses', item: courseSchema }),
  );
  return { courses: list.items, problems: list.problems, status };
};
