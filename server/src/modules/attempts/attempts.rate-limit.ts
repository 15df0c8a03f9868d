// Wrong access codes are throttled per IP and per email (the participant being
// guessed at), in Redis so every process shares the counts. Codes carry 60+ bits,
// so this is defence in depth against online guessing, not the main protection.
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../../http/errors.ts';

export function createCodeLimiter(
  redis: Redis,
  prefix: string,
  o = { perIp: 20, perEmail: 5, lockoutSeconds: 15 * 60 },
) {
  const perIp = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:rl:code:ip`,
    points: o.perIp,
    duration: 15 * 60,
  });
  const perEmail = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:rl:code:email`,
    points: o.perEmail,
    duration: o.lockoutSeconds,
  });
  const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

  async function check(limiter: RateLimiterRedis, key: string, points: number, who: string) {
    const r = await limiter.get(key);
    if (r && r.consumedPoints >= points) {
      throw rateLimited(
        `Too many wrong access codes ${who}. Try again in ${minutes(r.msBeforeNext)} minute(s).`,
        r.msBeforeNext / 1000,
      );
    }
  }

  return {
    async before(ipKey: string, emailKey: string) {
      await check(perIp, ipKey, o.perIp, 'from your network');
      await check(perEmail, emailKey, o.perEmail, 'for this email');
    },
    async failed(ipKey: string, emailKey: string) {
      for (const [limiter, key] of [
        [perIp, ipKey],
        [perEmail, emailKey],
      ] as const) {
        try {
          await limiter.consume(key);
        } catch (e) {
          if (!(e instanceof RateLimiterRes)) throw e;
        }
      }
    },
  };
}
export type CodeLimiter = ReturnType<typeof createCodeLimiter>;
