import { env } from "../env";
import { connectDb, dbTargetFromEnv, type Db, type DbConnection } from "./connect";

export type { Db } from "./connect";

// The custom server and Next's bundled route handlers are separate module graphs in one process;
// keeping the connection on globalThis gives both the same client (PGlite allows one opener per folder).
const holder = globalThis as typeof globalThis & { __streamwareDb?: Promise<DbConnection> };

export function getConnection(): Promise<DbConnection> {
  if (!holder.__streamwareDb) {
    const connecting = connectDb(dbTargetFromEnv(env()));
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
