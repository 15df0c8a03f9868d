import {
  apiErrorSchema,
  pathOf,
  type ApiError,
  type BodyIn,
  type EndpointSpec,
  type ErrorCode,
  type ParamsIn,
  type QueryIn,
  type ResponseOf,
} from '@exam-hall/protocol';

type FieldError = NonNullable<ApiError['error']['fields']>[number];

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

// A part of a request the contract declares is required; one it does not declare cannot be sent.
type Part<K extends string, V> = [V] extends [undefined] ? { [P in K]?: never } : { [P in K]: V };

/** What a contract's request takes: its path parameters, query and body, typed from the contract. */
export type CallOptions<E extends EndpointSpec> = Part<'params', ParamsIn<E>> &
  Part<'body', BodyIn<E>> & {
    query?: QueryIn<E>;
    /** SvelteKit's load `fetch`, when called from a load function. */
    fetch?: Fetch;
    /** Off for the endpoints where a 401 is an answer, not an expired access cookie. */
    refreshOn401?: boolean;
  };

type OptionsArg<E extends EndpointSpec> =
  object extends CallOptions<E> ? [options?: CallOptions<E>] : [options: CallOptions<E>];

/** The address of a contract's endpoint: the path with its parameters, then the query (unset values left out). */
export function urlOf(contract: Pick<EndpointSpec, 'path'>, params?: object, query?: object): string {
  const path = pathOf(contract, params as Record<string, unknown> | undefined);
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, String(v));
  }
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * One request to an endpoint of the protocol's HTTP contracts: the address from its path and
 * params, the body as the contract types it, the answer parsed with its response schema.
 * Errors, the 401 refresh and network failures behave as in api().
 */
export function call<const E extends EndpointSpec>(contract: E, ...[options]: OptionsArg<E>): Promise<ResponseOf<E>> {
  const o = (options ?? {}) as {
    params?: object;
    query?: object;
    body?: unknown;
    fetch?: Fetch;
    refreshOn401?: boolean;
  };
  return api(urlOf(contract, o.params, o.query), {
    method: contract.method.toUpperCase() as NonNullable<ApiOptions<unknown>['method']>,
    body: o.body,
    schema: contract.response as Parser<ResponseOf<E>> | undefined,
    fetch: o.fetch,
    refreshOn401: o.refreshOn401,
  });
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

/** A record of a list that the page's schema refused, named so the page can say which one. */
export type ListProblem = { index: number; label: string; reasons: string[] };
export type ListLoad<T> = { items: T[]; problems: ListProblem[] };

type Issue = { path: readonly PropertyKey[]; message: string };
/** Any schema with a zod-style safeParse: the item schema of a list. */
export type ItemParser<T> = {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: readonly Issue[] } };
};

const LABEL_FIELDS = ['title', 'examTitle', 'topic', 'name', 'email', 'prompt', 'id'] as const;

/** How a record names itself in a notice: its title or name, else its place in the list. */
function labelOf(raw: unknown, index: number): string {
  if (typeof raw === 'object' && raw !== null) {
    for (const f of LABEL_FIELDS) {
      const v = (raw as Record<string, unknown>)[f];
      if (typeof v === 'string' && v.trim()) {
        const text = v.trim();
        return `'${text.length > 60 ? `${text.slice(0, 59)}…` : text}'`;
      }
    }
  }
  return `#${index + 1}`;
}

/**
 * Parses a list record by record: one record outside the page's schema (a bound the
 * page checks, a field it does not know) costs that record, not the whole page.
 */
export function parseItems<T>(raw: unknown, item: ItemParser<T>): ListLoad<T> {
  if (!Array.isArray(raw)) throw invalidResponse();
  const items: T[] = [];
  const problems: ListProblem[] = [];
  raw.forEach((record: unknown, index) => {
    const parsed = item.safeParse(record);
    if (parsed.success) {
      items.push(parsed.data);
      return;
    }
    const reasons = parsed.error.issues.map((i) => {
      const path = i.path.map(String).join('.');
      return path ? `${path}: ${i.message}` : i.message;
    });
    problems.push({ index, label: labelOf(record, index), reasons });
  });
  return { items, problems };
}

/**
 * A list answer parsed item by item (see parseItems). `key` names the array in an
 * envelope (`{ exams: [...] }`); without it the answer is the array. `envelope` parses
 * the rest of the envelope (given with an empty list), e.g. a total or a summary.
 */
export async function apiList<T, E = undefined>(
  path: string,
  options: { item: ItemParser<T>; key?: string; envelope?: Parser<E>; fetch?: Fetch },
): Promise<ListLoad<T> & { envelope: E }> {
  const data = await api<unknown>(path, { fetch: options.fetch, schema: { parse: (d: unknown) => d } });
  const { key } = options;
  if (key !== undefined && (typeof data !== 'object' || data === null)) throw invalidResponse();
  const list = parseItems(key === undefined ? data : (data as Record<string, unknown>)[key], options.item);
  let envelope = undefined as E;
  if (options.envelope) {
    try {
      envelope = options.envelope.parse(key === undefined ? [] : { ...(data as object), [key]: [] });
    } catch {
      throw invalidResponse();
    }
  }
  return { ...list, envelope };
}

/** apiList for an endpoint of the protocol's HTTP contracts (address from its path, params and query). */
export function listFrom<const E extends EndpointSpec, T, X = undefined>(
  contract: E,
  options: {
    params?: ParamsIn<E>;
    query?: QueryIn<E>;
    item: ItemParser<T>;
    key?: string;
    envelope?: Parser<X>;
    fetch?: Fetch;
  },
): Promise<ListLoad<T> & { envelope: X }> {
  const { params, query, ...rest } = options;
  return apiList(urlOf(contract, params ?? undefined, query ?? undefined), rest);
}

/** The notice's sentence: "1 exam could not be shown: 'Title' (field: reason)". */
export function describeListProblems(problems: ListProblem[], noun: string, plural = `${noun}s`): string {
  if (!problems.length) return '';
  const n = problems.length;
  const each = problems.map((p) => `${p.label} (${p.reasons.join('; ')})`).join(', ');
  return `${n} ${n === 1 ? noun : plural} could not be shown: ${each}.`;
}

function invalidResponse(): ApiRequestError {
  return new ApiRequestError({
    status: 200,
    code: 'invalid_response',
    message: 'The server sent an answer this page does not understand. Try reloading.',
  });
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
