import { randomBytes } from "node:crypto";
import { RateLimiter } from "../runner/rate-limiter";
import { env } from "./env";

let fallback: string | undefined;

/**
 * The secret share links are signed with: the instance's session secret, which every web process shares (the
 * server makes sure it is set before it listens). A process without one (a test) signs with its own random secret,
 * as binary file URLs do.
 */
export function shareSecret(): string {
  return env().NEXTAUTH_SECRET ?? (fallback ??= randomBytes(32).toString("base64"));
}

/** Requests one address may make to shared dashboards a minute, with bursts up to as many at once. */
export const SHARE_REQUESTS_PER_MINUTE = 600;

/**
 * The limiter of requests under share links, one bucket per address. Kept on the global registry, so every route
 * handler of the process counts against the same buckets even when Next bundles them apart.
 */
const slot = Symbol.for("streamware.shareRateLimiter");
const holder = globalThis as typeof globalThis & { [slot]?: RateLimiter };

export function shareRateLimiter(): RateLimiter {
  return (holder[slot] ??= new RateLimiter({ perSecond: SHARE_REQUESTS_PER_MINUTE / 60, burst: SHARE_REQUESTS_PER_MINUTE }));
}

/** Live streams one share link may hold open at once in a process. */
export const MAX_LIVE_VIEWERS_PER_SHARE = 100;

const viewersSlot = Symbol.for("streamware.shareLiveViewers");
const viewersHolder = globalThis as typeof globalThis & { [viewersSlot]?: Map<string, number> };

/**
 * Takes a live viewer's place under a share link until `signal` aborts (the viewer leaves); false when the link
 * already has as many as it may.
 */
export function takeLiveViewer({ shareId, signal }: { shareId: string; signal: AbortSignal }): boolean {
  const viewers = (viewersHolder[viewersSlot] ??= new Map());
  const now = viewers.get(shareId) ?? 0;
  if (now >= MAX_LIVE_VIEWERS_PER_SHARE || signal.aborted) return false;
  viewers.set(shareId, now + 1);
  signal.addEventListener(
    "abort",
    () => {
      const left = (viewers.get(shareId) ?? 1) - 1;
      if (left > 0) viewers.set(shareId, left);
      else viewers.delete(shareId);
    },
    { once: true },
  );
  return true;
}

/** Control widgets one address may use through share links a minute: each starts a run. */
export const SHARE_ACTS_PER_MINUTE = 30;

const actsSlot = Symbol.for("streamware.shareActLimiter");
const actsHolder = globalThis as typeof globalThis & { [actsSlot]?: RateLimiter };

/** The limiter of control widgets used through share links, one bucket per address. */
export function shareActLimiter(): RateLimiter {
  return (actsHolder[actsSlot] ??= new RateLimiter({ perSecond: SHARE_ACTS_PER_MINUTE / 60, burst: SHARE_ACTS_PER_MINUTE }));
}
