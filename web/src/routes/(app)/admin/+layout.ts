import { error } from '@sveltejs/kit';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ parent }) => {
  const { user } = await parent();
  if (user.role !== 'admin') {
    error(
      403,
      'Only administrators can manage accounts and read the audit log. Ask an administrator if you need this.',
    );
  }
  return {};
};
