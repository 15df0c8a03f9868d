// Soulbound ERC-721 certificates and the public verification log (seed 003).
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgSequence,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { certificateStatuses } from '@exam-hall/protocol';
import { attempts } from './attempts.ts';
import { createdAt, EVM_ADDRESS_RE, HASH32_RE, re, tstz, updatedAt } from './columns.ts';
import { exams } from './exams.ts';
import { users } from './users.ts';

export const certificateStatus = pgEnum('certificate_status', certificateStatuses);
export const verificationMethod = pgEnum('verification_method', [
  'public_id',
  'qr',
  'tx_hash',
  'token_id',
  'credential',
]);

/** Every certificate's position in the published Bitstring Status List (Open Badges 3.0
 * revocation): list = floor(index / 131072), bit = index % 131072. Never reused. */
export const certificateStatusListSeq = pgSequence('certificate_status_list_index_seq', { startWith: 0, minValue: 0 });
export const verificationResult = pgEnum('verification_result', ['valid', 'revoked', 'tampered', 'not_found', 'error']);

export const certificates = pgTable(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // restrict: a certificate is a public record; revoke it rather than delete its owner.
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    examId: uuid('exam_id')
      .notNull()
      .references(() => exams.id, { onDelete: 'restrict' }),
    // One live certificate per attempt (partial unique index below); a corrected score
    // revokes the old one and issues a new one for the same attempt.
    attemptId: uuid('attempt_id')
      .notNull()
      .references(() => attempts.id, { onDelete: 'restrict' }),
    // Non-guessable id in the QR code / verify URL: >= 128 random bits, base64url (>= 22 chars).
    publicId: text('public_id').notNull().unique('certificates_public_id_uq'),
    status: certificateStatus('status').notNull().default('pending'),
    // Canonical JSON (sorted keys) whose hash goes on chain; no personal data on chain.
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull(),
    // 0x-prefixed 32-byte hex digest of the canonical metadata bytes.
    metadataHash: text('metadata_hash').notNull(),
    recipientAddress: text('recipient_address'),
    chainId: integer('chain_id'),
    contractAddress: text('contract_address'),
    // uint256: numeric(78,0) holds every value; read as a decimal string.
    tokenId: numeric('token_id', { precision: 78, scale: 0 }),
    txHash: text('tx_hash'),
    blockNumber: bigint('block_number', { mode: 'number' }),
    gasUsed: bigint('gas_used', { mode: 'number' }),
    issuedAt: tstz('issued_at'),
    revokedAt: tstz('revoked_at'),
    revokedReason: text('revoked_reason'),
    revokedBy: uuid('revoked_by').references(() => users.id, { onDelete: 'set null' }),
    // The revocation is recorded here at once and sent to the chain by a job.
    revokeTxHash: text('revoke_tx_hash'),
    revokedOnChainAt: tstz('revoked_on_chain_at'),
    // Backoff: a pending certificate is not claimed for minting before this time.
    nextAttemptAt: tstz('next_attempt_at'),
    // For failed blockchain transactions; the mint job backs off on it.
    retryCount: integer('retry_count').notNull().default(0),
    lastError: text('last_error'),
    statusListIndex: bigint('status_list_index', { mode: 'number' })
      .notNull()
      .default(sql`nextval('certificate_status_list_index_seq')`)
      .unique('certificates_status_list_index_uq'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // chain_id is part of the key: the same contract address exists on several chains
    // (same deployer nonce, local Hardhat). lower(): checksum casing must not create a
    // second row for the same token.
    uniqueIndex('certificates_chain_contract_token_uq')
      .on(t.chainId, sql`lower(${t.contractAddress})`, t.tokenId)
      .where(sql`${t.tokenId} is not null`),
    uniqueIndex('certificates_live_attempt_uq')
      .on(t.attemptId)
      .where(sql`${t.status} <> 'revoked'`),
    index('certificates_attempt_idx').on(t.attemptId),
    index('certificates_tx_hash_idx').on(t.txHash),
    index('certificates_status_idx').on(t.status),
    index('certificates_user_exam_idx').on(t.userId, t.examId),
    index('certificates_exam_idx').on(t.examId),
    index('certificates_created_at_idx').on(t.createdAt),
    check('certificates_public_id_ck', sql`${t.publicId} ~ '^[A-Za-z0-9_-]{22,}$'`),
    check('certificates_metadata_hash_ck', sql`${t.metadataHash} ~ ${re(HASH32_RE)}`),
    check(
      'certificates_recipient_address_ck',
      sql`${t.recipientAddress} is null or ${t.recipientAddress} ~ ${re(EVM_ADDRESS_RE)}`,
    ),
    check(
      'certificates_contract_address_ck',
      sql`${t.contractAddress} is null or ${t.contractAddress} ~ ${re(EVM_ADDRESS_RE)}`,
    ),
    check('certificates_tx_hash_ck', sql`${t.txHash} is null or ${t.txHash} ~ ${re(HASH32_RE)}`),
    check('certificates_token_id_ck', sql`${t.tokenId} is null or ${t.tokenId} >= 0`),
    check(
      'certificates_issued_ck',
      sql`${t.status} <> 'issued' or (${t.tokenId} is not null and ${t.txHash} is not null and ${t.chainId} is not null and ${t.contractAddress} is not null and ${t.issuedAt} is not null)`,
    ),
    check('certificates_revoked_ck', sql`${t.status} <> 'revoked' or ${t.revokedAt} is not null`),
    check('certificates_retry_count_ck', sql`${t.retryCount} >= 0`),
    check('certificates_revoke_tx_hash_ck', sql`${t.revokeTxHash} is null or ${t.revokeTxHash} ~ ${re(HASH32_RE)}`),
  ],
);

// Append-only log of public lookups: rate limiting by ip_hash and usage statistics.
export const verificationRequests = pgTable(
  'verification_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Null when nothing was found.
    certificateId: uuid('certificate_id').references(() => certificates.id, { onDelete: 'set null' }),
    method: verificationMethod('method').notNull(),
    lookupValue: text('lookup_value').notNull(),
    // Hashed like every stored IP: abuse detection without keeping the address.
    ipHash: text('ip_hash'),
    userAgent: text('user_agent'),
    result: verificationResult('result').notNull(),
    responseMs: integer('response_ms').notNull(),
    // Time spent querying the chain, when the chain was queried.
    chainMs: integer('chain_ms'),
    requestedAt: tstz('requested_at').notNull().defaultNow(),
  },
  (t) => [
    index('verification_requests_lookup_idx').on(t.lookupValue, t.method),
    index('verification_requests_ip_requested_idx').on(t.ipHash, t.requestedAt),
    index('verification_requests_requested_at_idx').on(t.requestedAt),
    index('verification_requests_certificate_idx').on(t.certificateId),
    check('verification_requests_timing_ck', sql`${t.responseMs} >= 0 and (${t.chainMs} is null or ${t.chainMs} >= 0)`),
  ],
);

export type Certificate = typeof certificates.$inferSelect;
export type NewCertificate = typeof certificates.$inferInsert;
export type CertificateStatus = (typeof certificateStatus.enumValues)[number];
export type VerificationRequest = typeof verificationRequests.$inferSelect;
export type NewVerificationRequest = typeof verificationRequests.$inferInsert;
