// Zoom's REST API through @zoom/rivet, with what Rivet leaves out:
// - the token comes from zoom.token.ts (shared in Redis, one refresh in flight), so
//   Rivet never asks zoom.us for one itself;
// - 429 answers are retried, honouring Retry-After when Zoom sends it and backing off
//   exponentially (with jitter) when it does not;
// - every call is bounded by ZOOM_TIMEOUT_MS;
// - meeting UUIDs that begin with '/' or contain '//' are double-encoded as Zoom requires.
import axios from 'axios';
import { MeetingsS2SAuthClient } from '@zoom/rivet/meetings';
import { AccountsS2SAuthClient } from '@zoom/rivet/accounts';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/config.ts';
import { createZoomTokenSource } from './zoom.token.ts';
import { notConfigured, ZoomError } from './zoom.errors.ts';
import type { ZoomMeetingPayload, ZoomRegistrant, ZoomReportPage, ZoomRegistrantsPage } from './zoom.types.ts';

const MAX_RETRIES = 6;

// Rivet turns a non-2xx answer into ApiResponseError('[status/code]: "message"') and
// drops the headers. This interceptor, on the axios instance Rivet uses, copies a 429's
// Retry-After into the message so the retry below can honour it. It only touches
// answers from the configured Zoom API base URLs.
const zoomBases = new Set<string>();
let interceptorInstalled = false;
function keepRetryAfter(apiUrl: string) {
  zoomBases.add(apiUrl);
  if (interceptorInstalled) return;
  interceptorInstalled = true;
  axios.interceptors.response.use((res) => {
    const base = res.config.baseURL ?? '';
    if (res.status === 429 && [...zoomBases].some((b) => base.startsWith(b))) {
      const after = res.headers['retry-after'];
      const data = (
        res.data && typeof res.data === 'object' ? res.data : { code: 429, message: 'Too many requests' }
      ) as {
        message?: string;
      };
      res.data = {
        ...data,
        message: `${data.message ?? ''}${after !== undefined ? ` [retry-after=${String(after)}]` : ''}`,
      };
    }
    return res;
  });
}

/** Rivet's error message -> what it means for us. */
export function classify(err: unknown): ZoomError {
  if (err instanceof ZoomError) return err;
  const message = (err as Error)?.message ?? String(err);
  const m = /^\[(\d{3})(?:\/(\d+))?\]: "?(.*?)"?$/s.exec(message);
  if (!m) return new ZoomError('unavailable', `Zoom did not answer (${message.slice(0, 200)}).`);
  const status = Number(m[1]);
  const text = m[3] ?? '';
  const retry = /\[retry-after=(\d+)\]/.exec(text);
  const clean = text.replace(/\s*\[retry-after=\d+\]/, '');
  if (status === 429) {
    return new ZoomError('rate_limited', `Zoom's rate limit was reached: ${clean}`, {
      status,
      ...(retry ? { retryAfterMs: Number(retry[1]) * 1000 } : {}),
    });
  }
  if (status === 404 || m[2] === '3001') return new ZoomError('not_found', `Zoom: ${clean}`, { status });
  if (status >= 500) return new ZoomError('unavailable', `Zoom had a problem (${status}): ${clean}`, { status });
  return new ZoomError('refused', `Zoom refused the request (${status}): ${clean}`, { status });
}

/** Zoom's rule for meeting UUIDs in paths. Numeric ids pass through. */
export function meetingPathId(id: string): string {
  return id.startsWith('/') || id.includes('//') ? encodeURIComponent(encodeURIComponent(id)) : encodeURIComponent(id);
}

export function createZoomClient(redis: Redis, prefix: string, cfg: Config['zoom']) {
  const app = cfg.app;
  if (!app) return null;
  keepRetryAfter(cfg.apiUrl);
  const tokens = createZoomTokenSource(redis, prefix, app, cfg);
  const tokenStore = {
    async getLatestToken() {
      const t = await tokens.get();
      return { accessToken: t.accessToken, expirationTimeIso: new Date(t.expiresAt).toISOString(), scopes: [] };
    },
    storeToken() {
      /* tokens are stored by zoom.token.ts */
    },
  };
  const common = {
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    accountId: app.accountId,
    tokenStore,
    disableReceiver: true as const,
    baseUrl: cfg.apiUrl,
    timeout: cfg.timeoutMs,
  };
  const meetings = new MeetingsS2SAuthClient(common).endpoints;
  const accounts = new AccountsS2SAuthClient(common).endpoints;

  async function call<T>(what: string, fn: () => Promise<{ data?: unknown }>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new ZoomError('unavailable', `Zoom did not answer ${what} within ${cfg.timeoutMs} ms.`)),
            cfg.timeoutMs + 500,
          );
        });
        const res = await Promise.race([fn(), timeout]);
        return res.data as T;
      } catch (err) {
        const e = classify(err);
        if (e.kind === 'rate_limited' && attempt < MAX_RETRIES) {
          const backoff = Math.min(30_000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);
          await new Promise((r) => setTimeout(r, e.retryAfterMs ?? backoff));
          continue;
        }
        if (e.status === 401 && attempt === 0) {
          await tokens.invalidate();
          continue;
        }
        throw e;
      } finally {
        clearTimeout(timer);
      }
    }
  }

  return {
    tokens,
    createMeeting: (body: Record<string, unknown>) =>
      call<ZoomMeetingPayload>('creating the meeting', () =>
        meetings.meetings.createMeeting({ path: { userId: cfg.hostUser }, body: body as never }),
      ),
    getMeeting: (meetingId: string) =>
      call<ZoomMeetingPayload>('reading the meeting', () =>
        meetings.meetings.getMeeting({ path: { meetingId: meetingPathId(meetingId) as never } }),
      ),
    listRegistrants: (meetingId: string, query: { page_size: number; next_page_token?: string }) =>
      call<ZoomRegistrantsPage>('listing registrants', () =>
        meetings.meetings.listMeetingRegistrants({
          path: { meetingId: meetingPathId(meetingId) as never },
          query: { status: 'approved', ...query } as never,
        }),
      ),
    addRegistrant: (meetingId: string, body: { email: string; first_name: string; last_name?: string }) =>
      call<ZoomRegistrant>('registering a participant', () =>
        meetings.meetings.addMeetingRegistrant({
          path: { meetingId: meetingPathId(meetingId) as never },
          body: body as never,
        }),
      ),
    batchRegister: (meetingId: string, registrants: { email: string; first_name: string; last_name?: string }[]) =>
      call<{ registrants?: ZoomRegistrant[] }>('registering participants', () =>
        meetings.meetings.performBatchRegistration({
          path: { meetingId: meetingPathId(meetingId) as never },
          body: { auto_approve: true, registrants_confirmation_email: false, registrants } as never,
        }),
      ),
    reportParticipants: (
      meetingId: string,
      query: { page_size: number; next_page_token?: string; include_fields?: 'registrant_id' },
    ) =>
      call<ZoomReportPage>('reading the participants report', () =>
        meetings.reports.getMeetingParticipantReports({
          path: { meetingId: meetingPathId(meetingId) as never },
          query: query as never,
        }),
      ),
    liveParticipants: (meetingId: string, query: { page_size: number; next_page_token?: string }) =>
      call<{ participants?: Record<string, unknown>[]; next_page_token?: string }>('reading live participants', () =>
        accounts.dashboards.listMeetingParticipants({
          path: { meetingId: meetingPathId(meetingId) as never },
          query: { type: 'live', ...query } as never,
        }),
      ),
  };
}

export type ZoomClient = NonNullable<ReturnType<typeof createZoomClient>>;

export function requireZoom(client: ZoomClient | null): ZoomClient {
  if (!client) throw notConfigured();
  return client;
}
