import { timingSafeEqual } from "node:crypto";

/**
 * Whether a scrape may read the metrics: only with METRICS_TOKEN set, and only by a request that sends it as its
 * bearer token. The answer for a refused scrape, or null to serve it.
 */
export function refusedScrape({ token, authorization }: { token: string | undefined; authorization: string | null | undefined }): { status: number; error: string } | null {
  if (!token) return { status: 404, error: "Metrics are off: set METRICS_TOKEN to serve them to a scraper that sends it as its bearer token." };
  const sent = /^Bearer (.+)$/i.exec(authorization ?? "")?.[1] ?? "";
  const a = Buffer.from(sent);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { status: 401, error: "Send the metrics token as a bearer token (Authorization: Bearer <METRICS_TOKEN>)." };
  return null;
}
