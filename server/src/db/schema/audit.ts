// Append-only audit trail of security-relevant actions (sign-ins, role changes,
// code issuance, time extensions, certificate revocation, ...).
import { bigint, index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';
import { users } from './users.ts';

export const auditLogs = pgTable(
  'audit_logs',
  {
    // Identity bigint: cheap, ordered, and high-volume inserts need no random uuids.
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // set null: the log outlives the account; actor_role keeps what they were.
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    actorRole: text('actor_role'),
    // Dotted verb, e.g. 'auth.sign_in', 'attempt.extend', 'certificate.revoke'.
    action: text('action').notNull(),
    targetType: text('target_type'),
    // Text: targets are uuids, Zoom ids or token ids.
    targetId: text('target_id'),
    ipHash: text('ip_hash'),
    requestId: text('request_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('audit_logs_actor_created_idx').on(t.actorId, t.createdAt),
    index('audit_logs_target_idx').on(t.targetType, t.targetId),
    index('audit_logs_action_created_idx').on(t.action, t.createdAt),
    index('audit_logs_created_at_idx').on(t.createdAt),
  ],
);

export type AuditLog = typeof auditLogs.$inferSelect;
export type NewAuditLog = typeof auditLogs.$inferInsert;
