// Sign-in throttling in Redis, so every server process shares the counts.
//
// Every try is reserved BEFORE the password is checked, with one atomic Redis step per
// budget (rate-limiter-flexible's consume): N tries sent at once can never get more than
// the budget checked, whatever the interleaving. The outcome then settles the reservation:
// success clears the account's failures and gives the IP its point back; failure keeps it.
//   - Per account: SIGN_IN_MAX_FAILURES tries without a success, then the account is
//     locked for SIGN_IN_LOCKOUT_MINUTES from the last failure (online password guessing).
//   - Per IP: SIGN_IN_MAX_PER_IP unsuccessful (or still running) tries per 15 minutes,
//     whatever the account (password spraying). Successful sign-ins do not count, so a
//     school signing in at 9:00 behind one NAT address spends only its typing mistakes.
// The arithmetic is in docs/SECURITY-LIMITS.md.
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../../http/errors.ts';

export interface SignInLimiterOptions {
  prefix: string;
  maxFailures: number;
  lockoutSeconds: number;
  maxPerIpPer15Min: number;
}

/** One reserved sign-in try; settle it with the outcome. */
export interface SignInTry {
  succeeded(): Promise<void>;
  failed(): Promise<void>;
}

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

export function createSignInLimiter(redis: Redis, o: SignInLimiterOptions) {
  const perAccount = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${o.prefix}:rl:signin:account`,
    points: o.maxFailures,
    duration: o.lockoutSeconds,
  });
  const perIp = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${o.prefix}:rl:signin:ip`,
    points: o.maxPerIpPer15Min,
    duration: 15 * 60,
  });

  return {
    /** Reserves one try for the account and the IP; throws 429 (with Retry-After) when either budget is spent. */
    async reserve(accountKey: string, ipKey: string): Promise<SignInTry> {
      try {
        await perIp.consume(ipKey);
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e;
        throw rateLimited(
          `Too many sign-in attempts from your network. Try again in ${minutes(e.msBeforeNext)} minute(s).`,
          e.msBeforeNext / 1000,
        );
      }
      let reserved: RateLimiterRes;
      try {
        reserved = await perAccount.consume(accountKey);
      } catch (e) {
        // Nothing was checked: the network's budget is not spent on a locked account.
        await perIp.reward(ipKey);
        if (!(e instanceof RateLimiterRes)) throw e;
        throw rateLimited(
          `Too many failed sign-ins for this account. Try again in ${minutes(e.msBeforeNext)} minute(s).`,
          e.msBeforeNext / 1000,
        );
      }
      return {
        async succeeded() {
          // Best effort: a refund lost to a Redis hiccup must not fail a right password.
          await Promise.all([perAccount.delete(accountKey), perIp.reward(ipKey)]).catch(() => undefined);
        },
        async failed() {
          // The try that used the last point locks the account, counted from this failure
          // rather than from the first one in the window.
          if (reserved.consumedPoints >= o.maxFailures) await perAccount.block(accountKey, o.lockoutSeconds);
        },
      };
    },
  };
}
export type SignInLimiter = ReturnType<typeof createSignInLimiter>;
