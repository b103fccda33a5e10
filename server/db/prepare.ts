import { applyMigrations } from "../../prisma/migrate";
import { ConfigError, type Env } from "../env";
import type { DbConnection } from "./connect";

/** Where the data lives, for messages a person acts on. */
export function describeDatabase(config: Env): string {
  return config.DATABASE_URL ? `PostgreSQL at ${new URL(config.DATABASE_URL).host} (DATABASE_URL)` : `the embedded database in ${config.DATA_DIR}`;
}

/** Applies the migrations; a failure is reported as a start-up problem naming the database. */
export async function migrateDatabase(connection: DbConnection, config: Env): Promise<void> {
  try {
    await applyMigrations({ adapterFactory: connection.adapterFactory });
  } catch (err) {
    throw new ConfigError(`Could not prepare ${describeDatabase(config)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
