import { watchableExamSchema } from '@exam-hall/protocol';
import { apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const exams = await authed(url, apiList('/api/hall/exams', { fetch, key: 'exams', item: watchableExamSchema }));
  return { exams: exams.items, problems: exams.problems };
};
