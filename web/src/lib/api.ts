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
type Parser<T> = { parse(data: unknown): T };

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

const NO_REFRESH_PATHS = new Set(['/api/auth/sign-in', '/api/auth/refresh']);

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
  const doFetch = options.fetch ?? fetch;
  const init: RequestInit = {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  };
  if (options.body !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(options.body);
  }

  let res = await send(doFetch, path, init);
  const mayRefresh = options.refreshOn401 ?? !NO_REFRESH_PATHS.has(path);
  if (res.status === 401 && mayRefresh && (await refreshSession(doFetch))) {
    res = await send(doFetch, path, init);
  }

  if (!res.ok) throw await toError(res);
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

async function send(doFetch: Fetch, path: string, init: RequestInit): Promise<Response> {
  try {
    return await doFetch(path, init);
  } catch {
    throw new ApiRequestError({
      status: 0,
      code: 'network_error',
      message: 'Could not reach the server. Check your connection and try again.',
    });
  }
}

async function toError(res: Response): Promise<ApiRequestError> {
  const retryAfterSeconds = parseRetryAfter(res.headers.get('retry-after'));
  const parsed = apiErrorSchema.safeParse(await res.json().catch(() => undefined));
  if (parsed.success) {
    const { code, message, fields, requestId } = parsed.data.error;
    return new ApiRequestError({ status: res.status, code, message, fields, requestId, retryAfterSeconds });
  }
  // A proxy or a crash can answer without the API's error body.
  return new ApiRequestError({
    status: res.status,
    code: res.status >= 500 ? 'internal' : 'invalid_response',
    message: `The server answered ${res.status} ${res.statusText}`.trim() + '. Try again in a moment.',
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

export function isUnauthenticated(err: unknown): boolean {
  return err instanceof ApiRequestError && err.status === 401;
}
