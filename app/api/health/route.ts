import { getDb } from "@/server/db";
import { env } from "@/server/env";
import { healthService } from "@/server/services/health-service";

export const dynamic = "force-dynamic";

export async function GET() {
  const health = await healthService.check({ connect: getDb, mode: env().DATABASE_URL ? "postgres" : "embedded" });
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
