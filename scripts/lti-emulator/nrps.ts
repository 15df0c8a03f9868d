// Names and Role Provisioning Services 2.0: the course's memberships, paged with a Link
// rel="next" header, filtered by `role`; `limit` sets the page size.
import { MEDIA, NRPS_SCOPE, serviceUrls, type Ctx } from './context.ts';
import { json, oauthError, type Reply, type Req } from './http.ts';
import { ROLE } from './state.ts';
import { requireScope } from './token.ts';

export function handleMemberships(ctx: Ctx, req: Req, contextId: string): Reply {
  const course = ctx.state.courses.get(contextId);
  if (!course) return oauthError(404, 'not_found', 'no such context');
  if (req.method !== 'GET') return oauthError(405, 'invalid_request', 'GET');
  const denied = requireScope(ctx, req, [NRPS_SCOPE]);
  if (denied) return denied;
  const limitParam = req.query.get('limit');
  const limit = limitParam === null ? ctx.membershipPageSize : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1)
    return oauthError(400, 'invalid_request', 'limit: must be a positive integer');
  // `page` is this emulator's own cursor inside the next link (choice: the spec leaves it to the platform).
  const pageParam = req.query.get('page') ?? '1';
  const pageNo = Number(pageParam);
  if (!Number.isInteger(pageNo) || pageNo < 1)
    return oauthError(400, 'invalid_request', 'page: must be a positive integer');
  const role = req.query.get('role');
  const members = course.members.filter(
    (m) => !role || ROLE[m.role] === role || ROLE[m.role].endsWith(`#${role}`) || m.role === role.toLowerCase(),
  );
  const slice = members.slice((pageNo - 1) * limit, pageNo * limit);
  const url = serviceUrls(ctx, course.id).memberships;
  const headers: Record<string, string> = {};
  if (pageNo * limit < members.length) {
    const next = new URLSearchParams(req.query);
    next.set('page', String(pageNo + 1));
    next.set('limit', String(limit));
    headers.link = `<${url}?${next}>; rel="next"`;
  }
  return json(
    200,
    {
      id: `${url}${req.query.size ? `?${req.query}` : ''}`,
      context: { id: course.id, label: course.label, title: course.title },
      members: slice.map((m) => {
        const p = ctx.state.people.get(m.personId)!;
        return {
          status: m.status,
          user_id: p.id,
          roles: [ROLE[m.role]],
          ...(p.name ? { name: p.name } : {}),
          ...(p.givenName ? { given_name: p.givenName } : {}),
          ...(p.familyName ? { family_name: p.familyName } : {}),
          ...(p.email ? { email: p.email } : {}),
        };
      }),
    },
    MEDIA.memberships,
    headers,
  );
}
