import { randomBytes } from "node:crypto";
import type { SharedRateLimiter } from "../runner/rate-limits";
import type { Runtime } from "../runner/runtime";
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
 * The limiter of requests under share links, one allowance per address: the runtime's, so every route handler of
 * the process counts against the same allowances, and every web process too in queue mode.
 */
export function shareRateLimiter(runtime: Pick<Runtime, "rateLimiter">): SharedRateLimiter {
  return runtime.rateLimiter("share", { perSecond: SHARE_REQUESTS_PER_MINUTE / 60, burst: SHARE_REQUESTS_PER_MINUTE });
}

/**
 * Takes one request from the allowance of the caller at `ip` under `limiter`: null when it may go on, else how long
 * to wait and the words that say so.
 */
export async function shareAllowance({ limiter, ip }: { limiter: SharedRateLimiter; ip: string | null }): Promise<{ retryAfter: number; error: string } | null> {
  const decision = await limiter.take(`ip:${ip ?? "unknown"}`);
  if (decision.allowed) return null;
  return { retryAfter: decision.retryAfter, error: `Too many requests to shared dashboards from this address; wait ${decision.retryAfter} s.` };
}

/**
 * Live streams one share link may hold open at once in a process. Per process, as what it guards is: each stream
 * holds this process's memory and its share of the process's event subscriptions, so a process with a link's
 * viewers stays bounded whatever the other web processes hold.
 */
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

/** The limiter of control widgets used through share links, one allowance per address, held as shareRateLimiter's. */
export function shareActLimiter(runtime: Pick<Runtime, "rateLimiter">): SharedRateLimiter {
  return runtime.rateLimiter("share-act", { perSecond: SHARE_ACTS_PER_MINUTE / 60, burst: SHARE_ACTS_PER_MINUTE });
}
