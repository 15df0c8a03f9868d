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
// A guess still being checked holds a place in the IP budget, so a school whose students all
// claim at the same moment (5,000 at the exam's start, behind one NAT address) can fill the
// budget with RIGHT codes in flight. With `waitForSettlingMs` (access codes), a guess refused
// by the IP budget while some of that IP's guesses are still in flight waits for them to
// settle (a right one gives its place back) and tries again, up to that long, instead of
// answering 429 at once. No more guesses are ever checked than the budget: a waiting guess
// takes a place only when one is given back, i.e. after a RIGHT code.
// The arithmetic is in docs/SECURITY-LIMITS.md. (Three keys per script: one Redis, not a cluster.)
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

/** One reserved guess. Call `right()` when it was right (the reservation is given back), or
 * `wrong()` when it was not (it stays counted; only the in-flight mark goes). Both best effort. */
export interface Guess {
  right(): Promise<void>;
  wrong(): Promise<void>;
}

const IP_WINDOW_MS = 15 * 60_000;
/** A target's guesses are forgotten this long after its last one. */
const FORGET_AFTER_MS = 15 * 60_000;

// KEYS: ip counter, target hash {n: guesses, at: when the next one may come}, ip in-flight counter.
// ARGV: ip budget, ip window ms, free tries, base ms, cap ms, forget ms, in-flight ttl ms (0: not kept).
// Redis's clock, so server processes with skewed clocks agree.
// Returns {1, guesses} when reserved, {0, 'ip'|'target', ms to wait, ip guesses in flight} when refused.
const RESERVE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then ttl = tonumber(ARGV[2]) end
  return {0, 'ip', ttl, tonumber(redis.call('GET', KEYS[3]) or '0')}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(redis.call('HGET', KEYS[2], 'n') or '0')
local at = tonumber(redis.call('HGET', KEYS[2], 'at') or '0')
if now < at then return {0, 'target', at - now, 0} end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
-- The in-flight mark expires on its own: a process that died mid-check cannot hold it for long.
if tonumber(ARGV[7]) > 0 then
  redis.call('INCR', KEYS[3])
  redis.call('PEXPIRE', KEYS[3], ARGV[7])
end
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
if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then redis.call('DECR', KEYS[3]) end
return 1
`;

// A wrong guess stays counted; it is only no longer in flight.
const SETTLED = `
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 1
`;

/** How long a refused guess waits between looks while the IP's guesses in flight settle. A guess
 * settled in this process wakes one waiter at once; the looks catch those of other processes. */
const SETTLE_POLL_MS = { first: 50, max: 1000 };
/** The in-flight mark's lifetime, renewed by each guess: far above any check's duration. */
const IN_FLIGHT_TTL_MS = 60_000;

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
  /** When the IP budget is full but some of its guesses are still being checked, wait up to
   * this long for them to settle before answering 429 (0 or absent: answer at once). */
  waitForSettlingMs?: number;
}

/** The three scripts as commands of the client: ioredis sends them by SHA (EVALSHA) and only the
 * first time, or after a Redis restart (NOSCRIPT), the body; EVAL sent the body with every guess. */
type Scripted = Redis & {
  ehGuessReserve(...args: (string | number)[]): Promise<unknown>;
  ehGuessRight(...args: string[]): Promise<unknown>;
  ehGuessSettled(key: string): Promise<unknown>;
};
function scripted(redis: Redis): Scripted {
  const commands = { ehGuessReserve: [3, RESERVE], ehGuessRight: [3, RIGHT], ehGuessSettled: [1, SETTLED] } as const;
  for (const [name, [numberOfKeys, lua]] of Object.entries(commands)) {
    // Defined once per client: several limiters (codes, exam codes, sign-in) share one.
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
  }
  return redis as Scripted;
}

export function createGuessLimiter(client: Redis, o: GuessLimiterOptions) {
  const redis = scripted(client);
  const { limits, wording } = o;
  const keys = (ipKey: string, targetKey: string): [string, string, string] => [
    `${o.keyPrefix}:ip:${ipKey}`,
    `${o.keyPrefix}:target:${targetKey}`,
    `${o.keyPrefix}:fly:${ipKey}`,
  ];
  const waitMs = o.waitForSettlingMs ?? 0;

  // Guesses of this process waiting for a place, per IP key, first come first served. Each
  // guess that settles wakes one of them (a right one has freed a place; after a wrong one the
  // woken guess learns whether any are still in flight, and if not, is refused and wakes the
  // next): thousands waiting do not all ask Redis at each settlement. Hand-written: a FIFO of
  // resolvers with a timeout each is smaller than any queue library's API for this.
  const waiting = new Map<string, (() => void)[]>();
  const wakeOne = (ip: string) => waiting.get(ip)?.[0]?.();
  const nextTurn = (ip: string, ms: number) =>
    new Promise<void>((resolve) => {
      const queue = waiting.get(ip) ?? [];
      waiting.set(ip, queue);
      const done = () => {
        clearTimeout(timer);
        const i = queue.indexOf(done);
        if (i >= 0) queue.splice(i, 1);
        if (!queue.length && waiting.get(ip) === queue) waiting.delete(ip);
        resolve();
      };
      const timer = setTimeout(done, ms);
      queue.push(done);
    });

  /**
   * Reserves one guess at `targetKey` (e.g. a keyed hash of the email) from `ipKey` (a keyed
   * hash of the IP). Throws 429 with Retry-After and a message saying how long to wait when
   * either budget is spent; nothing is counted then.
   */
  async function reserve(ipKey: string, targetKey: string): Promise<Guess> {
    const [ip, target, fly] = keys(ipKey, targetKey);
    const until = Date.now() + waitMs;
    let pause = SETTLE_POLL_MS.first;
    for (;;) {
      const reply = (await redis.ehGuessReserve(
        ip,
        target,
        fly,
        limits.maxWrongPerIp,
        IP_WINDOW_MS,
        limits.freeTries,
        limits.delayBaseSeconds * 1000,
        limits.delayMaxSeconds * 1000,
        FORGET_AFTER_MS,
        waitMs > 0 ? IN_FLIGHT_TTL_MS : 0,
      )) as [1, number] | [0, 'ip' | 'target', number, number];
      if (reply[0] === 1) break;
      const [, which, ms, inFlight] = reply;
      // Full only because guesses are still being checked: a right one may give its place back.
      if (which === 'ip' && inFlight > 0 && Date.now() + pause < until) {
        // Woken by a settlement here, or after a jittered, doubling pause (settlements elsewhere).
        await nextTurn(ip, Math.min(pause * (0.5 + Math.random()), until - Date.now()));
        pause = Math.min(SETTLE_POLL_MS.max, pause * 2);
        continue;
      }
      // Refused: the next waiter (if any) learns it now rather than at its next look.
      if (which === 'ip') wakeOne(ip);
      const who = which === 'ip' ? 'from your network' : wording.target;
      throw rateLimited(`Too many ${wording.guesses} ${who}. Try again in ${waitPhrase(ms)}.`, ms / 1000);
    }
    return {
      async right() {
        // Best effort: the right guess has already done its work (an attempt may be committed);
        // a refund lost to a Redis hiccup only leaves one more try counted.
        await redis.ehGuessRight(ip, target, fly).catch(() => undefined);
        wakeOne(ip);
      },
      async wrong() {
        // Best effort too: a lost one only makes refused guesses wait (bounded) for nothing.
        if (waitMs <= 0) return;
        await redis.ehGuessSettled(fly).catch(() => undefined);
        wakeOne(ip);
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
    // A school's whole start arriving at once must not be refused for its right codes in flight.
    waitForSettlingMs: CODE_WAIT_FOR_SETTLING_MS,
  });
}

/** Longest a code claim waits for the same address's claims in flight (see the header). */
export const CODE_WAIT_FOR_SETTLING_MS = 10_000;
export type CodeLimiter = GuessLimiter;
