// OAuth 2 client_credentials with a signed JWT client assertion (IMS Security Framework §4.1,
// RFC 7523): the tool posts grant_type, client_assertion_type, client_assertion and scope; the
// assertion must be signed by a key in the tool's JWKS, iss = sub = client_id, aud = this token
// endpoint, with a jti never seen before. Answers an opaque bearer token for the granted scopes.
import { ALL_SCOPES, type Ctx } from './context.ts';
import { jwtFailure } from './keys.ts';
import { formParams, json, mediaType, oauthError, type Reply, type Req } from './http.ts';
import { randomToken } from './state.ts';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function tokenUrl(ctx: Ctx): string {
  return `${ctx.origin}/oauth/token`;
}

export async function handleToken(ctx: Ctx, req: Req): Promise<Reply> {
  if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'POST the token request');
  if (mediaType(req.headers['content-type']) !== 'application/x-www-form-urlencoded') {
    return oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  const p = formParams(req);
  if (p.get('grant_type') !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
  }
  if (p.get('client_assertion_type') !== ASSERTION_TYPE) {
    return oauthError(400, 'invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);
  }
  const assertion = p.get('client_assertion') ?? '';
  if (!assertion) return oauthError(400, 'invalid_request', 'client_assertion is required');
  let payload;
  try {
    ({ payload } = await ctx.verifier.verify(assertion, { issuer: ctx.clientId, audience: tokenUrl(ctx) }));
  } catch (err) {
    return oauthError(401, 'invalid_client', `client assertion refused: ${jwtFailure(err)}`);
  }
  if (payload.sub !== ctx.clientId)
    return oauthError(401, 'invalid_client', 'client assertion sub must be the client_id');
  if (typeof payload.jti !== 'string' || !payload.jti) {
    return oauthError(401, 'invalid_client', 'client assertion needs a jti');
  }
  const now = Date.now();
  for (const [jti, until] of ctx.state.usedJtis) if (until < now) ctx.state.usedJtis.delete(jti);
  if (ctx.state.usedJtis.has(payload.jti))
    return oauthError(401, 'invalid_client', 'client assertion jti was already used');
  ctx.state.usedJtis.set(payload.jti, (payload.exp ?? 0) * 1000 + 60_000);

  const requested = (p.get('scope') ?? '').split(' ').filter(Boolean);
  const granted = requested.filter((s) => ALL_SCOPES.includes(s));
  if (granted.length === 0) return oauthError(400, 'invalid_scope', 'none of the requested scopes is offered');
  const token = randomToken(32);
  ctx.state.tokens.set(token, { scopes: granted, expiresAt: now + ctx.accessTokenTtlSeconds * 1000 });
  return json(200, {
    access_token: token,
    token_type: 'Bearer',
    expires_in: ctx.accessTokenTtlSeconds,
    scope: granted.join(' '),
  });
}

/** The bearer token's scopes, or a 401/403 reply when it does not allow any of `anyOf`. */
export function requireScope(ctx: Ctx, req: Req, anyOf: string[]): Reply | null {
  const auth = String(req.headers.authorization ?? '');
  const m = /^Bearer (.+)$/i.exec(auth);
  const token = m ? ctx.state.tokens.get(m[1]!.trim()) : undefined;
  if (!token || token.expiresAt < Date.now()) {
    return {
      status: 401,
      body: {
        error: 'invalid_token',
        error_description: token ? 'access token expired' : 'missing or unknown access token',
      },
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    };
  }
  if (!anyOf.some((s) => token.scopes.includes(s))) {
    return oauthError(403, 'insufficient_scope', `this needs one of: ${anyOf.join(' ')}`);
  }
  return null;
}
