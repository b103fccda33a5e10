import { env } from "@/server/env";
import { refusedScrape } from "@/server/metrics-access";
import { currentRuntime } from "@/server/runtime-handover";

export const dynamic = "force-dynamic";

/** This web process's Prometheus metrics, for a scraper that sends METRICS_TOKEN (see the README's Metrics). */
export async function GET(request: Request) {
  const refused = refusedScrape({ token: env().METRICS_TOKEN, authorization: request.headers.get("authorization") });
  if (refused) return Response.json({ error: refused.error }, { status: refused.status, headers: { "cache-control": "no-store" } });
  const { contentType, body } = await currentRuntime().metrics.scrape();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}
