import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "./db";
import { frameAncestorsPolicy } from "../nodes/_core/dashboard-share";
import { dashboardShareService } from "./services/dashboard-share-service";

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

/** For the custom server: the headers of a share page request, or nothing for any other request. */
export function sharePageHeaders({ db, secret }: { db: Db; secret: () => string }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const token = req.method === "GET" || req.method === "HEAD" ? sharePageToken(req.url) : null;
    if (token !== null) await setSharePageHeaders({ db, secret: secret(), token, res });
  };
}
