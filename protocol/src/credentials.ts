// Open Badges 3.0: every issued certificate is also an OpenBadgeCredential (W3C Verifiable
// Credentials Data Model 2.0) signed by the institution (Data Integrity eddsa-rdfc-2022),
// revocable through a Bitstring Status List. These are the shapes both ends share.
import { z } from 'zod';
import { verificationSchema } from './certificates.ts';

/** Bits per published status list (the Bitstring Status List minimum, 16 KB uncompressed). */
export const STATUS_LIST_SIZE = 131072;
/** Largest credential file POST /api/verify/credential accepts; a real one is about 4 KB. */
export const CREDENTIAL_UPLOAD_MAX_KB = 16;

/** valid: signed by this institution, unaltered, not revoked, and its anchored certificate checks out live;
 * revoked: on the status list or revoked on the chain; tampered: signed by our key but changed since;
 * invalid: not a credential this institution signed (unknown key, no proof, malformed);
 * unavailable: the proof holds but the status list or the chain could not be read, so nothing is certain. */
export const credentialVerificationStatuses = ['valid', 'revoked', 'tampered', 'invalid', 'unavailable'] as const;
export type CredentialVerificationStatus = (typeof credentialVerificationStatuses)[number];

/** One check in plain words, e.g. { name: 'Signature', ok: true, detail: 'Signed by ... with key ...' }. */
export const credentialCheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});
export type CredentialCheck = z.infer<typeof credentialCheckSchema>;

export const credentialVerificationSchema = z.object({
  status: z.enum(credentialVerificationStatuses),
  /** One sentence for people: why this status. */
  message: z.string(),
  checks: z.array(credentialCheckSchema),
  /** The anchored certificate's live check against the chain; null when the credential names none of ours. */
  certificate: verificationSchema.nullable(),
});
export type CredentialVerification = z.infer<typeof credentialVerificationSchema>;

const contextEntry = z.union([z.string().max(2000), z.record(z.string(), z.unknown())]);

/** A Verifiable Credential as uploaded: only what every VC has is required here; everything
 * else (proof, subject, status) is judged by the verifier and answered as a verdict, not a 400. */
export const uploadedCredentialSchema = z.looseObject({
  '@context': z.array(contextEntry).min(1, 'must list at least one context').max(20, 'has too many contexts'),
  type: z.union([z.string().max(200), z.array(z.string().max(200)).min(1).max(20)]),
});
export type UploadedCredential = z.infer<typeof uploadedCredentialSchema>;

/** The signed OpenBadgeCredential the holder downloads (its full shape is the OB 3.0 spec's). */
export const openBadgeCredentialSchema = z.looseObject({
  '@context': z.array(z.string()),
  id: z.string(),
  type: z.array(z.string()),
  issuer: z.looseObject({ id: z.string(), type: z.array(z.string()), name: z.string() }),
  validFrom: z.string(),
  name: z.string(),
  credentialSubject: z.looseObject({}),
  credentialStatus: z.looseObject({
    type: z.literal('BitstringStatusListEntry'),
    statusPurpose: z.literal('revocation'),
    statusListIndex: z.string(),
    statusListCredential: z.string(),
  }),
  proof: z.looseObject({ type: z.string(), cryptosuite: z.string(), verificationMethod: z.string() }),
});
export type OpenBadgeCredential = z.infer<typeof openBadgeCredentialSchema>;

/** GET /issuer: the issuer's OB 3.0 Profile, also the controller document of its keys. */
export const issuerDocumentSchema = z.looseObject({
  '@context': z.array(z.string()),
  id: z.string(),
  type: z.array(z.string()),
  name: z.string(),
  url: z.string(),
  assertionMethod: z.array(z.string()),
});

/** GET /issuer/keys/:kid: one Multikey verification method (public key only). */
export const issuerKeySchema = z.object({
  '@context': z.string(),
  id: z.string(),
  type: z.literal('Multikey'),
  controller: z.string(),
  publicKeyMultibase: z.string(),
});

/** GET /credentials/status/:list: the signed BitstringStatusListCredential. */
export const statusListCredentialSchema = z.looseObject({
  '@context': z.array(z.string()),
  id: z.string(),
  type: z.array(z.string()),
  issuer: z.string(),
  credentialSubject: z.looseObject({
    type: z.literal('BitstringStatusList'),
    statusPurpose: z.string(),
    encodedList: z.string(),
  }),
});
