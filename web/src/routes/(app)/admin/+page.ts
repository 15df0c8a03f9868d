import { adminUserCountsSchema } from '@exam-hall/protocol';
import { api } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => ({
  counts: await authed(url, api('/api/admin/users/counts', { fetch, schema: adminUserCountsSchema })),
});
