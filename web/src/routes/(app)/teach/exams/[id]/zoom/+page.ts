import { meetingRegistrantsSchema, zoomMeetingSchema } from '@exam-hall/protocol';
import { api } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:zoom');
  const meetings = await authed(
    url,
    api(`/api/zoom/meetings?examId=${encodeURIComponent(params.id)}`, { fetch, schema: zoomMeetingSchema.array() }),
  );
  // The meeting being managed: the one asked for, else the latest.
  const wanted = url.searchParams.get('meeting');
  const selected = meetings.find((m) => m.id === wanted) ?? meetings[0] ?? null;
  const registrants = selected
    ? (
        await authed(
          url,
          api(`/api/zoom/meetings/${selected.id}/registrants`, { fetch, schema: meetingRegistrantsSchema }),
        )
      ).registrants
    : [];
  return { meetings, selectedId: selected?.id ?? null, registrants };
};
