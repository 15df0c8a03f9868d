// The Zoom access token, shared by every process through Redis, with one refresh in
// flight across the cluster: a Redis lock (SET NX PX) elects the process that asks
// Zoom; the others wait for the token to appear. Within a process, concurrent callers
// share one promise. Zoom's server-to-server tokens last an hour; we refresh two
// minutes early (Rivet treats a token with under 60 s left as expired).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/config.ts';
import { ZoomError } from './zoom.errors.ts';

type App = NonNullable<Config['zoom']['app']>;
interface Stored {
  accessToken: string;
  expiresAt: number;
}
const EARLY_MS = 120_000;

export function createZoomTokenSource(redis: Redis, prefix: string, app: App, cfg: Config['zoom']) {
  const key = `${prefix}:zoom:token:${app.accountId}`;
  const lockKey = `${key}:lock`;
  let inflight: Promise<Stored> | null = null;
  let fetched = 0;

  async function cached(): Promise<Stored | null> {
    const raw = await redis.get(key);
    if (!raw) return null;
    const t = JSON.parse(raw) as Stored;
    return t.expiresAt - Date.now() > EARLY_MS ? t : null;
  }

  async function askZoom(): Promise<Stored> {
    const url = new URL(cfg.oauthUrl);
    url.searchParams.set('grant_type', 'account_credentials');
    url.searchParams.set('account_id', app.accountId);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
        signal: AbortSignal.timeout(cfg.timeoutMs),
      });
    } catch (err) {
      throw new ZoomError('unavailable', `Zoom's sign-in endpoint did not answer (${(err as Error).message}).`);
    }
    const body = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      reason?: string;
    };
    if (!res.ok || !body.access_token || !body.expires_in) {
      throw new ZoomError(
        'refused',
        `Zoom refused the app's credentials (${res.status}${body.reason ? `: ${body.reason}` : ''}). Check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET.`,
      );
    }
    fetched++;
    const t = { accessToken: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
    await redis.set(key, JSON.stringify(t), 'PX', Math.max(1000, t.expiresAt - Date.now()));
    return t;
  }

  async function refresh(): Promise<Stored> {
    const me = randomUUID();
    const until = Date.now() + cfg.timeoutMs;
    for (;;) {
      const hit = await cached();
      if (hit) return hit;
      if ((await redis.set(lockKey, me, 'PX', cfg.timeoutMs + 1000, 'NX')) === 'OK') {
        try {
          return await askZoom();
        } finally {
          // Release only our own lock.
          await redis.eval(
            `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end`,
            1,
            lockKey,
            me,
          );
        }
      }
      if (Date.now() > until)
        throw new ZoomError('unavailable', 'Timed out waiting for another process to refresh the Zoom token.');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    async get(): Promise<Stored> {
      const hit = await cached();
      if (hit) return hit;
      inflight ??= refresh().finally(() => (inflight = null));
      return inflight;
    },
    /** After a 401: the token was revoked early; the next call fetches a new one. */
    async invalidate(): Promise<void> {
      await redis.del(key);
    },
    /** Tokens this process fetched from Zoom (tests check the single flight). */
    fetchedCount: () => fetched,
  };
}

export type ZoomTokenSource = ReturnType<typeof createZoomTokenSource>;
