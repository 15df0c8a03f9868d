import { myExamSchema, myZoomMeetingSchema, attemptsApi, zoomApi } from '@exam-hall/protocol';
import { listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, parent, depends }) => {
  const { user } = await parent();
  if (user.role !== 'student') return { myExams: null, myExamProblems: [], myZoomMeetings: [], zoomProblems: [] };
  depends('app:my-exams');
  const [exams, zoom] = await Promise.all([
    authed(url, listFrom(attemptsApi.myExams, { fetch, key: 'exams', item: myExamSchema })),
    // Join links are extra: the page still works when they cannot be read.
    listFrom(zoomApi.myMeetings, { fetch, item: myZoomMeetingSchema }).catch(() => ({ items: [], problems: [] })),
  ]);
  return {
    myExams: exams.items,
    myExamProblems: exams.problems,
    myZoomMeetings: zoom.items,
    zoomProblems: zoom.problems,
  };
};
