import { error } from '@sveltejs/kit';
import { auditEntrySchema, auditListSchema, userIdParamsSchema, auditApi, usersApi } from '@exam-hall/protocol';
import { listFrom, call } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:admin-user');
  // A mistyped address is a missing account, not a validation error.
  if (!userIdParamsSchema.safeParse(params).success) error(404, 'There is no account at this address.');
  const [detail, audit] = await authed(
    url,
    Promise.all([
      call(usersApi.get, { params: { id: params.id }, fetch }),
      listFrom(auditApi.list, {
        query: { targetType: 'user', targetId: params.id, limit: 10 },
        fetch,
        key: 'entries',
        item: auditEntrySchema,
        envelope: auditListSchema,
      }),
    ]),
  );
  // Not `user`: page data is merged, and `user` is who is signed in (the header reads it).
  return {
    account: detail.user,
    activeSessions: detail.activeSessions,
    audit: audit.items,
    auditProblems: audit.problems,
    auditTotal: audit.envelope.total,
  };
};
