import { error } from '@sveltejs/kit';
import { attendanceDashboardSchema } from '@exam-hall/protocol';
import { api } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageLoad = async ({ fetch, url, params }) => {
  if (!UUID.test(params.meetingId)) error(404, 'There is no meeting at this address. Check the link you were given.');
  const dashboard = await authed(
    url,
    api(`/api/zoom/meetings/${params.meetingId.toLowerCase()}/attendance`, {
      fetch,
      schema: attendanceDashboardSchema,
    }),
  );
  return { dashboard };
};
