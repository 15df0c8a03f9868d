import { error } from '@sveltejs/kit';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ parent }) => {
  const { user } = await parent();
  if (user.role === 'student') {
    error(403, 'The live hall is for proctors, teachers and administrators.');
  }
  return {};
};
