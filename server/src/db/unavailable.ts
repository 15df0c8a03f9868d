// "The database (or Redis) is unavailable" in one place. PostgreSQL restarting, failing over or
// refusing connections is an outage the client should wait out and retry, not a bug
// of ours: the HTTP error handler answers 503 `unavailable` with Retry-After, the socket
// handlers an `unavailable` ack (the student's outbox keeps the save and retries).
import { DrizzleQueryError } from 'drizzle-orm';
import { AppError } from '../http/errors.ts';

/** Node socket errors of a connection that could not be made or was cut. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that say the server (not the statement) is the problem: class 08
 * (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
 * cannot_connect_now (starting up, shutting down, in recovery), 53300 too_many_connections.
 */
const isOutageState = (code: string) =>
  /^08[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code);

/**
 * Messages pg and pg-pool raise without a code: the pool could not get a connection in
 * time, or the server went away under a client. ('Connection terminated' without
 * "unexpectedly", and 'Client was closed', are our own shutdown, not an outage.)
 */
const MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Client has encountered a connection error and is not queryable',
];

/**
 * True when `err` is a database outage: pg's own error, or one wrapped by Drizzle
 * (DrizzleQueryError) or by Node (AggregateError of the addresses tried). Other
 * wrappers are not looked into: a `fetch failed` to Zoom with an ECONNREFUSED cause is
 * not the database.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (NETWORK.has(e.code) || isOutageState(e.code))) return true;
  if (typeof e.message === 'string' && MESSAGES.includes(e.message)) return true;
  if (err instanceof AggregateError) return err.errors.some((x: unknown) => isDatabaseUnavailable(x, depth + 1));
  return err instanceof DrizzleQueryError && isDatabaseUnavailable(err.cause, depth + 1);
}

/**
 * ioredis giving up on a command while Redis is away: its retries used up
 * (MaxRetriesPerRequestError), or the connection closed under it. What needs Redis and
 * has no fallback (the shared sign-in and access-code throttles refuse to guess) then
 * answers 503 `unavailable` too, not 500.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; message?: unknown };
  return (
    e.name === 'MaxRetriesPerRequestError' ||
    e.message === 'Connection is closed.' ||
    (typeof e.message === 'string' && e.message.startsWith("Stream isn't writeable"))
  );
}

/** Seconds a client should wait before retrying: a PostgreSQL restart takes a few. */
export const RETRY_AFTER_SECONDS = 5;

export const databaseUnavailable = () =>
  new AppError(503, 'unavailable', 'The database is unavailable for a moment. Try again in a few seconds.', {
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  });

/** The 503 to answer with when `err` is a database or Redis outage; undefined otherwise. */
export function unavailableErrorOf(err: unknown): AppError | undefined {
  if (isDatabaseUnavailable(err)) return databaseUnavailable();
  if (isRedisUnavailable(err))
    return new AppError(
      503,
      'unavailable',
      'A service this needs is unavailable for a moment. Try again in a few seconds.',
      {
        headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      },
    );
  return undefined;
}
