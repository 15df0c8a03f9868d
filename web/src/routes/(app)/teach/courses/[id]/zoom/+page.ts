import { meetingRegistrantRowSchema, zoomMeetingSchema, coursesApi, zoomApi } from '@exam-hall/protocol';
import { listFrom, call } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:zoom');
  const [course, { items: meetings, problems: meetingProblems }] = await authed(
    url,
    Promise.all([
      call(coursesApi.get, { params: { id: params.id }, fetch }),
      // Newest first: the server orders by start time, latest first.
      listFrom(zoomApi.listMeetings, { query: { courseId: params.id }, fetch, item: zoomMeetingSchema }),
    ]),
  );
  // The session being managed: the one asked for, else the latest.
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
    course,
    meetings,
    selectedId: selected?.id ?? null,
    registrants: registrants.items,
    registrantProblems: registrants.problems,
    meetingProblems,
  };
};
