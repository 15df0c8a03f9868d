import { reviewApi } from '@exam-hall/protocol';
import { call } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params }) => {
  const queue = await authed(url, call(reviewApi.queue, { params: { examId: params.id }, fetch }));
  return { queue };
};
