import { pino, type Logger } from 'pino';

// Paths that must never reach a log line, whatever logs them.
export const REDACT_PATHS = [
  'password',
  '*.password',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'token',
  '*.token',
  'accessCode',
  '*.accessCode',
  'code',
  '*.code',
  'refreshToken',
  '*.refreshToken',
  'issuerKey',
  '*.issuerKey',
  'clientSecret',
  '*.clientSecret',
  'webhookSecret',
  '*.webhookSecret',
  'accessToken',
  '*.accessToken',
];

// Error properties that may carry the values a query ran with (emails, codes, names):
// drizzle's `params`, pg's `detail` ("Key (email)=(a@b.example) already exists"), `where`,
// `internalQuery`, and `body` (body-parser keeps the unparsed request body on its errors).
const VALUE_KEYS = new Set(['params', 'parameters', 'detail', 'where', 'internalQuery', 'hint', 'body', 'raw']);

/**
 * pino's error serializer, minus anything that may hold query values. Drizzle writes the
 * parameters into the message (and so the stack) too: "Failed query: <sql>\nparams: a@b.example,...";
 * pg quotes the refused value in some messages ('invalid input syntax for type uuid: "..."').
 * The SQL text stays (it has $1 placeholders, not values), as do pg's code, table, column and constraint.
 */
export function errSerializer(err: unknown): unknown {
  if (!err || typeof err !== 'object') return err;
  const paramTexts: string[] = [];
  for (let e: unknown = err, i = 0; e && typeof e === 'object' && i < 10; e = (e as Error).cause, i++) {
    const params = (e as { params?: unknown }).params;
    if (Array.isArray(params) && params.length) paramTexts.push(`params: ${String(params)}`);
  }
  const clean = (text: string) => {
    for (const t of paramTexts) text = text.split(t).join('params: [redacted]');
    return text.replace(/(for type [\w ]+|for enum [\w ]+): "[^"]*"/g, '$1: "[redacted]"');
  };
  return scrub(pino.stdSerializers.err(err as Error), clean, 0);
}

function scrub(value: unknown, clean: (s: string) => string, depth: number): unknown {
  if (!value || typeof value !== 'object' || depth > 5) return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, clean, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (VALUE_KEYS.has(k)) continue;
    if (typeof v === 'string') out[k] = clean(v);
    else if (v instanceof Error) out[k] = scrub(pino.stdSerializers.err(v), clean, depth + 1);
    else if (k === 'cause' || k === 'aggregateErrors') out[k] = scrub(v, clean, depth + 1);
    else out[k] = v;
  }
  return out;
}

/** The logger options every process uses (tests too, so they check what production writes). */
export function loggerOptions(level: string, base: Record<string, unknown> = {}) {
  return {
    level,
    base: { ...base },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: errSerializer },
  };
}

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino(loggerOptions(level, base));
}
export type { Logger };
