// Small HTTP plumbing for the LTI platform emulator (node:http, no framework, like the Zoom
// emulator): parsed requests with a size cap, replies (JSON, HTML, redirects), form bodies,
// path matching and HTML escaping.
import type { IncomingMessage } from 'node:http';

export interface Req {
  method: string;
  /** Percent-decoded path segments (ids here are plain tokens). */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Reply {
  status: number;
  /** JSON-serialised unless `html` or `text` is set. */
  body?: unknown;
  html?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Bodies larger than this are refused (a tool never sends more than a few KB). */
export const MAX_BODY_BYTES = 256 * 1024;

export class BodyTooLarge extends Error {}

export async function readRequest(req: IncomingMessage): Promise<Req> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge('body too large');
    chunks.push(chunk as Buffer);
  }
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return {
    method: req.method ?? 'GET',
    segments,
    query: url.searchParams,
    headers: req.headers,
    body: Buffer.concat(chunks),
  };
}

export function json(status: number, body: unknown, contentType?: string, headers?: Record<string, string>): Reply {
  return { status, body, contentType, headers };
}

export function html(status: number, page: string): Reply {
  return { status, html: page };
}

export function redirect(location: string): Reply {
  return { status: 302, headers: { location } };
}

/** OAuth 2 / LTI service error body: `{ error, error_description }`. */
export function oauthError(status: number, error: string, description: string): Reply {
  return json(status, { error, error_description: description });
}

/** application/x-www-form-urlencoded body (or the query string for GET). */
export function formParams(req: Req): URLSearchParams {
  if (req.method === 'GET') return req.query;
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  return new URLSearchParams(req.body.toString('utf8'));
}

/** A JSON object body, or null when the body is not one. */
export function jsonObject(req: Req): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(req.body.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Media type without parameters, lower-cased. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Matches "api/courses/:context/lineitems" against decoded segments. */
export function matchPath(pattern: string, segments: string[]): Record<string, string> | null {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = segments[i]!;
    else if (p !== segments[i]) return null;
  }
  return params;
}

export function esc(s: unknown): string {
  return String(s ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A complete, accessible HTML page (lang, title, one main landmark). */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · LTI platform emulator</title>
<style>body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a}header{background:#24366b;color:#fff;padding:.6rem 1rem}
header a{color:#fff}main{padding:1rem;max-width:70rem}table{border-collapse:collapse}th,td{border:1px solid #999;padding:.3rem .6rem;text-align:left}
button{font:inherit;padding:.25rem .6rem;margin:.1rem}.error{color:#a00000}</style></head>
<body><header><a href="/">LTI platform emulator</a></header><main>${body}</main></body></html>`;
}
