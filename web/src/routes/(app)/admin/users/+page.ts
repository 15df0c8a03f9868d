import { accountStatusSchema, adminUserListSchema, adminUserSchema, roleSchema, usersApi } from '@exam-hall/protocol';
import { listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

const PAGE_SIZE = 25;

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:admin-users');
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const search = url.searchParams.get('search')?.trim() ?? '';
  // Unknown values in a hand-edited address are dropped, not sent to be refused.
  const role = roleSchema.safeParse(url.searchParams.get('role')).data ?? '';
  const status = accountStatusSchema.safeParse(url.searchParams.get('status')).data ?? '';
  const list = await authed(
    url,
    listFrom(usersApi.list, {
      query: {
        page,
        limit: PAGE_SIZE,
        search: search || undefined,
        role: role || undefined,
        status: status || undefined,
      },
      fetch,
      key: 'users',
      item: adminUserSchema,
      envelope: adminUserListSchema,
    }),
  );
  return {
    users: list.items,
    problems: list.problems,
    total: list.envelope.total,
    page,
    search,
    role,
    status,
    pageSize: PAGE_SIZE,
  };
};
