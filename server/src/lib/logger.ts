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

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { ...base }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
export type { Logger };
