// HTTP contracts of users: method, path, params, query, body and answer of each endpoint.
import { endpoint } from '../http.ts';
import {
  adminUserCountsSchema,
  adminUserCreateSchema,
  adminUserDetailSchema,
  adminUserLinkSchema,
  adminUserListQuerySchema,
  adminUserListSchema,
  adminUserSchema,
  roleChangeSchema,
  suspendSchema,
  userIdParamsSchema,
  userImportResultSchema,
} from '../users.ts';

export const usersApi = {
  list: endpoint({
    method: 'get',
    path: '/api/admin/users',
    query: adminUserListQuerySchema,
    response: adminUserListSchema,
  }),
  counts: endpoint({ method: 'get', path: '/api/admin/users/counts', response: adminUserCountsSchema }),
  create: endpoint({
    method: 'post',
    path: '/api/admin/users',
    body: adminUserCreateSchema,
    status: 201,
    response: adminUserLinkSchema,
  }),
  import: endpoint({ method: 'post', path: '/api/admin/users/import', response: userImportResultSchema }),
  get: endpoint({
    method: 'get',
    path: '/api/admin/users/:id',
    params: userIdParamsSchema,
    response: adminUserDetailSchema,
  }),
  changeRole: endpoint({
    method: 'patch',
    path: '/api/admin/users/:id/role',
    params: userIdParamsSchema,
    body: roleChangeSchema,
    response: adminUserSchema,
  }),
  suspend: endpoint({
    method: 'post',
    path: '/api/admin/users/:id/suspend',
    params: userIdParamsSchema,
    body: suspendSchema,
    response: adminUserSchema,
  }),
  reactivate: endpoint({
    method: 'post',
    path: '/api/admin/users/:id/reactivate',
    params: userIdParamsSchema,
    response: adminUserSchema,
  }),
  resetLink: endpoint({
    method: 'post',
    path: '/api/admin/users/:id/reset-link',
    params: userIdParamsSchema,
    response: adminUserLinkSchema,
  }),
  invitation: endpoint({
    method: 'post',
    path: '/api/admin/users/:id/invitation',
    params: userIdParamsSchema,
    response: adminUserLinkSchema,
  }),
};
