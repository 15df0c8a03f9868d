// Sign-in throttling in Redis, so every server process shares the counts:
// consecutive failures per account lock that account for a while; attempts per
// IP are capped whatever the account, against password spraying.
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../../http/errors.ts';

export interface SignInLimiterOptions {
  prefix: string;
  maxFailures: number;
  lockoutSeconds: number;
  maxPerIpPer15Min: number;
}

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
  const minutes = (s: number) => Math.max(1, Math.ceil(s / 60));

  return {
    /** Throws 429 when the account is locked or the IP has used its allowance. */
    async before(accountKey: string, ipKey: string) {
      const account = await perAccount.get(accountKey);
      if (account && account.consumedPoints >= o.maxFailures) {
        const wait = account.msBeforeNext / 1000;
        throw rateLimited(`Too many failed sign-ins for this account. Try again in ${minutes(wait)} minute(s).`, wait);
      }
      try {
        await perIp.consume(ipKey);
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e;
        const wait = e.msBeforeNext / 1000;
        throw rateLimited(
          `Too many sign-in attempts from your network. Try again in ${minutes(wait)} minute(s).`,
          wait,
        );
      }
    },
    async failed(accountKey: string) {
      const res = await perAccount.penalty(accountKey, 1);
      // The lockout runs from the last failure, not from the first one in the window.
      if (res.consumedPoints >= o.maxFailures) await perAccount.block(accountKey, o.lockoutSeconds);
    },
    async succeeded(accountKey: string) {
      await perAccount.delete(accountKey);
    },
  };
}
export type SignInLimiter = ReturnType<typeof createSignInLimiter>;
