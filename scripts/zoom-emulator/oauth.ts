// Server-to-Server OAuth (grant_type=account_credentials) and the bearer check on /v2.
import type { Ctx } from './context.ts';
import { json, zoomError, type Reply, type Req } from './http.ts';
import { randomToken } from './ids.ts';

const SCOPES = [
  'meeting:read:meeting:admin',
  'meeting:write:meeting:admin',
  'meeting:read:list_registrants:admin',
  'meeting:write:registrant:admin',
  'meeting:write:batch_registrants:admin',
  'meeting:read:list_past_participants:admin',
  'report:read:list_meeting_participants:admin',
  'dashboard:read:list_meeting_participants:admin',
].join(' ');

function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? null : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** POST /oauth/token: parameters from the query string (as Zoom documents) or a form body. */
export function issueToken(ctx: Ctx, req: Req): Reply {
  const params = new URLSearchParams(req.query);
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) if (!params.has(k)) params.set(k, v);
  }
  const creds = basicCredentials(req.headers.authorization);
  if (!creds || creds.id !== ctx.clientId || creds.secret !== ctx.clientSecret) {
    ctx.stats.tokenFailures++;
    return json(400, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
  }
  const grantType = params.get('grant_type');
  if (grantType !== 'account_credentials') {
    ctx.stats.tokenFailures++;
    return json(400, { reason: 'Unsupported grant type', error: 'unsupported_grant_type' });
  }
  if (params.get('account_id') !== ctx.accountId) {
    ctx.stats.tokenFailures++;
    return json(400, { reason: 'Invalid account_id', error: 'invalid_request' });
  }
  const token = randomToken(48);
  ctx.tokens.set(token, Date.now() + ctx.tokenTtlSeconds * 1000);
  ctx.stats.tokensIssued++;
  return json(200, {
    access_token: token,
    token_type: 'bearer',
    expires_in: ctx.tokenTtlSeconds,
    scope: SCOPES,
    api_url: ctx.origin,
  });
}

/** null when the bearer token is valid, else Zoom's 401. */
export function checkBearer(ctx: Ctx, req: Req): Reply | null {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const expiresAt = m ? ctx.tokens.get(m[1]!) : undefined;
  if (expiresAt === undefined) return zoomError(401, 124, 'Invalid access token.');
  if (expiresAt <= Date.now()) return zoomError(401, 124, 'Access token is expired.');
  return null;
}
