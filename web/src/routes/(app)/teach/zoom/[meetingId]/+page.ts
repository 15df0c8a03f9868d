import { error } from '@sveltejs/kit';
import { attendanceDashboardSchema, attendanceRowSchema } from '@exam-hall/protocol';
import { apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageLoad = async ({ fetch, url, params }) => {
  if (!UUID.test(params.meetingId)) error(404, 'There is no meeting at this address. Check the link you were given.');
  const loaded = await authed(
    url,
    apiList(`/api/zoom/meetings/${params.meetingId.toLowerCase()}/attendance`, {
      fetch,
      key: 'rows',
      item: attendanceRowSchema,
      envelope: attendanceDashboardSchema,
    }),
  );
  return { dashboard: { ...loaded.envelope, rows: loaded.items }, problems: loaded.problems };
};
