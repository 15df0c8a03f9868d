import { watchableExamsResponseSchema } from '@exam-hall/protocol';
import { api } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const { exams } = await authed(url, api('/api/hall/exams', { fetch, schema: watchableExamsResponseSchema }));
  return { exams };
};
