// Where migrations are applied: a PostgreSQL server (behind an advisory lock, so two processes never migrate one
// database at once) or a PGlite database, and the scratch databases the schema engine diffs against.
import { randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { DriverAdapterError, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { MigrationError } from "./migration-error";

export interface MigrationTarget {
  factory: SqlMigrationAwareDriverAdapterFactory;
  /** Runs `run` while no other caller migrates the same database. */
  exclusive<T>(run: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function migrationTarget(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<MigrationTarget> {
  if (adapterFactory instanceof PrismaPg) {
    // The factory keeps its pool config private; a pool it creates (without connecting) shows it.
    const probe = await adapterFactory.connect();
    const { options } = probe.underlyingDriver();
    await probe.dispose();
    return pgTarget(options);
  }
  if (adapterFactory instanceof PrismaPGlite) return pgliteTarget(pgliteOf(adapterFactory));
  throw new MigrationError(
    `Migrations support the @prisma/adapter-pg and pglite-prisma-adapter adapters, not ${adapterFactory.adapterName}`,
  );
}

// @prisma/adapter-pg 7.10 refuses result columns of type "char" (OID 18), which the engine's catalog queries
// return (pg_class.relkind, pg_constraint.contype, ...); they are single characters, so text reads them right.
const charOid = 18;
const textOid = 25;

class CharAsTextClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // Listeners added here run before those the client adds when it connects, so it sees the relabelled fields.
    this.connection.on("rowDescription", (message: { fields: { dataTypeID: number }[] }) => {
      for (const field of message.fields) if (field.dataTypeID === charOid) field.dataTypeID = textOid;
    });
  }
}

function withDatabase(config: pg.PoolConfig, database: string): pg.PoolConfig {
  if (!config.connectionString) return { ...config, database };
  // pg lets the connection string win over `database`; this is the bug that points adapter-pg's own shadow
  // database at the main one.
  const url = new URL(config.connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return { ...config, connectionString: url.toString() };
}

// Any key but Prisma's own (72707369), which the engine takes inside ours.
const queueLockKey = 72707370;
const migrationWaitMinutes = 15;

function pgTarget(config: pg.PoolConfig): MigrationTarget {
  const opened = new Set<SqlDriverAdapter>();
  const openAdapter = async (poolConfig: pg.PoolConfig, afterDispose?: () => Promise<void>) => {
    const inner = await new PrismaPg({ ...poolConfig, Client: CharAsTextClient }).connect();
    const pool = inner.underlyingDriver();
    let disposed: Promise<void> | undefined;
    const adapter = withOverrides(inner, {
      // adapter-pg splits scripts on ";" and runs the pieces one by one; PostgreSQL runs a multi-statement
      // simple query atomically, and a ";" inside a string or function body stays intact.
      async executeScript(script) {
        await pool.query(script).catch(rethrowAsDriverError);
      },
      dispose() {
        disposed ??= (async () => {
          opened.delete(adapter);
          await inner.dispose();
          await afterDispose?.();
        })();
        return disposed;
      },
    });
    opened.add(adapter);
    return adapter;
  };
  const admin = async <T>(run: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client(config);
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  };
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => openAdapter(config),
    // adapter-pg's own shadow database lands on the main database and is dropped while still connected.
    async connectToShadowDb() {
      const database = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
      await admin((client) => client.query(`CREATE DATABASE "${database}"`));
      return openAdapter(withDatabase(config, database), () =>
        admin((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).then(() => undefined),
      );
    },
  };
  return {
    factory,
    // The engine takes Prisma's advisory lock while applying, as `prisma migrate deploy` does, but gives up
    // after 10 s, less than a migration that builds an index on a big table may take. Queueing on a lock of our
    // own first means the engine's never has to wait.
    exclusive: (run) =>
      admin(async (client) => {
        await client.query(`SET lock_timeout = '${migrationWaitMinutes}min'`);
        await client.query("SELECT pg_advisory_lock($1)", [queueLockKey]).catch((error: Error) => {
          throw new MigrationError(
            `Another process has been migrating this database for ${migrationWaitMinutes} minutes (${error.message})`,
          );
        });
        return run();
      }),
    async close() {
      await Promise.all([...opened].map((adapter) => adapter.dispose()));
    },
  };
}

/**
 * What migrating needs of a PGlite database, and all that pglite-prisma-adapter calls: PGlite itself, or a client
 * of one that runs on another thread.
 */
export type PGliteClient = Pick<PGlite, "query" | "exec" | "transaction">;

function pgliteOf(factory: PrismaPGlite): PGliteClient {
  // The adapter keeps its PGlite private, but executeScript has to go around the adapter (see pgliteAdapter).
  const client = Reflect.get(factory, "client") as Partial<PGliteClient> | undefined;
  if (typeof client?.query !== "function" || typeof client.exec !== "function" || typeof client.transaction !== "function") {
    throw new MigrationError("pglite-prisma-adapter no longer keeps its PGlite in `client`; update prisma/migrate.ts");
  }
  return client as PGliteClient;
}

function pgliteTarget(pglite: PGliteClient): MigrationTarget {
  let shadow: ScratchLease | undefined;
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: "postgres",
    adapterName: "pglite-prisma-adapter",
    connect: () => pgliteAdapter(pglite),
    // The engine expects an empty database on every connection; pglite-prisma-adapter's own shadow PGlite is
    // a new one each time and never closed.
    async connectToShadowDb() {
      shadow ??= await leaseScratch();
      await emptyDatabase(shadow.pglite);
      return pgliteAdapter(shadow.pglite);
    },
  };
  return {
    factory,
    exclusive: (run) => inTurn({ pglite, run }),
    async close() {
      shadow?.release();
    },
  };
}

/** For commands that need no database of ours: an empty development database with its own shadow database. */
export async function scratchTarget(): Promise<MigrationTarget> {
  const main = await leaseScratch();
  const target = pgliteTarget(main.pglite);
  return {
    ...target,
    async close() {
      await target.close();
      main.release();
    },
  };
}

// A PGlite is a single session, in which advisory locks exclude nothing, and it belongs to this process alone;
// callers that migrate the same one take turns here.
const pgliteTurns = new WeakMap<PGliteClient, Promise<unknown>>();

function inTurn<T>({ pglite, run }: { pglite: PGliteClient; run: () => Promise<T> }): Promise<T> {
  const turn = (pgliteTurns.get(pglite) ?? Promise.resolve()).catch(() => undefined).then(run);
  pgliteTurns.set(pglite, turn);
  return turn;
}

interface ScratchLease {
  pglite: PGlite;
  release(): void;
}

// Starting a PGlite costs 1.5–3 s and emptying one a few milliseconds, so a returned PGlite waits a moment for
// the next command (tests run several in a row) before it is closed. Closing matters: the engine's sessions
// leave PostgreSQL timers armed inside PGlite, which would hold a finished process open for 10 s.
const scratchIdleMs = 1_000;
const idleScratch: { pglite: PGlite; closing: NodeJS.Timeout }[] = [];

async function leaseScratch(): Promise<ScratchLease> {
  const idle = idleScratch.pop();
  if (idle) clearTimeout(idle.closing);
  const pglite = idle?.pglite ?? (await PGlite.create());
  await emptyDatabase(pglite);
  return {
    pglite,
    release() {
      const entry = {
        pglite,
        closing: setTimeout(() => {
          idleScratch.splice(idleScratch.indexOf(entry), 1);
          // Nothing depends on an idle scratch database, so a failure to close it is no one's concern.
          pglite.close().catch(() => undefined);
        }, scratchIdleMs).unref(),
      };
      idleScratch.push(entry);
    },
  };
}

async function emptyDatabase(pglite: PGliteClient): Promise<void> {
  const { rows } = await pglite.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`,
  );
  const drops = rows.map(({ name }) => `DROP SCHEMA "${name.replaceAll('"', '""')}" CASCADE;`).join("\n");
  await pglite.exec(`${drops}\nCREATE SCHEMA public;`);
}

async function pgliteAdapter(pglite: PGliteClient): Promise<SqlDriverAdapter> {
  // Typed for a whole PGlite, the adapter calls only what PGliteClient names.
  const inner = await new PrismaPGlite(pglite as PGlite).connect();
  return withOverrides(inner, {
    // pglite-prisma-adapter 0.7.2 does not await exec(): a failing migration would count as applied and its
    // error would surface later as an unhandled rejection.
    async executeScript(script) {
      await pglite.exec(script).catch(rethrowAsDriverError);
    },
    dispose: () => inner.dispose(),
  });
}

function withOverrides(
  inner: SqlDriverAdapter,
  overrides: Pick<SqlDriverAdapter, "executeScript" | "dispose">,
): SqlDriverAdapter {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    queryRaw: (query) => inner.queryRaw(query),
    executeRaw: (query) => inner.executeRaw(query),
    startTransaction: (isolationLevel) => inner.startTransaction(isolationLevel),
    getConnectionInfo: inner.getConnectionInfo && (() => inner.getConnectionInfo!()),
    ...overrides,
  };
}

interface PostgresErrorFields {
  code?: string;
  severity?: string;
  message: string;
  detail?: string;
  column?: string;
  hint?: string;
}

/** Both drivers' server errors carry PostgreSQL's fields; the engine reads them from a DriverAdapterError. */
function rethrowAsDriverError(error: PostgresErrorFields): never {
  // Only server errors have a severity; socket errors go up as they are.
  if (typeof error.severity !== "string" || typeof error.code !== "string") throw error;
  throw new DriverAdapterError({
    kind: "postgres",
    code: error.code,
    severity: error.severity,
    message: error.message,
    detail: error.detail,
    column: error.column,
    hint: error.hint,
  });
}
