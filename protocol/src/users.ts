// The admin console's accounts: list, create or import, change role, suspend, reactivate,
// and the invitation / password-reset links an administrator hands out.
import { z } from 'zod';
import { line } from './common.ts';
import { emailSchema, roleSchema, userStatuses, userStatusSchema } from './auth.ts';
import { accountLinkOutcomeSchema } from './accounts.ts';

/** Every state an account can be in: the one list in auth.ts, under the admin console's name. */
export const accountStatuses = userStatuses;
export const accountStatusSchema = userStatusSchema;
export type AccountStatus = z.infer<typeof accountStatusSchema>;

export const USER_NAME_MAX = 100;
/** A CSV import holds at most this many data rows (the header is not counted). */
export const USER_IMPORT_MAX_ROWS = 1000;
export const ADMIN_USERS_PAGE_SIZE = 25;

export const userNameSchema = line({ error: 'Name is required' })
  .trim()
  .min(1, 'Name must not be empty')
  .max(USER_NAME_MAX, `Name must be at most ${USER_NAME_MAX} characters`);

export const adminUserSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  status: accountStatusSchema,
  /** False for invited accounts and students who only ever used an access code. */
  hasPassword: z.boolean(),
  createdAt: z.iso.datetime(),
  lastLoginAt: z.iso.datetime().nullable(),
  emailVerifiedAt: z.iso.datetime().nullable(),
  suspendedAt: z.iso.datetime().nullable(),
});
export type AdminUser = z.infer<typeof adminUserSchema>;

export const adminUserListQuerySchema = z.object({
  /** Case-insensitive part of the email or the name. */
  search: line().trim().max(254, 'search must be at most 254 characters').optional(),
  role: roleSchema.optional(),
  status: accountStatusSchema.optional(),
  page: z.coerce.number().int().min(1, 'page must be at least 1').max(100_000, 'page is too large').default(1),
  limit: z.coerce
    .number()
    .int()
    .min(1, 'limit must be at least 1')
    .max(100, 'limit must be at most 100')
    .default(ADMIN_USERS_PAGE_SIZE),
});
export type AdminUserListQuery = z.infer<typeof adminUserListQuerySchema>;

export const adminUserListSchema = z.object({
  users: z.array(adminUserSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type AdminUserList = z.infer<typeof adminUserListSchema>;

/** Accounts by role and by status, for the console's overview. */
export const adminUserCountsSchema = z.object({
  total: z.number().int(),
  byRole: z.record(roleSchema, z.number().int()),
  byStatus: z.record(accountStatusSchema, z.number().int()),
});
export type AdminUserCounts = z.infer<typeof adminUserCountsSchema>;

export const adminUserDetailSchema = z.object({
  user: adminUserSchema,
  /** Sessions not revoked and not expired. */
  activeSessions: z.number().int(),
});
export type AdminUserDetail = z.infer<typeof adminUserDetailSchema>;

export const userIdParamsSchema = z.object({ id: z.uuid('id must be a UUID') });

export const adminUserCreateSchema = z.object({
  email: emailSchema,
  name: userNameSchema,
  role: roleSchema,
});
export type AdminUserCreate = z.infer<typeof adminUserCreateSchema>;

export const roleChangeSchema = z.object({ role: roleSchema });
export type RoleChange = z.infer<typeof roleChangeSchema>;

export const suspendSchema = z.object({
  /** Kept in the audit log, so the next administrator knows why. */
  reason: line().trim().max(500, 'reason must be at most 500 characters').optional(),
});
export type Suspend = z.infer<typeof suspendSchema>;

export const userImportOutcomes = ['created', 'exists', 'invalid'] as const;
export type UserImportOutcome = (typeof userImportOutcomes)[number];
export const userImportRowSchema = z.object({
  /** The row number a spreadsheet shows: the header is row 1, the first data row is 2. */
  row: z.number().int(),
  email: z.string(),
  outcome: z.enum(userImportOutcomes),
  /** Why a row is invalid or was not created, as a sentence. */
  reason: z.string().optional(),
  userId: z.uuid().optional(),
  /** Created rows: how the invitation reached the person (mailed, or the link to pass on, shown once). */
  link: accountLinkOutcomeSchema.optional(),
});
export type UserImportRow = z.infer<typeof userImportRowSchema>;

export const userImportResultSchema = z.object({
  summary: z.object({ created: z.number().int(), exists: z.number().int(), invalid: z.number().int() }),
  rows: z.array(userImportRowSchema),
});
export type UserImportResult = z.infer<typeof userImportResultSchema>;

/** An account and the link just issued for it (invitation or password reset): shown once if not mailed. */
export const adminUserLinkSchema = z.object({ user: adminUserSchema, link: accountLinkOutcomeSchema });
export type AdminUserLink = z.infer<typeof adminUserLinkSchema>;
