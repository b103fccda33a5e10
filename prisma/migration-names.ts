import fs from "node:fs/promises";
import path from "node:path";

/**
 * The names of this build's migrations (the folders of prisma/migrations), in the order they apply: what a fully
 * migrated database has recorded in `_prisma_migrations`. Read without the schema engine, for readiness checks.
 */
export async function migrationNames(
  // Read at run time from where the process runs; the ignore keeps Next's build from tracing the whole project.
  migrationsDir = path.join(/*turbopackIgnore: true*/ process.cwd(), "prisma", "migrations"),
): Promise<string[]> {
  const entries = await fs.readdir(migrationsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
}
