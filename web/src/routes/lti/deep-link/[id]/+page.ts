import { ltiApi } from '@exam-hall/protocol';
import { call } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params, url }) => {
  const request = await authed(url, call(ltiApi.deepLink, { params: { id: params.id }, fetch }));
  return { id: params.id, request };
};
