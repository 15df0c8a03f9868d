// LTI 1.3 / LTI Advantage: registered platforms (LMSs), the server-side OIDC login
// state, LMS people, contexts (courses) and resource links mapped to ours, and the
// per-student grade pushes (AGS) a teacher sees and can resend.
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { gradeSyncStatuses, signingKeyPurposes, signingKeyStates } from '@exam-hall/protocol';
import { attempts } from './attempts.ts';
import { createdAt, tstz, updatedAt } from './columns.ts';
import { courses } from './courses.ts';
import { exams } from './exams.ts';
import { users } from './users.ts';

export const signingKeyPurpose = pgEnum('signing_key_purpose', signingKeyPurposes);
export const signingKeyState = pgEnum('signing_key_state', signingKeyStates);
export const gradeSyncStatus = pgEnum('grade_sync_status', gradeSyncStatuses);

/** The server's own asymmetric keys: the LTI tool's JWKS (RS256) and the institution's
 * credential issuer key (Ed25519). 'next' keys are published before they sign, 'retired'
 * keys stay published until retiredAt + grace so tokens signed with them still verify. */
export const signingKeys = pgTable(
  'signing_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    purpose: signingKeyPurpose('purpose').notNull(),
    kid: text('kid').notNull().unique('signing_keys_kid_uq'),
    alg: text('alg').notNull(),
    publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
    // The private key, sealed (AES-256-GCM) with a key derived from the server secret;
    // never returned by any endpoint and never logged.
    privateSealed: text('private_sealed').notNull(),
    state: signingKeyState('state').notNull(),
    activatedAt: tstz('activated_at'),
    retiredAt: tstz('retired_at'),
    createdAt: createdAt(),
  },
  (t) => [
    // At most one active key per purpose.
    uniqueIndex('signing_keys_active_uq')
      .on(t.purpose)
      .where(sql`${t.state} = 'active'`),
    index('signing_keys_purpose_state_idx').on(t.purpose, t.state),
  ],
);

export const ltiPlatforms = pgTable(
  'lti_platforms',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    issuer: text('issuer').notNull(),
    clientId: text('client_id').notNull(),
    deploymentIds: text('deployment_ids')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** OIDC authorization endpoint the login step redirects to. */
    authLoginUrl: text('auth_login_url').notNull(),
    /** OAuth 2 token endpoint (client_credentials with a signed JWT assertion) for AGS/NRPS. */
    accessTokenUrl: text('access_token_url').notNull(),
    jwksUrl: text('jwks_url').notNull(),
    /** OAuth 2 audience for the token request when it differs from the token URL. */
    authServer: text('auth_server'),
    active: boolean('active').notNull().default(true),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('lti_platforms_issuer_client_uq').on(t.issuer, t.clientId)],
);

/** One row per OIDC login: the state and nonce stay here, not in a cookie. Used once. */
export const ltiLoginStates = pgTable(
  'lti_login_states',
  {
    state: text('state').primaryKey(),
    nonce: text('nonce').notNull().unique('lti_login_states_nonce_uq'),
    platformId: uuid('platform_id')
      .notNull()
      .references(() => ltiPlatforms.id, { onDelete: 'cascade' }),
    targetLinkUri: text('target_link_uri').notNull(),
    createdAt: createdAt(),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
  },
  (t) => [index('lti_login_states_expires_idx').on(t.expiresAt)],
);

/** An LMS person (platform + sub) and the account the first launch created or matched. */
export const ltiUsers = pgTable(
  'lti_users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    platformId: uuid('platform_id')
      .notNull()
      .references(() => ltiPlatforms.id, { onDelete: 'cascade' }),
    sub: text('sub').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lastLaunchAt: tstz('last_launch_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('lti_users_platform_sub_uq').on(t.platformId, t.sub), index('lti_users_user_idx').on(t.userId)],
);

/** An LMS course (context) and the Exam Hall course it maps to; NRPS and AGS service URLs. */
export const ltiContexts = pgTable(
  'lti_contexts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    platformId: uuid('platform_id')
      .notNull()
      .references(() => ltiPlatforms.id, { onDelete: 'cascade' }),
    deploymentId: text('deployment_id').notNull(),
    contextId: text('context_id').notNull(),
    title: text('title'),
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'set null' }),
    /** NRPS context_memberships_url from the last launch. */
    membershipsUrl: text('memberships_url'),
    /** AGS lineitems container URL and granted scopes from the last launch. */
    lineItemsUrl: text('line_items_url'),
    agsScopes: text('ags_scopes')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    rosterSyncedAt: tstz('roster_synced_at'),
    /** The last roster sync's outcome in words (counts or the error). */
    rosterSyncResult: jsonb('roster_sync_result').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('lti_contexts_platform_context_uq').on(t.platformId, t.contextId),
    index('lti_contexts_course_idx').on(t.courseId),
  ],
);

/** A placement of an exam in the LMS (from Deep Linking or a launch's custom exam id). */
export const ltiResourceLinks = pgTable(
  'lti_resource_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    platformId: uuid('platform_id')
      .notNull()
      .references(() => ltiPlatforms.id, { onDelete: 'cascade' }),
    contextId: uuid('context_id').references(() => ltiContexts.id, { onDelete: 'cascade' }),
    resourceLinkId: text('resource_link_id').notNull(),
    examId: uuid('exam_id')
      .notNull()
      .references(() => exams.id, { onDelete: 'cascade' }),
    /** AGS line item URL for this link (from the launch's endpoint claim, or created). */
    lineItemUrl: text('line_item_url'),
    title: text('title'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('lti_resource_links_platform_link_uq').on(t.platformId, t.resourceLinkId),
    index('lti_resource_links_exam_idx').on(t.examId),
  ],
);

/** One student's score push to one line item: what was sent, when, and what went wrong. */
export const ltiGradeSyncs = pgTable(
  'lti_grade_syncs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    resourceLinkId: uuid('resource_link_id')
      .notNull()
      .references(() => ltiResourceLinks.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    attemptId: uuid('attempt_id').references(() => attempts.id, { onDelete: 'set null' }),
    status: gradeSyncStatus('status').notNull().default('pending'),
    scoreGiven: numeric('score_given', { mode: 'number' }),
    scoreMaximum: numeric('score_maximum', { mode: 'number' }),
    tries: integer('tries').notNull().default(0),
    lastError: text('last_error'),
    lastTriedAt: tstz('last_tried_at'),
    sentAt: tstz('sent_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('lti_grade_syncs_link_user_uq').on(t.resourceLinkId, t.userId),
    index('lti_grade_syncs_status_idx').on(t.status),
    check('lti_grade_syncs_tries_ck', sql`${t.tries} >= 0`),
  ],
);

export type SigningKey = typeof signingKeys.$inferSelect;
export type LtiPlatform = typeof ltiPlatforms.$inferSelect;
export type LtiContext = typeof ltiContexts.$inferSelect;
export type LtiResourceLink = typeof ltiResourceLinks.$inferSelect;
export type LtiGradeSync = typeof ltiGradeSyncs.$inferSelect;
