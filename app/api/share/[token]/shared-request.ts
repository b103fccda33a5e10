import type { SharedRateLimiter } from "@/runner/rate-limits";
import type { Db } from "@/server/db";
import { getDb } from "@/server/db";
import { auditOriginOf } from "@/server/services/audit-origin";
import { dashboardShareService, type ResolvedShare } from "@/server/services/dashboard-share-service";
import { currentRuntime } from "@/server/runtime-handover";
import { ServiceError } from "@/server/services/service-error";
import { shareAllowance, shareRateLimiter, shareSecret } from "@/server/share-settings";

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
export async function sharedRequest({ db, request, token, answer, limiter }: { db: Db; request: Request; token: string; answer: ShareAnswer; limiter: SharedRateLimiter }): Promise<Response> {
  const refused = await shareAllowance({ limiter, ip: auditOriginOf(request.headers).ip });
  if (refused) return sharedJson({ error: refused.error }, { status: 429, headers: { "retry-after": String(refused.retryAfter) } });
  try {
    const share = await dashboardShareService.resolve({ db, token, secret: shareSecret() });
    return await answer({ db, share, request });
  } catch (err) {
    if (err instanceof ServiceError) return sharedJson({ error: err.message }, { status: err.httpStatus });
    throw err;
  }
}

/** What a route under a share link answers, once the link is known to open its dashboard. */
export type ShareAnswer = (scope: { db: Db; share: ResolvedShare; request: Request }) => Promise<Response>;

/** A GET route handler under `/api/share/<token>/…` answering with `answer`. */
export function shareRoute(answer: ShareAnswer) {
  return async (request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> => {
    const { token } = await params;
    return sharedRequest({ db: await getDb(), request, token, answer, limiter: shareRateLimiter(currentRuntime()) });
  };
}
