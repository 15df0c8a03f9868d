import { bankSchema, banksApi, coursesApi } from '@exam-hall/protocol';
import { call, listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:banks');
  const [course, banks] = await authed(
    url,
    Promise.all([
      call(coursesApi.get, { params: { id: params.id }, fetch }),
      listFrom(banksApi.list, { params: { courseId: params.id }, fetch, key: 'banks', item: bankSchema }),
    ]),
  );
  return { course, banks: banks.items, problems: banks.problems };
};
