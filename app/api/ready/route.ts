import { migrationNames } from "@/prisma/migration-names";
import { getDb } from "@/server/db";
import { currentRuntime } from "@/server/runtime-handover";
import { healthService } from "@/server/services/health-service";

export const dynamic = "force-dynamic";

// The build's migrations do not change while it runs: the folder is listed at the first probe, not at each one.
let migrations: Promise<string[]> | undefined;

/** Readiness: the database with every migration applied, and Redis in queue mode (see the README's Health). */
export async function GET() {
  migrations ??= migrationNames();
  const ready = await healthService.ready({ connect: getDb, migrations: await migrations, runtime: currentRuntime() });
  return Response.json(ready, { status: ready.status === "ready" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
