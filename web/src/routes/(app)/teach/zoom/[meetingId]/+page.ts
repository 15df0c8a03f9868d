import { error } from '@sveltejs/kit';
import { attendanceDashboardSchema, attendanceRowSchema, attendanceApi } from '@exam-hall/protocol';
import { listFrom, ApiRequestError } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_HERE =
  'There is no meeting at this address that you may see. Attendance is shown to the session’s teacher, the meeting host and administrators.';

export const load: PageLoad = async ({ fetch, url, params }) => {
  if (!UUID.test(params.meetingId)) error(404, NOT_HERE);
  const request = listFrom(attendanceApi.dashboard, {
    params: { meetingId: params.meetingId.toLowerCase() },
    fetch,
    key: 'rows',
    item: attendanceRowSchema,
    envelope: attendanceDashboardSchema,
  }).catch((err: unknown) => {
    // The server answers 404 alike for a meeting that does not exist and one that is not the viewer's.
    if (err instanceof ApiRequestError && err.status === 404) error(404, NOT_HERE);
    throw err;
  });
  const loaded = await authed(url, request);
  return { dashboard: { ...loaded.envelope, rows: loaded.items }, problems: loaded.problems };
};
