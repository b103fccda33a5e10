import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RateDecision } from "./rate-limiter";

/** An allowance: `points` requests per key in each window of `durationSeconds`; 0 points turns the limit off. */
export interface Allowance {
  points: number;
  durationSeconds: number;
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
 * A rate limiter named `name` (its keys' prefix): counted in Redis when the processes share one (queue mode), so
 * two web processes hold a key to one allowance, and in this process's memory when embedded. With Redis away,
 * each process counts in its memory until it is back, rather than letting everything through or waiting.
 */
export function sharedRateLimiter({ name, allowance, redis }: { name: string; allowance: Allowance; redis: Redis | null }): SharedRateLimiter {
  const { points, durationSeconds: duration } = allowance;
  if (points <= 0) return unlimited;
  const keyPrefix = `streamware:rate:${name}`;
  const memory = new RateLimiterMemory({ keyPrefix, points, duration });
  const limiter = redis ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration, rejectIfRedisNotReady: true, insuranceLimiter: memory }) : memory;
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
