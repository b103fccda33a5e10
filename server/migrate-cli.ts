// `tsx server/migrate-cli.ts apply` migrates the database the environment points at;
// `tsx server/migrate-cli.ts create <name>` writes the next migration from schema.prisma.
import path from "node:path";
import pino from "pino";
import { connectDb, dbTargetFromEnv } from "./db/connect";
import { applyMigrations, createMigration, defaultMigrationsDir } from "../prisma/migrate";

const logger = pino({ name: "migrate", level: process.env.LOG_LEVEL ?? "info" });
const usage = "usage: tsx server/migrate-cli.ts apply | create <name>";

async function apply(): Promise<void> {
  const target = dbTargetFromEnv(process.env);
  const where = target.kind === "postgres" ? { database: "postgres" } : { database: "pglite", dataDir: target.dataDir };
  const connection = await connectDb(target);
  try {
    const startedAt = performance.now();
    const { applied } = await applyMigrations({ adapterFactory: connection.adapterFactory });
    const ms = Math.round(performance.now() - startedAt);
    if (applied.length === 0) logger.info({ ...where, ms }, "database is up to date; no migration to apply");
    else logger.info({ ...where, applied, ms }, `applied ${applied.length} migration(s)`);
  } finally {
    await connection.close();
  }
}

async function create(name: string | undefined): Promise<void> {
  if (!name) throw new Error(`missing migration name; ${usage}`);
  const { created } = await createMigration({ name });
  if (created === null) {
    logger.info("schema.prisma and the migrations agree; no migration written");
  } else {
    const file = path.relative(process.cwd(), path.join(defaultMigrationsDir, created, "migration.sql"));
    logger.info({ file }, `wrote migration ${created}; review it, then run "npm run db:migrate"`);
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === "apply") return apply();
  if (command === "create") return create(rest[0]);
  throw new Error(usage);
}

main().catch((err: unknown) => {
  logger.error({ err }, err instanceof Error ? err.message : "migration failed");
  process.exitCode = 1;
});
