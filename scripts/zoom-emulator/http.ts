// Small HTTP plumbing for the emulator (node:http, no framework): parsed requests, replies, Zoom's
// `{ code, message }` errors, path matching on the raw (still encoded) path, and next_page_token paging.
import type { IncomingMessage } from 'node:http';
import { randomToken } from './ids.ts';

export interface Req {
  method: string;
  /** Raw path segments, NOT percent-decoded: a double-encoded UUID must survive routing intact. */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}

export function zoomError(status: number, code: number, message: string, extra?: Record<string, unknown>): Reply {
  return { status, body: { code, message, ...extra } };
}

export function validationFailed(errors: Array<{ field: string; message: string }>): Reply {
  return zoomError(400, 300, 'Validation Failed.', { errors });
}

export async function readRequest(req: IncomingMessage): Promise<Req> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return {
    method: req.method ?? 'GET',
    segments: path.split('/').filter((s) => s !== ''),
    query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
    headers: req.headers,
    body: Buffer.concat(chunks),
  };
}

/** JSON object body, or a Reply with Zoom's answer to a malformed one. */
export function jsonBody(req: Req): Record<string, unknown> | Reply {
  if (req.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(req.body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to Zoom's message
  }
  return zoomError(400, 300, 'Request Body should be a valid JSON object.');
}

export function isReply(v: unknown): v is Reply {
  return typeof v === 'object' && v !== null && 'status' in v && typeof (v as Reply).status === 'number';
}

/** Matches "v2/report/meetings/:meetingId/participants" against raw segments. */
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

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

export type MeetingRef = { kind: 'id'; id: number } | { kind: 'uuid'; uuid: string } | { kind: 'invalid' };

/**
 * A path meeting reference: a numeric id, or a UUID sent once- or twice-encoded. Zoom requires
 * UUIDs that start with '/' or contain '//' to be double-encoded because its gateway decodes and
 * normalises the path once; a once-encoded one of those reaches Zoom mangled, so it is refused here
 * ('invalid' -> the route's "not found") to catch the client bug.
 */
export function decodeMeetingRef(raw: string): MeetingRef {
  let v = safeDecode(raw);
  if (v === null || v === '') return { kind: 'invalid' };
  let twice = false;
  if (/%[0-9A-Fa-f]{2}/.test(v)) {
    v = safeDecode(v);
    if (v === null) return { kind: 'invalid' };
    twice = true;
  }
  if (/^\d+$/.test(v)) return { kind: 'id', id: Number(v) };
  if (!twice && (v.startsWith('/') || v.includes('//'))) return { kind: 'invalid' };
  return { kind: 'uuid', uuid: v };
}

export function pageSize(query: URLSearchParams): number {
  const n = Number(query.get('page_size') ?? '30');
  if (!Number.isInteger(n) || n < 1) return 30;
  return Math.min(n, 300);
}

const TOKEN_TTL_MS = 15 * 60 * 1000;

/** next_page_token store: opaque tokens bound to one listing, valid 15 minutes like Zoom's. */
export class Pager {
  private tokens = new Map<string, { listing: string; offset: number; expiresAt: number }>();

  page<T>(listing: string, items: T[], query: URLSearchParams): { items: T[]; meta: Record<string, unknown> } | Reply {
    const size = pageSize(query);
    const token = query.get('next_page_token') ?? '';
    let offset = 0;
    if (token) {
      const entry = this.tokens.get(token);
      if (!entry || entry.listing !== listing || entry.expiresAt < Date.now()) {
        return zoomError(400, 300, 'The next page token is invalid or expired.');
      }
      offset = entry.offset;
    }
    const slice = items.slice(offset, offset + size);
    let next = '';
    if (offset + size < items.length) {
      next = randomToken(24);
      this.tokens.set(next, { listing, offset: offset + size, expiresAt: Date.now() + TOKEN_TTL_MS });
    }
    return {
      items: slice,
      meta: {
        page_count: Math.ceil(items.length / size),
        page_size: size,
        total_records: items.length,
        next_page_token: next,
      },
    };
  }
}
