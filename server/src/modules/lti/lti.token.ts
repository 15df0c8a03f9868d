// Access tokens for LTI Advantage services (AGS, NRPS): the OAuth 2 client_credentials grant
// with a signed JWT client assertion (IMS Security Framework 1.0, section 4.1; RFC 7523).
// The assertion is built with jose and signed with the tool's active RS256 key from the key
// store. No library covers the grant itself on PostgreSQL + Express (ltijs needs MongoDB), and
// it is one form POST, so it is written here.
//
// Tokens are cached in this process's memory per platform and scope set until shortly before
// they expire (a second worker asks for its own: tokens are cheap and short-lived, and a
// cache in Redis would put bearer tokens where other processes can read them). Concurrent
// asks share one request.
import { randomUUID } from 'node:crypto';
import { SignJWT, type CryptoKey } from 'jose';

/** What the token client needs of the key store (slice "keys": createKeyStore().active). */
export interface ToolSigningKeys {
  active(purpose: 'lti_tool'): Promise<{ kid: string; alg: string; privateKey: CryptoKey }>;
}

/** What it needs of a registered platform. */
export interface TokenPlatform {
  id: string;
  clientId: string;
  accessTokenUrl: string;
  authServer: string | null;
}

/** A failure talking to an LMS, with a message a teacher (or admin) can act on. Never carries a token. */
export class LtiServiceError extends Error {
  readonly status: number | null;
  /** False when trying again cannot help until someone changes something (registration, scopes). */
  readonly retryable: boolean;
  constructor(message: string, opts: { status?: number | null; retryable: boolean }) {
    super(message);
    this.name = 'LtiServiceError';
    this.status = opts.status ?? null;
    this.retryable = opts.retryable;
  }
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Every call to an LMS gives up after this long: a hung LMS must not hold a worker. */
export const LTI_HTTP_TIMEOUT_MS = 10_000;
/** A token is renewed this long before the LMS says it expires (clock skew, request time). */
const RENEW_MARGIN_MS = 60_000;

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured address';
  }
}

/** A short, single-line excerpt of what a server said, for an error message (no control characters). */
export function excerpt(value: unknown, max = 160): string {
  const s = typeof value === 'string' ? value : '';
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** fetch with the house timeout; a network failure becomes an LtiServiceError naming the host. */
export async function lmsFetch(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(LTI_HTTP_TIMEOUT_MS) });
  } catch (err) {
    const reason =
      err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
        ? `no answer within ${LTI_HTTP_TIMEOUT_MS / 1000} s`
        : 'connection failed';
    throw new LtiServiceError(`Could not reach the LMS's ${what} at ${hostOf(url)} (${reason}). It will be retried.`, {
      retryable: true,
    });
  }
}

/** Bytes read of one LMS answer at most: a runaway or hostile answer cannot exhaust memory. */
export const LTI_MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * An LMS answer's text, read up to `max` bytes (then the connection is dropped and the answer
 * counts as unreadable: ''). fetch's own text()/json() read whatever size arrives.
 */
export async function readText(res: Response, max = LTI_MAX_ANSWER_BYTES): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel();
        return '';
      }
      chunks.push(value);
    }
  } catch {
    return '';
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An LMS answer as JSON, or null when it is not JSON (or too large). */
export async function readJson(res: Response, max = LTI_MAX_ANSWER_BYTES): Promise<unknown> {
  try {
    return JSON.parse(await readText(res, max)) as unknown;
  } catch {
    return null;
  }
}

export function createLtiTokenClient(deps: { keys: ToolSigningKeys; now?: () => number }) {
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { token: string; renewAt: number }>();
  const inflight = new Map<string, Promise<string>>();

  async function request(platform: TokenPlatform, scopes: string[]): Promise<{ token: string; renewAt: number }> {
    const key = await deps.keys.active('lti_tool');
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(platform.clientId)
      .setSubject(platform.clientId)
      .setAudience(platform.authServer || platform.accessTokenUrl)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey);
    const res = await lmsFetch(
      platform.accessTokenUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: assertion,
          scope: scopes.join(' '),
        }),
      },
      'token endpoint',
    );
    const body = (await readJson(res, 64 * 1024)) as Record<string, unknown> | null;
    if (!res.ok) {
      const said = [excerpt(body?.error, 60), excerpt(body?.error_description)].filter(Boolean).join(': ');
      const detail = said ? `: ${said}` : '';
      if (res.status >= 500 || res.status === 429) {
        throw new LtiServiceError(`The LMS's token endpoint failed (${res.status}${detail}). It will be retried.`, {
          status: res.status,
          retryable: true,
        });
      }
      throw new LtiServiceError(
        `The LMS refused the tool's access token request (${res.status}${detail}): check the platform's client id and token URL, and that the LMS has the tool's JWKS URL.`,
        { status: res.status, retryable: false },
      );
    }
    const token = typeof body?.access_token === 'string' ? body.access_token : '';
    if (!token) {
      throw new LtiServiceError("The LMS's token endpoint answered without an access_token: check the token URL.", {
        status: res.status,
        retryable: false,
      });
    }
    const expiresIn = typeof body?.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    const life = expiresIn * 1000;
    return { token, renewAt: now() + Math.max(life - RENEW_MARGIN_MS, life / 2) };
  }

  return {
    /** A bearer token for these scopes, from the cache while it is fresh. */
    async token(platform: TokenPlatform, scopes: string[]): Promise<string> {
      const key = `${platform.id} ${[...new Set(scopes)].sort().join(' ')}`;
      const hit = cache.get(key);
      if (hit && hit.renewAt > now()) return hit.token;
      let pending = inflight.get(key);
      if (!pending) {
        pending = request(platform, scopes)
          .then((t) => {
            cache.set(key, t);
            return t.token;
          })
          .finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      return pending;
    },
    /** Forgets a platform's tokens (the LMS answered 401 to one). */
    forget(platformId: string) {
      for (const k of cache.keys()) if (k.startsWith(`${platformId} `)) cache.delete(k);
    },
  };
}
export type LtiTokenClient = ReturnType<typeof createLtiTokenClient>;
