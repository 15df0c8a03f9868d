import { apiErrorSchema, type ErrorCode } from '@exam-hall/protocol';

type FieldError = { path: string; message: string };

/** Codes the server sends, plus the two this client makes up when there is no usable answer. */
export type ApiErrorCode = ErrorCode | 'network_error' | 'invalid_response' | (string & {});

export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly fields: FieldError[];
  readonly requestId: string | undefined;
  /** Seconds to wait before retrying, from Retry-After (429 and 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    status: number;
    code: ApiErrorCode;
    message: string;
    fields?: FieldError[] | undefined;
    requestId?: string | undefined;
    retryAfterSeconds?: number | undefined;
  }) {
    super(init.message);
    this.name = 'ApiRequestError';
    this.status = init.status;
    this.code = init.code;
    this.fields = init.fields ?? [];
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** Any schema with a zod-style parse; keeps zod itself out of this package's dependencies. */
export type Parser<T> = { parse(data: unknown): T };

type Fetch = typeof fetch;

export type ApiOptions<T> = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  schema?: Parser<T>;
  /** SvelteKit's load `fetch`, when called from a load function. */
  fetch?: Fetch;
  /** Off for the endpoints where a 401 is an answer, not an expired access cookie. */
  refreshOn401?: boolean;
};

// A 401 from starting an attempt means a wrong code; asking again would count as a second try.
const NO_REFRESH_PATHS = new Set(['/api/auth/sign-in', '/api/auth/refresh', '/api/attempts/start']);

// One refresh for any number of requests that hit 401 together: the server
// rotates the refresh token, so a second concurrent refresh would present a
// token that was already used.
let refreshing: Promise<boolean> | null = null;

function refreshSession(doFetch: Fetch): Promise<boolean> {
  refreshing ??= doFetch('/api/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  })
    .then((res) => res.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export async function api<T = undefined>(path: string, options: ApiOptions<T> = {}): Promise<T> {
  const init: RequestInit = { method: options.method ?? (options.body === undefined ? 'GET' : 'POST') };
  if (options.body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(options.body);
  }
  const res = await apiResponse(path, init, options);
  if (res.status === 204 || !options.schema) return undefined as T;

  const data: unknown = await res.json().catch(() => undefined);
  try {
    return options.schema.parse(data);
  } catch {
    throw new ApiRequestError({
      status: res.status,
      code: 'invalid_response',
      message: 'The server sent an answer this page does not understand. Try reloading.',
    });
  }
}

/**
 * The successful Response itself, for answers that are not JSON (CSV downloads);
 * refreshes an expired session once and throws ApiRequestError for any 4xx/5xx.
 */
export async function apiResponse(
  path: string,
  init: RequestInit = {},
  options: { fetch?: Fetch; refreshOn401?: boolean } = {},
): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  const full: RequestInit = {
    ...init,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(init.headers as Record<string, string> | undefined) },
  };
  let res = await send(doFetch, path, full);
  if (res.status === 401 && mayRefresh(path, options.refreshOn401) && (await refreshSession(doFetch))) {
    res = await send(doFetch, path, full);
  }
  if (!res.ok) throw await toError(res);
  return res;
}

export function mayRefresh(path: string, refreshOn401?: boolean): boolean {
  return refreshOn401 ?? !NO_REFRESH_PATHS.has(path);
}

/** For callers that send without fetch (XMLHttpRequest, for upload progress). */
export function refreshAfter401(): Promise<boolean> {
  return refreshSession(fetch);
}

/**
 * A parser for `{ [key]: item[] }` built from the item's schema, for list answers
 * whose envelope the protocol package does not export.
 */
export function listOf<K extends string, T>(key: K, item: { array(): Parser<T[]> }): Parser<Record<K, T[]>> {
  const items = item.array();
  return {
    parse(data: unknown) {
      if (typeof data !== 'object' || data === null) throw new TypeError(`expected an object with ${key}`);
      return { [key]: items.parse((data as Record<string, unknown>)[key]) } as Record<K, T[]>;
    },
  };
}

async function send(doFetch: Fetch, path: string, init: RequestInit): Promise<Response> {
  try {
    return await doFetch(path, init);
  } catch {
    throw networkError();
  }
}

async function toError(res: Response): Promise<ApiRequestError> {
  const body: unknown = await res.json().catch(() => undefined);
  return errorFromBody(res.status, res.statusText, body, res.headers.get('retry-after'));
}

/** The API's error body as an ApiRequestError; a proxy or a crash can answer without one. */
export function errorFromBody(
  status: number,
  statusText: string,
  body: unknown,
  retryAfter: string | null,
): ApiRequestError {
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  const parsed = apiErrorSchema.safeParse(body);
  if (parsed.success) {
    const { code, message, fields, requestId } = parsed.data.error;
    return new ApiRequestError({ status, code, message, fields, requestId, retryAfterSeconds });
  }
  return new ApiRequestError({
    status,
    code: status >= 500 ? 'internal' : 'invalid_response',
    message: `The server answered ${status} ${statusText}`.trim() + '. Try again in a moment.',
    retryAfterSeconds,
  });
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export function networkError(): ApiRequestError {
  return new ApiRequestError({
    status: 0,
    code: 'network_error',
    message: 'Could not reach the server. Check your connection and try again.',
  });
}

/** A sentence for any thrown value, for an alert region. */
export function messageOf(err: unknown, fallback = 'Something went wrong. Please try again.'): string {
  return err instanceof Error && err.message ? err.message : fallback;
}

export function isUnauthenticated(err: unknown): boolean {
  return err instanceof ApiRequestError && err.status === 401;
}
