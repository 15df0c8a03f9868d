import { ltiApi } from '@exam-hall/protocol';
import { call } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:admin-lti');
  const [configuration, list] = await authed(
    url,
    Promise.all([call(ltiApi.configuration, { fetch }), call(ltiApi.platforms, { fetch })]),
  );
  return { configuration, platforms: list.platforms };
};
