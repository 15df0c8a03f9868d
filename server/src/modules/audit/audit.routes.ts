import { z } from 'zod';
import { line } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { Db } from '../../db/client.ts';
import * as audit from './audit.service.ts';

const query = z.object({
  limit: z.coerce.number().int().min(1, 'limit must be at least 1').max(200, 'limit must be at most 200').default(50),
  before: z.coerce.number().int().positive().optional(),
  action: line().max(100).optional(),
  actorId: z.uuid('actorId must be a UUID').optional(),
});

const entry = z.object({
  id: z.number(),
  actorId: z.string().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ipHash: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.unknown(),
  createdAt: z.string(),
});

export function auditRoutes(db: Db) {
  return [
    route(
      {
        method: 'get',
        path: '/api/audit-logs',
        summary: 'The audit log, newest first (admins only)',
        tags: ['audit'],
        access: ['admin'],
        query,
        responses: {
          200: {
            description: 'A page of entries',
            schema: z.object({ entries: z.array(entry), nextBefore: z.number().nullable() }),
          },
          403: { description: 'Not an admin' },
        },
      },
      async ({ query: q }) => {
        const page = await audit.list(db, q);
        return {
          entries: page.entries.map((e) => ({ ...e, id: Number(e.id), createdAt: e.createdAt.toISOString() })),
          nextBefore: page.nextBefore === null ? null : Number(page.nextBefore),
        };
      },
    ),
  ];
}
