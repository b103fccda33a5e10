import type { IncomingMessage, ServerResponse } from "node:http";
import type { SharedRateLimiter } from "../runner/rate-limits";
import type { Db } from "./db";
import { frameAncestorsPolicy } from "../nodes/_core/dashboard-share";
import { auditOriginOfNode } from "./services/audit-origin";
import { dashboardShareService } from "./services/dashboard-share-service";
import { shareAllowance } from "./share-settings";

const SHARE_PAGE = /^\/s\/([^/?#]+)\/?(?:[?#]|$)/;

/** The token of a shared dashboard's page (`/s/<token>`), or null for any other path. */
export function sharePageToken(url: string | undefined): string | null {
  const token = SHARE_PAGE.exec(url ?? "")?.[1];
  return token ?? null;
}

/**
 * Headers of a shared dashboard's page, set before Next.js renders it (a page cannot set its own): only the
 * dashboard's embed origins may show it in a frame ('none' when it has none, or the link opens nothing), and the
 * link never leaves in a Referer header.
 */
export async function setSharePageHeaders({ db, secret, token, res }: { db: Db; secret: string; token: string; res: ServerResponse }): Promise<void> {
  const origins = await dashboardShareService.embedOriginsOf({ db, token, secret });
  res.setHeader("content-security-policy", frameAncestorsPolicy(origins));
  res.setHeader("referrer-policy", "no-referrer");
}

/**
 * For the custom server, before Next.js renders a shared dashboard's page: holds the caller's address to the
 * allowance of requests under share links (`limiter`), answering 429 with Retry-After and returning true past it,
 * and otherwise sets the page's headers. Any other request is left as it is (false).
 */
export function sharePageGate({ db, secret, limiter }: { db: Db; secret: () => string; limiter: SharedRateLimiter }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const token = req.method === "GET" || req.method === "HEAD" ? sharePageToken(req.url) : null;
    if (token === null) return false;
    const refused = await shareAllowance({ limiter, ip: auditOriginOfNode(req.headers).ip });
    if (refused) {
      res.writeHead(429, { "content-type": "text/plain; charset=utf-8", "retry-after": String(refused.retryAfter), "cache-control": "no-store" }).end(refused.error);
      return true;
    }
    await setSharePageHeaders({ db, secret: secret(), token, res });
    return false;
  };
}
