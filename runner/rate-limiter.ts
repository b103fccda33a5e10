/** What a request's turn at its bucket came to, for the answer's Retry-After and RateLimit-* headers. */
export interface RateDecision {
  allowed: boolean;
  /** The bucket's size: how many requests may come at once. */
  limit: number;
  /** Whole requests left in the bucket after this one. */
  remaining: number;
  /** Seconds until the next request would be allowed; 0 when this one was. */
  retryAfter: number;
  /** Seconds until the bucket is full again. */
  reset: number;
}

/** Buckets kept before the full ones (which hold nothing worth remembering) are dropped. */
const PRUNE_AT = 10_000;

/**
 * A token bucket per key: `perSecond` requests a second on average, bursts up to `burst`. Kept in the process's
 * memory, so each process limits on its own (behind a load balancer the limit is per process).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perSecond: number;
  private readonly burst: number;

  constructor({ perSecond, burst }: { perSecond: number; burst: number }) {
    this.perSecond = perSecond;
    this.burst = Math.max(1, burst);
  }

  /** Takes one token from the key's bucket when there is one; a limiter of 0 per second lets everything through. */
  take(key: string): RateDecision {
    if (this.perSecond <= 0) return { allowed: true, limit: 0, remaining: 0, retryAfter: 0, reset: 0 };
    const now = Date.now();
    if (this.buckets.size >= PRUNE_AT) this.prune(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return {
      allowed,
      limit: this.burst,
      remaining: Math.floor(bucket.tokens),
      retryAfter: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond)),
      reset: Math.ceil((this.burst - bucket.tokens) / this.perSecond),
    };
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(key);
    }
  }
}
