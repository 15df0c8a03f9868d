import { myExamSchema, myZoomMeetingSchema } from '@exam-hall/protocol';
import { api, listOf } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, parent, depends }) => {
  const { user } = await parent();
  if (user.role !== 'student') return { myExams: null, myZoomMeetings: [] };
  depends('app:my-exams');
  const [{ exams }, myZoomMeetings] = await Promise.all([
    authed(url, api('/api/my/exams', { fetch, schema: listOf('exams', myExamSchema) })),
    // Join links are extra: the page still works when they cannot be read.
    api('/api/me/zoom-meetings', { fetch, schema: myZoomMeetingSchema.array() }).catch(() => []),
  ]);
  return { myExams: exams, myZoomMeetings };
};
