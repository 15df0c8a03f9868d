// What the HTTP side and the meeting controls share: the account, its meetings, tokens and counters.
import type { Pager } from './http.ts';
import type { Meeting, Instance } from './state.ts';

export interface RateLimitOptions {
  /** Every Nth request to /v2/report/* and /v2/past_meetings/* answers 429. */
  every?: number;
  /** Retry-After value in seconds; null sends no Retry-After header (Zoom does not always send one). */
  retryAfterSeconds?: number | null;
}

export interface EmulatorStats {
  /** Requests per route, keyed like "GET /v2/report/meetings/{meetingId}/participants". */
  requests: Record<string, number>;
  totalRequests: number;
  tokensIssued: number;
  tokenFailures: number;
  unauthorized: number;
  rateLimited: number;
  webhooksSent: number;
  webhooksFailed: number;
}

export interface Ctx {
  origin: string;
  accountId: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  webhookUrl: string | undefined;
  tokenTtlSeconds: number;
  host: { id: string; email: string };
  meetings: Map<number, Meeting>;
  /** access token -> expiry (ms since epoch) */
  tokens: Map<string, number>;
  pager: Pager;
  stats: EmulatorStats;
  rateLimit: { every: number; retryAfterSeconds: number | null } | null;
  rateLimitCounter: number;
}

export function emptyStats(): EmulatorStats {
  return {
    requests: {},
    totalRequests: 0,
    tokensIssued: 0,
    tokenFailures: 0,
    unauthorized: 0,
    rateLimited: 0,
    webhooksSent: 0,
    webhooksFailed: 0,
  };
}

export function findInstanceByUuid(ctx: Ctx, uuid: string): { meeting: Meeting; instance: Instance } | undefined {
  for (const meeting of ctx.meetings.values()) {
    const instance = meeting.instances.find((i) => i.uuid === uuid);
    if (instance) return { meeting, instance };
  }
  return undefined;
}
