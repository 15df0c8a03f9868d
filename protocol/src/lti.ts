// LTI 1.3 / LTI Advantage: shared enums. (Platform registration, launch and deep-linking
// contracts are added below by the LTI core slice; grade sync and roster contracts live in
// lti-grades.ts.)
import { z } from 'zod';
import { line } from './common.ts';

/** lti_tool: the tool's JWKS (RS256); credential_issuer: Open Badges signing (Ed25519). */
export const signingKeyPurposes = ['lti_tool', 'credential_issuer'] as const;
export type SigningKeyPurpose = (typeof signingKeyPurposes)[number];

/** next: published, not yet signing; active: signs; retired: published until its grace ends. */
export const signingKeyStates = ['next', 'active', 'retired'] as const;
export type SigningKeyState = (typeof signingKeyStates)[number];

/** A student's score push to the LMS gradebook (AGS). */
export const gradeSyncStatuses = ['pending', 'sent', 'failed'] as const;
export type GradeSyncStatus = (typeof gradeSyncStatuses)[number];

// --- Platform registration (admin) ---------------------------------------------------

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const parsedUrl = (s: string): URL | null => (URL.canParse(s) ? new URL(s) : null);

/** An LMS endpoint: https, or http on the loopback (a local emulator); no credentials, no fragment. */
export const platformUrl = (what: string) =>
  line()
    .trim()
    .max(2000, `${what} is longer than 2000 characters`)
    .refine((s) => parsedUrl(s) !== null, { error: `${what} must be a full URL, like https://lms.example.edu/...` })
    .refine(
      (s) => {
        const u = parsedUrl(s);
        return !u || u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname));
      },
      { error: `${what} must use https (http is accepted only for localhost and 127.0.0.1)` },
    )
    .refine(
      (s) => {
        const u = parsedUrl(s);
        return !u || (!u.username && !u.password && !u.hash);
      },
      { error: `${what} must not contain a user name, password or #fragment` },
    );

/** An issuer is a case-sensitive https URL without query or fragment (LTI Core 1.3 §5.1.2). */
const issuerUrl = platformUrl('issuer').refine((s) => !parsedUrl(s)?.search, {
  error: 'issuer must not contain a ?query',
});

const deploymentId = line()
  .trim()
  .min(1, 'a deployment id must not be empty')
  .max(255, 'a deployment id is at most 255 characters');

export const ltiPlatformInputSchema = z.object({
  name: line().trim().min(1, 'name is required').max(120, 'name is at most 120 characters'),
  issuer: issuerUrl,
  clientId: line().trim().min(1, 'clientId is required').max(255, 'clientId is at most 255 characters'),
  deploymentIds: z
    .array(deploymentId)
    .min(1, 'at least one deployment id is required')
    .max(50, 'at most 50 deployment ids')
    .refine((a) => new Set(a).size === a.length, { error: 'deployment ids must not repeat' }),
  authLoginUrl: platformUrl('authLoginUrl'),
  accessTokenUrl: platformUrl('accessTokenUrl'),
  jwksUrl: platformUrl('jwksUrl'),
  authServer: platformUrl('authServer').nullable().optional(),
});
export type LtiPlatformInput = z.infer<typeof ltiPlatformInputSchema>;

export const ltiPlatformSchema = ltiPlatformInputSchema.extend({
  id: z.uuid(),
  authServer: z.string().nullable(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LtiPlatform = z.infer<typeof ltiPlatformSchema>;

export const ltiPlatformListSchema = z.object({ platforms: z.array(ltiPlatformSchema) });

/** What an LMS administrator types into the LMS to register Exam Hall as a tool. */
export const ltiToolConfigurationSchema = z.object({
  title: z.string(),
  /** OIDC third-party login initiation URL (GET and POST). */
  loginUrl: z.string(),
  /** Target link URI / launch URL. */
  launchUrl: z.string(),
  redirectUris: z.array(z.string()),
  jwksUrl: z.string(),
  deepLinkingUrl: z.string(),
  /** OAuth 2 scopes the tool asks for (AGS line items, scores, results; NRPS memberships). */
  scopes: z.array(z.string()),
  /** Message types the tool accepts. */
  messageTypes: z.array(z.string()),
  /** Custom parameters the tool reads. */
  customParameters: z.record(z.string(), z.string()),
  /** The kids currently published at jwksUrl (active first). */
  publishedKids: z.array(z.string()),
  activeKid: z.string(),
});
export type LtiToolConfiguration = z.infer<typeof ltiToolConfigurationSchema>;

export const ltiKeyRotationSchema = z.object({ activeKid: z.string(), retiredKid: z.string().nullable() });

// --- Deep Linking picker ---------------------------------------------------------------

export const ltiDeepLinkParamsSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{20,64}$/, 'id is not a deep-linking request id'),
});

export const ltiDeepLinkRequestSchema = z.object({
  platformName: z.string(),
  contextTitle: z.string().nullable(),
  /** The signed-in teacher's exams that can be placed. */
  exams: z.array(
    z.object({
      id: z.uuid(),
      title: z.string(),
      status: z.string(),
      totalPoints: z.number(),
      courseName: z.string().nullable(),
    }),
  ),
  expiresAt: z.string(),
});
export type LtiDeepLinkRequest = z.infer<typeof ltiDeepLinkRequestSchema>;

export const ltiDeepLinkChoiceSchema = z.object({ examId: z.uuid('examId must be a UUID') });

/** Post `jwt` as form field JWT to returnUrl (the platform's deep_link_return_url). */
export const ltiDeepLinkResponseSchema = z.object({ returnUrl: z.string(), jwt: z.string() });
export type LtiDeepLinkResponse = z.infer<typeof ltiDeepLinkResponseSchema>;

// --- Launch: OIDC login initiation and the id_token's LTI claims (LTI Core 1.3 §5) -----

const lti = 'https://purl.imsglobal.org/spec/lti/claim/';
export const LTI_CLAIMS = {
  messageType: `${lti}message_type`,
  version: `${lti}version`,
  deploymentId: `${lti}deployment_id`,
  targetLinkUri: `${lti}target_link_uri`,
  resourceLink: `${lti}resource_link`,
  roles: `${lti}roles`,
  context: `${lti}context`,
  custom: `${lti}custom`,
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  contentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  data: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
} as const;

export const LTI_ROLES = {
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
} as const;

const hint = (what: string) => line().min(1, `${what} is empty`).max(4096, `${what} is longer than 4096 characters`);

/** Third-party initiated login (LTI Core 1.3 §4.1; IMS Security Framework §5.1.1.1). */
export const ltiLoginInitiationSchema = z.object({
  iss: line().min(1, 'iss is required').max(2000, 'iss is longer than 2000 characters'),
  login_hint: hint('login_hint'),
  target_link_uri: line().min(1, 'target_link_uri is required').max(2000, 'target_link_uri is too long'),
  lti_message_hint: hint('lti_message_hint').optional(),
  client_id: line().min(1, 'client_id is empty').max(255, 'client_id is too long').optional(),
  lti_deployment_id: line().min(1, 'lti_deployment_id is empty').max(255, 'lti_deployment_id is too long').optional(),
});
export type LtiLoginInitiation = z.infer<typeof ltiLoginInitiationSchema>;

/** The authentication response form_post to the redirect URI. */
export const ltiLaunchFormSchema = z.object({
  id_token: z
    .string('id_token is missing')
    .min(1, 'id_token is empty')
    .max(32_000, 'id_token is longer than 32,000 characters'),
  state: z.string('state is missing').min(1, 'state is empty').max(200, 'state is longer than 200 characters'),
});

// Claims come from another system: control characters (NUL, which PostgreSQL refuses, among
// them) become spaces and lone surrogates U+FFFD, rather than refusing a whole launch.
// eslint-disable-next-line no-control-regex
const CLAIM_CONTROL = /[\u0000-\u001f\u007f]/g;
const claimText = (max: number, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .transform((s) => s.replace(CLAIM_CONTROL, ' ').toWellFormed());
const claimUrl = z.url().max(2000);

/** The LTI claims this tool reads from a verified id_token (others are ignored). */
export const ltiLaunchClaimsSchema = z.object({
  sub: claimText(255, 1),
  name: claimText(300).optional(),
  given_name: claimText(300).optional(),
  family_name: claimText(300).optional(),
  email: claimText(254).optional(),
  [LTI_CLAIMS.messageType]: z.enum(['LtiResourceLinkRequest', 'LtiDeepLinkingRequest']),
  [LTI_CLAIMS.version]: z.literal('1.3.0'),
  [LTI_CLAIMS.deploymentId]: claimText(255, 1),
  [LTI_CLAIMS.targetLinkUri]: claimUrl.optional(),
  [LTI_CLAIMS.roles]: z.array(claimText(300)).max(100),
  [LTI_CLAIMS.resourceLink]: z.object({ id: claimText(255, 1), title: claimText(500).nullish() }).optional(),
  [LTI_CLAIMS.context]: z
    .object({ id: claimText(255, 1), title: claimText(500).nullish(), label: claimText(500).nullish() })
    .optional(),
  [LTI_CLAIMS.custom]: z.record(z.string(), z.unknown()).optional(),
  [LTI_CLAIMS.ags]: z
    .object({
      scope: z.array(claimText(300)).max(20).optional(),
      lineitems: claimUrl.optional(),
      lineitem: claimUrl.optional(),
    })
    .optional(),
  [LTI_CLAIMS.nrps]: z.object({ context_memberships_url: claimUrl }).optional(),
  [LTI_CLAIMS.deepLinkingSettings]: z
    .object({
      deep_link_return_url: claimUrl,
      accept_types: z.array(claimText(100)).max(20),
      accept_multiple: z.boolean().optional(),
      // Echoed back to the platform byte for byte: not cleaned.
      data: z.string().max(4096).optional(),
      title: claimText(500).optional(),
    })
    .optional(),
});
export type LtiLaunchClaims = z.infer<typeof ltiLaunchClaimsSchema>;
