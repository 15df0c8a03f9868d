// HTTP contracts of audit: method, path, params, query, body and answer of each endpoint.
import { endpoint } from '../http.ts';
import { auditFilterSchema, auditListQuerySchema, auditListSchema } from '../audit.ts';

export const auditApi = {
  list: endpoint({ method: 'get', path: '/api/audit-logs', query: auditListQuerySchema, response: auditListSchema }),
  csv: endpoint({ method: 'get', path: '/api/audit-logs.csv', query: auditFilterSchema }),
};
