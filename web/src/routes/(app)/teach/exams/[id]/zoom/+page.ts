import { meetingRegistrantRowSchema, zoomMeetingSchema, zoomApi } from '@exam-hall/protocol';
import { listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:zoom');
  const { items: meetings, problems: meetingProblems } = await authed(
    url,
    listFrom(zoomApi.listMeetings, { query: { examId: params.id }, fetch, item: zoomMeetingSchema }),
  );
  // The meeting being managed: the one asked for, else the latest.
  const wanted = url.searchParams.get('meeting');
  const selected = meetings.find((m) => m.id === wanted) ?? meetings[0] ?? null;
  const registrants = selected
    ? await authed(
        url,
        listFrom(zoomApi.registrants, {
          params: { id: selected.id },
          fetch,
          key: 'registrants',
          item: meetingRegistrantRowSchema,
        }),
      )
    : { items: [], problems: [] };
  return {
    meetings,
    selectedId: selected?.id ?? null,
    registrants: registrants.items,
    registrantProblems: registrants.problems,
    meetingProblems,
  };
};
