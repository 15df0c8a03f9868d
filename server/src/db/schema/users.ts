// Accounts, login sessions and the refresh-token ledger.
import { sql } from 'drizzle-orm';
import { check, index, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accountLinkPurposes, roles, userStatuses } from '@exam-hall/protocol';
import { createdAt, EVM_ADDRESS_RE, re, tstz, updatedAt } from './columns.ts';

export const role = pgEnum('role', roles);
// invited: created by an admin, a teacher or a participant import; no password yet.
// pending_verification: a password is set but the email address is not proven yet.
export const userStatus = pgEnum('user_status', userStatuses);
export const accountTokenPurpose = pgEnum('account_token_purpose', accountLinkPurposes);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Lowercased by the service; the check makes a forgotten toLowerCase() fail loudly
    // instead of creating a second account that the unique index cannot see.
    email: text('email').notNull(),
    // Null for invited students who only ever sign in with an access code.
    passwordHash: text('password_hash'),
    name: text('name').notNull(),
    role: role('role').notNull().default('student'),
    status: userStatus('status').notNull().default('active'),
    // Where soulbound certificates are minted to, if the student has a wallet.
    walletAddress: text('wallet_address'),
    timezone: text('timezone').notNull().default('UTC'),
    lastLoginAt: tstz('last_login_at'),
    // Set when a link sent to the address was followed (invitation, reset, verification).
    emailVerifiedAt: tstz('email_verified_at'),
    suspendedAt: tstz('suspended_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_email_uq').on(t.email),
    index('users_role_idx').on(t.role),
    index('users_status_idx').on(t.status),
    check('users_email_lowercase_ck', sql`${t.email} = lower(${t.email})`),
    check('users_wallet_address_ck', sql`${t.walletAddress} is null or ${t.walletAddress} ~ ${re(EVM_ADDRESS_RE)}`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // Only hashes of tokens are stored: a database leak must not hand out live sessions.
    accessTokenHash: text('access_token_hash').notNull().unique('sessions_access_token_hash_uq'),
    accessExpiresAt: tstz('access_expires_at').notNull(),
    refreshTokenHash: text('refresh_token_hash').notNull().unique('sessions_refresh_token_hash_uq'),
    // Absolute end of the session: refreshing never extends past it.
    expiresAt: tstz('expires_at').notNull(),
    lastUsedAt: tstz('last_used_at').notNull().defaultNow(),
    userAgent: text('user_agent'),
    ipHash: text('ip_hash'),
    revokedAt: tstz('revoked_at'),
    revokedReason: text('revoked_reason'),
    createdAt: createdAt(),
  },
  (t) => [
    index('sessions_user_revoked_idx').on(t.userId, t.revokedAt),
    // For the cleanup job that deletes expired sessions.
    index('sessions_expires_at_idx').on(t.expiresAt),
  ],
);

// Every refresh token ever issued for a session (hashed). Presenting one that has
// already been rotated means it was stolen: the whole session is revoked.
export const sessionRefreshTokens = pgTable(
  'session_refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique('session_refresh_tokens_token_hash_uq'),
    createdAt: createdAt(),
    rotatedAt: tstz('rotated_at'),
  },
  (t) => [index('session_refresh_tokens_session_idx').on(t.sessionId)],
);

// Single-use, expiring links for invitation acceptance, password reset and email
// verification. Only the SHA-256 of the token is stored; using one sets used_at.
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: accountTokenPurpose('purpose').notNull(),
    tokenHash: text('token_hash').notNull().unique('account_tokens_token_hash_uq'),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
    // Issuing a newer link of the same purpose revokes the older ones.
    revokedAt: tstz('revoked_at'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('account_tokens_user_purpose_idx').on(t.userId, t.purpose),
    index('account_tokens_expires_at_idx').on(t.expiresAt),
  ],
);

export type User = typeof users.$inferSelect;
export type AccountToken = typeof accountTokens.$inferSelect;
export type AccountTokenPurpose = (typeof accountTokenPurpose.enumValues)[number];
export type NewUser = typeof users.$inferInsert;
export type Role = (typeof role.enumValues)[number];
export type UserStatus = (typeof userStatus.enumValues)[number];
export type Session = typeof sessions.$inferSelect;
export type NewSession = typeof sessions.$inferInsert;
export type SessionRefreshToken = typeof sessionRefreshTokens.$inferSelect;
export type NewSessionRefreshToken = typeof sessionRefreshTokens.$inferInsert;
