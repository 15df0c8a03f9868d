// LTI 1.3 launch: the OIDC authentication response (form_post of id_token + state) that
// the platform sends to /lti/launch after /lti/login redirected the browser to it.
//
// Why not ltijs (the usual Node LTI library): it needs MongoDB (or its Sequelize plugin)
// and owns its own Express app and database, whereas Exam Hall keeps everything in
// PostgreSQL via Drizzle and serves one Express app. The security-relevant work is done
// by `jose` (JWKS fetching and caching, RS256 signature, iss/aud/exp/iat checks); this file
// only adds the LTI rules on top: the one-time server-side state, the nonce, azp for
// several audiences, registered deployments and the required LTI claims.
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LTI_CLAIMS, ltiLaunchClaimsSchema, type LtiLaunchClaims } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { LtiPlatform } from '../../db/schema/index.ts';
import { LtiError } from './lti.html.ts';
import * as repo from './lti.repository.ts';

/** id_tokens older than this are refused even when not expired (replay window). */
export const ID_TOKEN_MAX_AGE_S = 300;
/** Clock skew between the platform and us that is forgiven. */
export const CLOCK_TOLERANCE_S = 30;

export interface VerifiedLaunch {
  platform: LtiPlatform;
  claims: LtiLaunchClaims;
  /** The target link URI the login step stored (ours, checked there). */
  targetLinkUri: string;
}

/** One cached remote JWKS per platform JWKS URL (jose caches keys and refetches on an unknown kid). */
export function createJwksCache(options: { timeoutMs?: number } = {}) {
  const sets = new Map<string, JWTVerifyGetKey>();
  return (url: string): JWTVerifyGetKey => {
    let set = sets.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), {
        timeoutDuration: options.timeoutMs ?? 5000,
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
      });
      if (sets.size > 500) sets.clear();
      sets.set(url, set);
    }
    return set;
  };
}

/** Why jose refused the token, in words a platform administrator can act on. */
function tokenProblem(err: unknown): LtiError {
  if (err instanceof joseErrors.JWTExpired) return new LtiError(401, 'The launch token (id_token) has expired.');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    const what: Record<string, string> = {
      iss: 'The launch token was issued by a different issuer than the one this login started with.',
      aud: 'The launch token is not addressed to this tool (its audience is not our client id).',
      iat: 'The launch token is too old or dated in the future (check the LMS clock).',
      nbf: 'The launch token is not valid yet (check the LMS clock).',
    };
    return new LtiError(401, what[err.claim] ?? `The launch token's "${err.claim}" claim is not acceptable.`);
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return new LtiError(401, 'The launch token must be signed with RS256; it used another algorithm.');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return new LtiError(401, "The launch token's signature does not match the LMS's published keys.");
  if (err instanceof joseErrors.JWKSNoMatchingKey)
    return new LtiError(401, "The launch token was signed with a key the LMS's JWKS does not publish.");
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid)
    return new LtiError(
      503,
      "The LMS's key set (JWKS URL) could not be read, so the launch cannot be checked.",
      'Try again in a minute; if it keeps failing, ask your administrator to check the JWKS URL.',
    );
  if (err instanceof joseErrors.JOSEError) return new LtiError(401, 'The launch token is not a valid signed JWT.');
  // fetch failures (connection refused, DNS) of the JWKS
  return new LtiError(
    503,
    "The LMS's key set (JWKS URL) could not be read, so the launch cannot be checked.",
    'Try again in a minute; if it keeps failing, ask your administrator to check the JWKS URL.',
  );
}

const describeClaimIssue = (path: PropertyKey[]): string => {
  const name = String(path[0] ?? 'token');
  const short = name.replace(/^https:\/\/purl\.imsglobal\.org\/spec\/[^/]+\/claim\//, '');
  if (short === 'message_type') return 'The launch is not an LtiResourceLinkRequest or LtiDeepLinkingRequest.';
  if (short === 'version') return 'The launch is not LTI version 1.3.0.';
  return `The launch token's "${short}" claim is missing or malformed.`;
};

export async function verifyLaunch(
  db: Db,
  jwksOf: (url: string) => JWTVerifyGetKey,
  form: { id_token: string; state: string },
): Promise<VerifiedLaunch> {
  // The state is consumed first, once: a replayed form (or a second tab) finds it used.
  const state = await repo.consumeLoginState(db, form.state);
  if (!state) {
    const fate = await repo.loginStateFate(db, form.state);
    throw new LtiError(
      400,
      fate === 'used'
        ? 'This launch was already used (the login state can be used only once).'
        : fate === 'expired'
          ? 'This launch took too long: the login state expired after 5 minutes.'
          : 'This launch does not belong to a login that started here (unknown state).',
    );
  }
  const platform = await repo.platformById(db, state.platformId);
  if (!platform || !platform.active)
    throw new LtiError(403, 'This LMS is no longer registered with Exam Hall.', 'Ask your administrator.');

  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(form.id_token, jwksOf(platform.jwksUrl), {
      issuer: platform.issuer,
      audience: platform.clientId,
      algorithms: ['RS256'],
      maxTokenAge: ID_TOKEN_MAX_AGE_S,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub', 'nonce'],
    }));
  } catch (err) {
    throw tokenProblem(err);
  }
  // Several audiences: the authorized party must be us (OIDC Core §3.1.3.7, LTI Core §5.1.2).
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== platform.clientId)
    throw new LtiError(
      401,
      'The launch token names several audiences but its authorized party (azp) is not this tool.',
    );
  if (payload.nonce !== state.nonce)
    throw new LtiError(401, "The launch token's nonce does not match this login (a replayed or mixed-up launch).");

  const parsed = ltiLaunchClaimsSchema.safeParse(payload);
  if (!parsed.success) throw new LtiError(400, describeClaimIssue(parsed.error.issues[0]?.path ?? []));
  const claims = parsed.data;
  if (!platform.deploymentIds.includes(claims[LTI_CLAIMS.deploymentId]))
    throw new LtiError(
      403,
      'This LMS deployment is not registered with Exam Hall.',
      'Ask your administrator to add the deployment id to the LMS registration.',
    );
  const type = claims[LTI_CLAIMS.messageType];
  if (type === 'LtiResourceLinkRequest' && !claims[LTI_CLAIMS.resourceLink])
    throw new LtiError(400, 'The launch token\'s "resource_link" claim is missing.');
  if (type === 'LtiDeepLinkingRequest' && !claims[LTI_CLAIMS.deepLinkingSettings])
    throw new LtiError(400, 'The launch token\'s "deep_linking_settings" claim is missing.');
  if (!claims[LTI_CLAIMS.context])
    throw new LtiError(400, 'The launch token\'s "context" claim (the course) is missing.');
  return { platform, claims, targetLinkUri: state.targetLinkUri };
}
