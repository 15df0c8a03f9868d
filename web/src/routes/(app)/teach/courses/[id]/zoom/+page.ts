import { courseSchema, meetingRegistrantRowSchema, zoomMeetingSchema } from '@exam-hall/protocol';
import { api, apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:zoom');
  const id = encodeURIComponent(params.id);
  const [course, { items: meetings, problems: meetingProblems }] = await authed(
    url,
    Promise.all([
      api(`/api/courses/${id}`, { fetch, schema: courseSchema }),
      // Newest first: the server orders by start time, latest first.
      apiList(`/api/zoom/meetings?courseId=${id}`, { fetch, item: zoomMeetingSchema }),
    ]),
  );
  // The session being managed: the one asked for, else the latest.
  const wanted = url.searchParams.get('meeting');
  const selected = meetings.find((m) => m.id === wanted) ?? meetings[0] ?? null;
  const registrants = selected
    ? await authed(
        url,
        apiList(`/api/zoom/meetings/${selected.id}/registrants`, {
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
