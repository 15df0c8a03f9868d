import { watchableExamSchema, hallApi } from '@exam-hall/protocol';
import { listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const exams = await authed(url, listFrom(hallApi.watchableExams, { fetch, key: 'exams', item: watchableExamSchema }));
  return { exams: exams.items, problems: exams.problems };
};
