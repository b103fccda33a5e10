import type { Db } from "@/server/db";
import { getDb } from "@/server/db";
import { RateLimiter } from "@/runner/rate-limiter";
import { auditOriginOf } from "@/server/services/audit-origin";
import { dashboardShareService, type ResolvedShare } from "@/server/services/dashboard-share-service";
import { ServiceError } from "@/server/services/service-error";
import { shareSecret } from "@/server/share-settings";

/** Requests one address may make to shared dashboards a minute, with bursts up to as many at once. */
export const SHARE_REQUESTS_PER_MINUTE = 600;

/**
 * Kept on the global registry, so every route handler of the process counts against one bucket per address even
 * when Next bundles them apart.
 */
const slot = Symbol.for("streamware.shareRateLimiter");
const holder = globalThis as typeof globalThis & { [slot]?: RateLimiter };
const limiter = (holder[slot] ??= new RateLimiter({ perSecond: SHARE_REQUESTS_PER_MINUTE / 60, burst: SHARE_REQUESTS_PER_MINUTE }));

/** Shared answers are read by anyone with the link: never kept by caches, never sniffed into another type. */
export const sharedHeaders = { "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" } as const;

export function sharedJson(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return Response.json(body, { status: init.status ?? 200, headers: { ...sharedHeaders, ...init.headers } });
}

/**
 * Answers a request under a share link: limits it by the caller's address, resolves the token (unknown, revoked,
 * expired and tampered tokens all answer 404 alike) and hands the share to `answer`; service errors become their
 * status with `{ error }`.
 */
export async function sharedRequest({ request, token, answer }: { request: Request; token: string; answer: (scope: { db: Db; share: ResolvedShare }) => Promise<Response> }): Promise<Response> {
  const { ip } = auditOriginOf(request.headers);
  const decision = limiter.take(`ip:${ip ?? "unknown"}`);
  if (!decision.allowed) {
    return sharedJson({ error: `Too many requests to shared dashboards from this address; wait ${decision.retryAfter} s.` }, { status: 429, headers: { "retry-after": String(decision.retryAfter) } });
  }
  try {
    const db = await getDb();
    const share = await dashboardShareService.resolve({ db, token, secret: shareSecret() });
    return await answer({ db, share });
  } catch (err) {
    if (err instanceof ServiceError) return sharedJson({ error: err.message }, { status: err.httpStatus });
    throw err;
  }
}

/** A query parameter checked by a zod schema: the first issue's words answer a bad one. */
export function badRequest(message: string): Response {
  return sharedJson({ error: message }, { status: 400 });
}
