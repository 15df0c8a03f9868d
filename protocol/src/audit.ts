// The audit log as administrators read it: filters, pages, CSV. IP addresses are stored
// only as keyed hashes and never leave the server through these contracts.
import { z } from 'zod';
import { line } from './common.ts';

/** The CSV export stops at this many rows; narrow the filters for more. */
export const AUDIT_CSV_MAX_ROWS = 50_000;
export const AUDIT_PAGE_SIZE = 50;

const dateOrDateTime = (what: string) =>
  z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: `${what} must be a date (2026-01-31) or a date and time (2026-01-31T09:00:00Z)`,
  });

export const auditFilterSchema = z.object({
  /** Who acted: their email address or their user id. */
  actor: line().trim().max(254, 'actor must be at most 254 characters').optional(),
  /** Kept for older clients: the same as actor with a user id. */
  actorId: z.uuid('actorId must be a UUID').optional(),
  /** An exact action (user.suspended), or a prefix ending in '.' or '*' (user. or user.*). */
  action: line().trim().max(100, 'action must be at most 100 characters').optional(),
  targetType: line().trim().max(50, 'targetType must be at most 50 characters').optional(),
  targetId: line().trim().max(100, 'targetId must be at most 100 characters').optional(),
  /** From this moment (a date means its start, UTC). */
  from: dateOrDateTime('from').optional(),
  /** Up to this moment (a date means the whole day, UTC). */
  to: dateOrDateTime('to').optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export const auditListQuerySchema = auditFilterSchema.extend({
  page: z.coerce.number().int().min(1, 'page must be at least 1').max(100_000, 'page is too large').default(1),
  limit: z.coerce
    .number()
    .int()
    .min(1, 'limit must be at least 1')
    .max(200, 'limit must be at most 200')
    .default(AUDIT_PAGE_SIZE),
});
export type AuditListQuery = z.infer<typeof auditListQuerySchema>;

export const auditEntrySchema = z.object({
  id: z.number().int(),
  actorId: z.string().nullable(),
  /** The actor's account as it is now (null: a system action, or the account was deleted). */
  actorEmail: z.string().nullable(),
  actorName: z.string().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditListSchema = z.object({
  entries: z.array(auditEntrySchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type AuditList = z.infer<typeof auditListSchema>;
