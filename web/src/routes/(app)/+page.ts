import { myExamSchema } from '@exam-hall/protocol';
import { api, listOf } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, parent, depends }) => {
  const { user } = await parent();
  if (user.role !== 'student') return { myExams: null };
  depends('app:my-exams');
  const { exams } = await authed(url, api('/api/my/exams', { fetch, schema: listOf('exams', myExamSchema) }));
  return { myExams: exams };
};
