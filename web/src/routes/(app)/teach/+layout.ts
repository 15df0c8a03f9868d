import { error } from '@sveltejs/kit';
import type { LayoutLoad } from './$types';

// The server decides who sees a meeting's attendance (its host may be a proctor), so the
// dashboard is left to its own load; everything else under Teach is for teachers and admins.
const OPEN_TO_VIEWERS = new Set(['/(app)/teach/zoom/[meetingId]']);

export const load: LayoutLoad = async ({ parent, route }) => {
  const { user } = await parent();
  if (user.role !== 'teacher' && user.role !== 'admin' && !OPEN_TO_VIEWERS.has(route.id ?? '')) {
    error(403, 'Only teachers and administrators can build exams. Ask an administrator if you need access.');
  }
  return {};
};
