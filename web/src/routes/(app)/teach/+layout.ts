import { error } from '@sveltejs/kit';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ parent }) => {
  const { user } = await parent();
  if (user.role !== 'teacher' && user.role !== 'admin') {
    error(403, 'Only teachers and administrators can build exams. Ask an administrator if you need access.');
  }
  return {};
};
