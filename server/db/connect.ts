import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { PoolStats } from "../../runner/metrics";
import { lockDataDir } from "./folder-lock";
import { PGliteThread } from "./pglite-thread-client";
import { registerRawSql, statementText, type RawSql } from "./raw";
import { PrismaClient, type Prisma } from "./generated/client";
import { loadQueryCompilerFromFile } from "./query-compiler";

export type Db = PrismaClient;

/**
 * Where the data lives: a PostgreSQL server, or embedded PGlite in a folder (or in memory when `dataDir` is null),
 * optionally started from a dumped data folder (`image`).
 */
export type DbTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string | null; image?: Blob };

export interface DbConnection {
  target: DbTarget;
  db: Db;
  /** The driver adapter, for the migration engine. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /**
   * The PostgreSQL pools' use, for the metrics: `prisma` (Prisma's queries) and `sql` (the statements that claim
   * runs and write their steps); null embedded.
   */
  poolStats(): Record<"prisma" | "sql", PoolStats> | null;
  /**
   * Runs `work` in one transaction on one connection of its own, with plain SQL: read-only at REPEATABLE READ (one
   * consistent snapshot, for a backup) or read-write (a restore, all or nothing). Embedded, other queries wait.
   */
  transaction<T>(mode: "snapshot" | "write", work: (sql: RawSql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function dbTargetFromEnv(env: { [name: string]: unknown; DATABASE_URL?: string; DATA_DIR?: string }): DbTarget {
  if (env.DATABASE_URL) return { kind: "postgres", url: env.DATABASE_URL };
  return { kind: "pglite", dataDir: path.resolve(env.DATA_DIR ?? ".data", "pglite") };
}

// pg-pool fills in its default `max` when it is made; the fallback is for the type only.
const poolUse = (pool: pg.Pool): PoolStats => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 });

/** Which of Streamware's processes holds a connection, as PostgreSQL shows it (`application_name`). */
export type ProcessRole = "web" | "worker" | "cli";
export const applicationName = (role: ProcessRole) => `streamware-${role}`;

/**
 * PrismaClient's options: the adapter, and the query compiler compiled from its file's bytes (query-compiler.ts).
 * `__internal` is Prisma's own option, which the generated client's types leave out.
 */
const clientOptions = (adapter: SqlMigrationAwareDriverAdapterFactory) => ({ adapter, __internal: { configOverride: loadQueryCompilerFromFile } }) as Prisma.PrismaClientOptions;

/**
 * Sets up a connection of the hot path. Its statements are prepared, so PostgreSQL keeps one plan for each, made
 * when a table may still be small: every one of them finds its rows by key, and a sequential scan chosen for a new,
 * nearly empty table would read all of it once it has grown (three times the database's work a run, measured, until
 * the next analyze). Sequential scans are the planner's last choice on these connections.
 *
 * That choice is made by adding a huge cost to every sequential scan, and a plan that keeps one (a scan of a table
 * that has no index for it, such as the flows pruning walks) then costs far more than the threshold above which
 * PostgreSQL compiles the statement to machine code: pruning took 180-370 ms, nearly all of it compiling, to delete
 * nothing from 15,000 runs. These statements each read a few rows, which compiling never pays for, so it is off.
 * Statements rather than startup options, which connection poolers such as PgBouncer refuse.
 */
export async function startHotPathSession(client: pg.ClientBase): Promise<void> {
  await client.query("SET enable_seqscan = off; SET jit = off");
}

/** Plain SQL on a pool or a client; a prepared statement is parsed once on each connection, then only run. */
export function pgRawSql(queryable: pg.Pool | pg.Client): RawSql {
  return async (statement, params) =>
    (await (typeof statement === "string" ? queryable.query(statement, params) : queryable.query({ name: statement.name, text: statement.text, values: params }))).rows;
}

/** Plain SQL on the embedded database or one of its transactions, which keep no prepared statements: each is sent as text. */
function pgliteRawSql(queryable: Pick<PGliteThread, "query">): RawSql {
  return async (statement, params) => (await queryable.query(statementText(statement), params)).rows as never[];
}

export async function connectDb(target: DbTarget, { role }: { role?: ProcessRole } = {}): Promise<DbConnection> {
  if (target.kind === "postgres") {
    const application_name = role ? applicationName(role) : undefined;
    // Prisma's pool is made here, not by the adapter, so that its use can be read (the adapter keeps it open).
    const prismaPool = new pg.Pool({ connectionString: target.url, application_name });
    const adapterFactory = new PrismaPg(prismaPool);
    const db = new PrismaClient(clientOptions(adapterFactory));
    // Each new connection is set up before the pool hands it out.
    const pool = new pg.Pool({ connectionString: target.url, max: 4, application_name, onConnect: startHotPathSession });
    // An idle connection the server closes (a restart, a terminated backend) leaves the pool, and the next query
    // opens a new one; without a listener, its error would end the process.
    pool.on("error", () => {});
    prismaPool.on("error", () => {});
    registerRawSql(db, pgRawSql(pool));
    return {
      target,
      db,
      adapterFactory,
      poolStats: () => ({ prisma: poolUse(prismaPool), sql: poolUse(pool) }),
      // A connection of its own, not one of the pools': a backup may read for minutes while runs keep being written.
      async transaction(mode, work) {
        const client = new pg.Client({ connectionString: target.url, application_name });
        client.on("error", () => {});
        await client.connect();
        try {
          await client.query(mode === "snapshot" ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
          const result = await work(pgRawSql(client));
          await client.query("COMMIT");
          return result;
        } catch (err) {
          await client.query("ROLLBACK").catch(() => {});
          throw err;
        } finally {
          await client.end();
        }
      },
      async close() {
        await db.$disconnect();
        await Promise.all([prismaPool.end(), pool.end()]);
      },
    };
  }
  if (target.dataDir) await mkdir(path.dirname(target.dataDir), { recursive: true });
  const unlock = target.dataDir ? await lockDataDir(target.dataDir) : async () => {};
  let pglite: PGliteThread;
  try {
    // PostgreSQL's default 128 MB of shared buffers is sized for a server of its own; embedded, it would be
    // most of the process's memory.
    pglite = await PGliteThread.start({ dataDir: target.dataDir, image: target.image, postgresqlconf: ["shared_buffers=8MB"] });
  } catch (err) {
    await unlock();
    throw err;
  }
  const adapterFactory = new PrismaPGlite(pglite.asPGlite());
  const db = new PrismaClient(clientOptions(adapterFactory));
  registerRawSql(db, pgliteRawSql(pglite));
  return {
    target,
    db,
    adapterFactory,
    poolStats: () => null,
    // One connection: the transaction holds it, so its snapshot is consistent at any isolation level.
    transaction: (_mode, work) => pglite.transaction((tx) => work(pgliteRawSql(tx))),
    async close() {
      await db.$disconnect();
      await pglite.close();
      await unlock();
    },
  };
}
