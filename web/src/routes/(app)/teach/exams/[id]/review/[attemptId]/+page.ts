import { reviewApi } from '@exam-hall/protocol';
import { call } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:review-trail');
  const trail = await authed(url, call(reviewApi.trail, { params: { id: params.attemptId }, fetch }));
  return { trail };
};
