import { gradingApi } from '@exam-hall/protocol';
import { call } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:grading');
  const queue = await authed(url, call(gradingApi.queue, { params: { examId: params.id }, fetch }));
  return { queue };
};
