import { parseSetCookie } from 'cookie';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** fetch with a cookie jar: what a browser would keep between requests. */
export class Client {
  readonly jar = new Map<string, string>();
  readonly baseUrl: string;
  readonly defaultHeaders: Record<string, string>;
  constructor(baseUrl: string, defaultHeaders: Record<string, string> = {}) {
    this.baseUrl = baseUrl;
    this.defaultHeaders = defaultHeaders;
  }

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...this.defaultHeaders,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.jar.size ? { cookie: this.cookieHeader() } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    for (const line of res.headers.getSetCookie()) {
      const c = parseSetCookie(line);
      const expired = c.expires && c.expires.getTime() <= Date.now();
      if (!c.value || expired) this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  async signIn(email: string, password: string) {
    return this.post('/api/auth/sign-in', { email, password });
  }
}
