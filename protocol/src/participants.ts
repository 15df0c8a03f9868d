import { z } from 'zod';
import { line } from './common.ts';
import { attemptStatuses } from './attempts.ts';
import { emailSchema, roleSchema, userStatusSchema } from './auth.ts';

export const accessCodeStatuses = ['unused', 'used', 'voided'] as const;
export type AccessCodeStatus = (typeof accessCodeStatuses)[number];

/** A CSV import holds at most this many data rows (the header is not counted). */
export const PARTICIPANT_IMPORT_MAX_ROWS = 5000;
export const PARTICIPANT_NAME_MAX = 100;

export const participantNameSchema = line()
  .trim()
  .min(1, 'Name must not be empty')
  .max(PARTICIPANT_NAME_MAX, `Name must be at most ${PARTICIPANT_NAME_MAX} characters`);

export const participantAddSchema = z.object({
  email: emailSchema,
  /** For a new (invited) account; defaults to the part of the email before '@'. Ignored for existing accounts. */
  name: participantNameSchema.optional(),
});
export type ParticipantAdd = z.infer<typeof participantAddSchema>;

export const participantSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  email: z.string(),
  name: z.string(),
  userStatus: userStatusSchema,
  codeStatus: z.enum(accessCodeStatuses),
  /** Last 4 characters of the current code, to tell codes apart; the code itself is never stored. */
  codeHint: z.string().nullable(),
  codeIssuedAt: z.iso.datetime(),
  codeUsedAt: z.iso.datetime().nullable(),
  addedAt: z.iso.datetime(),
  attemptCount: z.number().int(),
  latestAttempt: z.object({ status: z.enum(attemptStatuses), percentage: z.number().nullable() }).nullable(),
});
export type Participant = z.infer<typeof participantSchema>;

/** The plain code appears only in the answer that created or regenerated it. */
export const participantAddedSchema = z.object({ participant: participantSchema, code: z.string() });
export type ParticipantAdded = z.infer<typeof participantAddedSchema>;

export const participantListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1, 'limit must be at least 1').max(200, 'limit must be at most 200').default(50),
  offset: z.coerce.number().int().min(0, 'offset must be 0 or more').default(0),
  /** Case-insensitive substring of the email or name. */
  search: line().trim().max(254, 'search must be at most 254 characters').optional(),
  codeStatus: z.enum(accessCodeStatuses).optional(),
});
export type ParticipantListQuery = z.infer<typeof participantListQuerySchema>;

export const participantListSchema = z.object({ participants: z.array(participantSchema), total: z.number().int() });
export type ParticipantList = z.infer<typeof participantListSchema>;

export const importOutcomes = ['added', 'skipped', 'rejected'] as const;
export const participantImportRowSchema = z.object({
  /** The row number a spreadsheet shows: the header is row 1, the first data row is 2. */
  row: z.number().int(),
  email: z.string(),
  outcome: z.enum(importOutcomes),
  /** Why a row was skipped or rejected, as a sentence. */
  reason: z.string().optional(),
  participantId: z.uuid().optional(),
  /** The new access code, for added rows only. */
  code: z.string().optional(),
});
export type ParticipantImportRow = z.infer<typeof participantImportRowSchema>;

export const participantImportResultSchema = z.object({
  summary: z.object({ added: z.number().int(), skipped: z.number().int(), rejected: z.number().int() }),
  rows: z.array(participantImportRowSchema),
});
export type ParticipantImportResult = z.infer<typeof participantImportResultSchema>;

export const codesExportBodySchema = z.object({
  /** Whose rows to list; default: every participant. The export never changes a code. */
  participantIds: z
    .array(z.uuid('participantIds must be UUIDs'))
    .min(1, 'participantIds must not be empty; omit it for every participant')
    .max(PARTICIPANT_IMPORT_MAX_ROWS, `At most ${PARTICIPANT_IMPORT_MAX_ROWS} participants at a time`)
    .optional(),
});
export type CodesExportBody = z.infer<typeof codesExportBodySchema>;

const knownTimeZones = new Set(Intl.supportedValuesOf('timeZone'));
/** An IANA time zone name (Europe/Berlin); dates on slips are written in it. */
export const timeZoneSchema = line()
  .max(64, 'tz must be at most 64 characters')
  .refine((tz) => tz === 'UTC' || knownTimeZones.has(tz), 'tz must be an IANA time zone such as Europe/Berlin');

/**
 * Bulk reissue: every participant who has not started gets a new code and their current
 * code stops working, so the body must say so explicitly.
 */
export const codesReissueBodySchema = z.object({
  confirm: z.literal(true, {
    error: 'confirm must be true: reissuing makes the current codes of everyone who has not started stop working',
  }),
  /**
   * How many participants the teacher confirmed (from the preview). When someone starts
   * meanwhile the count differs: 409 and nothing changes. Omitted: no check.
   */
  expected: z
    .number('expected must be a whole number')
    .int('expected must be a whole number')
    .min(0, 'expected must be 0 or more')
    .max(1_000_000, 'expected is too large')
    .optional(),
  /** csv (default): email, name, code. pdf: printable slips with the new codes. */
  format: z.enum(['csv', 'pdf'], { error: 'format must be csv or pdf' }).default('csv'),
  /** For format pdf: the time zone the slips' dates are written in (default UTC). */
  tz: timeZoneSchema.optional(),
});
export type CodesReissueBody = z.input<typeof codesReissueBodySchema>;

/** Printable code slips: this many to an A4 page, cut along the dashed lines. */
export const CODE_SLIPS_PER_PAGE = 8;
/** At most this many slips in one PDF (one per participant). */
export const CODE_SLIPS_MAX = 5000;

export const codeSlipsQuerySchema = z.object({
  /** The teacher's time zone for the dates printed on the slips; default UTC. */
  tz: timeZoneSchema.default('UTC'),
});
export type CodeSlipsQuery = z.infer<typeof codeSlipsQuerySchema>;

/** How many participants a bulk reissue would give new codes (no attempt, code still unused). */
export const codesReissuePreviewSchema = z.object({ count: z.number().int() });
export type CodesReissuePreview = z.infer<typeof codesReissuePreviewSchema>;

export const codeRegeneratedSchema = z.object({ participant: participantSchema, code: z.string() });

export const participantParamsSchema = z.object({
  examId: z.uuid('examId must be a UUID'),
  participantId: z.uuid('participantId must be a UUID'),
});

export const userSearchQuerySchema = z.object({
  prefix: line({ error: 'prefix is required' })
    .trim()
    .toLowerCase()
    .min(2, 'prefix must be at least 2 characters')
    .max(254, 'prefix must be at most 254 characters'),
});
export const userSearchResultSchema = z.object({
  users: z.array(z.object({ id: z.uuid(), email: z.string(), name: z.string(), role: roleSchema })),
});
export type UserSearchResult = z.infer<typeof userSearchResultSchema>;
