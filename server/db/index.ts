import { env } from "../env";
import { connectDb, dbTargetFromEnv, type Db, type DbConnection, type ProcessRole } from "./connect";

export type { Db } from "./connect";

// The custom server and Next's bundled route handlers are separate module graphs in one process;
// keeping the connection on globalThis gives both the same client (PGlite allows one opener per folder).
const holder = globalThis as typeof globalThis & { __streamwareDb?: Promise<DbConnection> };

/** The process's connection; the first caller, its entry point, names the process's role for PostgreSQL. */
export function getConnection(role?: ProcessRole): Promise<DbConnection> {
  if (!holder.__streamwareDb) {
    const connecting = connectDb(dbTargetFromEnv(env()), { role });
    holder.__streamwareDb = connecting;
    // A failed connection is not cached, so the next request tries again.
    connecting.catch(() => {
      if (holder.__streamwareDb === connecting) holder.__streamwareDb = undefined;
    });
  }
  return holder.__streamwareDb;
}

export async function getDb(): Promise<Db> {
  return (await getConnection()).db;
}
