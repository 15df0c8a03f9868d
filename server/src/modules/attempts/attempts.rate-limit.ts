// Throttling of secrets people type to get in (access codes; reusable for any code that is
// guessed at), in Redis so every server process shares the counts.
//
// Every guess is reserved BEFORE it is checked, both budgets in one atomic Redis step (a
// Lua script), so N guesses sent at once can never get more than the budget checked, and a
// guess refused by one budget spends nothing of the other. A right guess gives its
// reservation back; a wrong one keeps it. Two budgets:
//   - Per target (the email a code is typed for): the first few guesses go through at once,
//     then each further guess waits a delay that doubles up to a cap. A student with typos
//     is slowed down for seconds, never locked out of a running exam; a guesser gets about
//     one try per cap.
//   - Per IP: wrong guesses per 15 minutes, whatever the target, sized so a school of
//     1,000 students behind one NAT address does not reach it by typing mistakes.
// The arithmetic is in docs/SECURITY-LIMITS.md. (Two keys per script: one Redis, not a cluster.)
import type { Redis } from 'ioredis';
import { rateLimited } from '../../http/errors.ts';

export interface GuessLimits {
  /** Wrong (or still running) guesses per IP per 15 minutes. */
  maxWrongPerIp: number;
  /** Guesses per target that go through without waiting. */
  freeTries: number;
  /** Wait after the last free guess; it doubles with each further guess... */
  delayBaseSeconds: number;
  /** ...up to this. */
  delayMaxSeconds: number;
}

/** One reserved guess. Call `right()` when it was right (the reservation is given back);
 * a wrong guess needs nothing: it stays counted. */
export interface Guess {
  right(): Promise<void>;
}

const IP_WINDOW_MS = 15 * 60_000;
/** A target's guesses are forgotten this long after its last one. */
const FORGET_AFTER_MS = 15 * 60_000;

// KEYS: ip counter, target hash {n: guesses, at: when the next one may come}.
// ARGV: ip budget, ip window ms, free tries, base ms, cap ms, forget ms.
// Redis's clock, so server processes with skewed clocks agree.
// Returns {1, guesses} when reserved, {0, 'ip'|'target', ms to wait} when refused.
const RESERVE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then ttl = tonumber(ARGV[2]) end
  return {0, 'ip', ttl}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(redis.call('HGET', KEYS[2], 'n') or '0')
local at = tonumber(redis.call('HGET', KEYS[2], 'at') or '0')
if now < at then return {0, 'target', at - now} end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
n = n + 1
local free, base, cap = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local wait = 0
if n >= free then wait = math.min(cap, base * 2 ^ (n - free)) end
redis.call('HSET', KEYS[2], 'n', n, 'at', now + wait)
redis.call('PEXPIRE', KEYS[2], wait + tonumber(ARGV[6]))
return {1, n}
`;

// A right guess: the target starts afresh, and the IP gets its point back (only while its
// window lasts: decrementing a key that expired would create one that never does).
const RIGHT = `
redis.call('DEL', KEYS[2])
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 1
`;

/** "12 seconds", "1 second", "3 minutes": how long to wait, in the unit people think in. */
export function waitPhrase(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 120) return `${s} second${s === 1 ? '' : 's'}`;
  return `${Math.ceil(s / 60)} minutes`;
}

export interface GuessLimiterOptions {
  /** Redis key namespace, e.g. `${REDIS_PREFIX}:rl:code`. Limiters with different ones share nothing. */
  keyPrefix: string;
  limits: GuessLimits;
  /** Words for the 429 messages, e.g. { guesses: 'wrong access codes', target: 'for this email' }. */
  wording: { guesses: string; target: string };
}

export function createGuessLimiter(redis: Redis, o: GuessLimiterOptions) {
  const { limits, wording } = o;
  const keys = (ipKey: string, targetKey: string): [string, string] => [
    `${o.keyPrefix}:ip:${ipKey}`,
    `${o.keyPrefix}:target:${targetKey}`,
  ];

  /**
   * Reserves one guess at `targetKey` (e.g. a keyed hash of the email) from `ipKey` (a keyed
   * hash of the IP). Throws 429 with Retry-After and a message saying how long to wait when
   * either budget is spent; nothing is counted then.
   */
  async function reserve(ipKey: string, targetKey: string): Promise<Guess> {
    const [ip, target] = keys(ipKey, targetKey);
    const reply = (await redis.eval(
      RESERVE,
      2,
      ip,
      target,
      limits.maxWrongPerIp,
      IP_WINDOW_MS,
      limits.freeTries,
      limits.delayBaseSeconds * 1000,
      limits.delayMaxSeconds * 1000,
      FORGET_AFTER_MS,
    )) as [1, number] | [0, 'ip' | 'target', number];
    if (reply[0] === 0) {
      const [, which, ms] = reply;
      const who = which === 'ip' ? 'from your network' : wording.target;
      throw rateLimited(`Too many ${wording.guesses} ${who}. Try again in ${waitPhrase(ms)}.`, ms / 1000);
    }
    return {
      async right() {
        // Best effort: the right guess has already done its work (an attempt may be committed);
        // a refund lost to a Redis hiccup only leaves one more try counted.
        await redis.eval(RIGHT, 2, ip, target).catch(() => undefined);
      },
    };
  }

  return { reserve };
}
export type GuessLimiter = ReturnType<typeof createGuessLimiter>;

/** Access codes, guessed per email. */
export function createCodeLimiter(redis: Redis, prefix: string, limits: GuessLimits): GuessLimiter {
  return createGuessLimiter(redis, {
    keyPrefix: `${prefix}:rl:code`,
    limits,
    wording: { guesses: 'wrong access codes', target: 'for this email' },
  });
}
export type CodeLimiter = GuessLimiter;
