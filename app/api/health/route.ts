import { getDb } from "@/server/db";
import { env } from "@/server/env";
import { healthService } from "@/server/services/health-service";

export const dynamic = "force-dynamic";

export async function GET() {
  const mode = env().DATABASE_URL ? "postgres" : "embedded";
  let health;
  try {
    health = await healthService.check({ db: await getDb(), mode });
  } catch (err) {
    // Connecting itself failed (e.g. the PostgreSQL server is down at start-up).
    health = { status: "error", db: `error: ${err instanceof Error ? err.message : String(err)}`, mode };
  }
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
