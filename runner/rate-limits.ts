import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { RateLimiter, type RateDecision } from "./rate-limiter";

/** An allowance per key: `perSecond` requests a second on average, up to `burst` at once; 0 a second turns it off. */
export interface Allowance {
  perSecond: number;
  burst: number;
}

/** Takes one request from a key's allowance, saying what was left; shared by every process in queue mode. */
export interface SharedRateLimiter {
  take(key: string): Promise<RateDecision>;
}

const unlimited: SharedRateLimiter = { take: async () => ({ allowed: true, limit: 0, remaining: 0, retryAfter: 0, reset: 0 }) };

function decision(res: RateLimiterRes, points: number, allowed: boolean): RateDecision {
  const seconds = Math.max(0, Math.ceil(res.msBeforeNext / 1000));
  return { allowed, limit: points, remaining: Math.max(0, res.remainingPoints), retryAfter: allowed ? 0 : Math.max(1, seconds), reset: seconds };
}

/**
 * A rate limiter named `name` (its keys' prefix). Embedded, a token bucket in this process's memory. In queue
 * mode, counted in Redis so that two web processes hold a key to one allowance: `burst` requests in each window
 * of `burst / perSecond` seconds, the same average and the same burst; while Redis is away, each process counts
 * in its memory until it is back, rather than letting everything through or waiting for it.
 */
export function sharedRateLimiter({ name, allowance, redis }: { name: string; allowance: Allowance; redis: Redis | null }): SharedRateLimiter {
  const { perSecond, burst } = allowance;
  if (perSecond <= 0) return unlimited;
  if (!redis) {
    const bucket = new RateLimiter({ perSecond, burst });
    return { take: async (key) => bucket.take(key) };
  }
  const keyPrefix = `streamware:rate:${name}`;
  const points = Math.max(1, Math.round(burst));
  const duration = Math.max(1, Math.ceil(points / perSecond));
  const insuranceLimiter = new RateLimiterMemory({ keyPrefix, points, duration });
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration, rejectIfRedisNotReady: true, insuranceLimiter });
  return {
    async take(key) {
      try {
        return decision(await limiter.consume(key), points, true);
      } catch (err) {
        if (err instanceof RateLimiterRes) return decision(err, points, false);
        throw err;
      }
    },
  };
}
