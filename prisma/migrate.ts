// Prisma Migrate without its native binary: Prisma's own WebAssembly schema engine, driven through our
// driver adapters. Migrations stay in Prisma's folder format and `_prisma_migrations` table, so the native
// `prisma migrate` could take over the same database at any time.
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type { MigrationDirectory, MigrationList, SchemaEngine, SchemaFilter } from "@prisma/schema-engine-wasm";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";

// Every entry point (npm scripts, the compiled server, tests) runs from the project root.
const prismaDir = path.join(process.cwd(), "prisma");
export const defaultSchemaPath = path.join(prismaDir, "schema.prisma");
export const defaultMigrationsDir = path.join(prismaDir, "migrations");

const lockfileName = "migration_lock.toml";
const noFilters: SchemaFilter = { externalTables: [], externalEnums: [] };

/** A migration command failed; the message is the engine's, without its Rust span trace. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

export interface ApplyMigrationsInput {
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  migrationsDir?: string;
}

/**
 * Applies every migration folder not yet recorded in `_prisma_migrations`, in name order. Idempotent, and safe
 * for several processes starting at once against one PostgreSQL database.
 */
export async function applyMigrations({
  adapterFactory,
  migrationsDir = defaultMigrationsDir,
}: ApplyMigrationsInput): Promise<{ applied: string[] }> {
  const migrationsList = await readMigrations(migrationsDir);
  const target = await migrationTarget(adapterFactory);
  try {
    return await target.exclusive(() =>
      withEngine({ factory: target.factory }, async (engine) => {
        const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: noFilters });
        return { applied: appliedMigrationNames };
      }),
    );
  } finally {
    await target.close();
  }
}

export interface CreateMigrationInput {
  name: string;
  schemaPath?: string;
  migrationsDir?: string;
}

/**
 * Writes `<migrationsDir>/<timestamp>_<name>/migration.sql` with the SQL that takes the existing migrations to
 * the schema. Needs no database: the history is replayed into an in-memory PGlite. Returns `created: null` when
 * the migrations already match the schema.
 */
export async function createMigration({
  name,
  schemaPath = defaultSchemaPath,
  migrationsDir = defaultMigrationsDir,
}: CreateMigrationInput): Promise<{ created: string | null }> {
  const migrationName = `${timestamp(new Date())}_${slugify(name)}`;
  // The same diff as `prisma migrate diff --from-migrations --to-schema`: the history is replayed into an
  // in-memory PGlite and compared with the schema. (The engine's own createMigration reads a cached replay that
  // leaves partial indexes out, so it would write them again every time.)
  const script = await schemaDrift({ schemaPath, migrationsDir });
  if (script.trim() === "") return { created: null };
  const folder = path.join(migrationsDir, migrationName);
  await fs.mkdir(folder, { recursive: true });
  await fs.writeFile(path.join(folder, "migration.sql"), script);
  await fs.writeFile(path.join(migrationsDir, lockfileName), lockfileText("postgresql"));
  return { created: migrationName };
}

/** Prisma's migration folder prefix: the UTC time as YYYYMMDDHHMMSS. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

export interface SchemaDriftInput {
  /** Whose shadow database replays the migrations; an in-memory PGlite when absent. The database itself is not read. */
  adapterFactory?: SqlMigrationAwareDriverAdapterFactory;
  /** The schema text to compare with, instead of the file at schemaPath. */
  schema?: string;
  schemaPath?: string;
  migrationsDir?: string;
}

/** The SQL that would take the migrations to the schema: empty when they agree. */
export async function schemaDrift({
  adapterFactory,
  schema,
  schemaPath = defaultSchemaPath,
  migrationsDir = defaultMigrationsDir,
}: SchemaDriftInput = {}): Promise<string> {
  const [schemaFile, migrationsList] = await Promise.all([
    schema === undefined ? readSchema(schemaPath) : { path: schemaPath, content: schema },
    readMigrations(migrationsDir),
  ]);
  const target = adapterFactory ? await migrationTarget(adapterFactory) : await scratchTarget();
  try {
    return await withEngine({ factory: target.factory, schema: schemaFile }, (engine) =>
      diffScript(engine, { from: { tag: "migrations", ...migrationsList }, to: schemaFile }),
    );
  } finally {
    await target.close();
  }
}

export interface DatabaseDriftInput {
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  schema?: string;
  schemaPath?: string;
}

/** The SQL that would take the live database to the schema: empty when they agree. */
export async function databaseDrift({
  adapterFactory,
  schema,
  schemaPath = defaultSchemaPath,
}: DatabaseDriftInput): Promise<string> {
  const schemaFile = schema === undefined ? await readSchema(schemaPath) : { path: schemaPath, content: schema };
  const target = await migrationTarget(adapterFactory);
  try {
    return await withEngine({ factory: target.factory, schema: schemaFile }, (engine) =>
      diffScript(engine, {
        from: { tag: "schemaDatasource", files: [schemaFile], configDir: path.dirname(schemaFile.path) },
        to: schemaFile,
      }),
    );
  } finally {
    await target.close();
  }
}

type SchemaFile = { path: string; content: string };
type DiffSource = Parameters<SchemaEngine["diff"]>[0]["from"];

async function diffScript(engine: SchemaEngine, { from, to }: { from: DiffSource; to: SchemaFile }): Promise<string> {
  const { exitCode, stdout } = await engine.diff({
    from,
    to: { tag: "schemaDatamodel", files: [to] },
    script: true,
    // Exit code 2 means "non-empty"; the script of an empty diff is a comment, not an empty string.
    exitCode: true,
    filters: noFilters,
  });
  return exitCode === 0 ? "" : (stdout ?? "");
}

// wasm-bindgen keeps module-level state in its glue, so the module is instantiated once per process.
let engineClass: Promise<typeof SchemaEngine> | undefined;

function loadSchemaEngine(): Promise<typeof SchemaEngine> {
  engineClass ??= (async () => {
    const glue = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const gluePath = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasm = new WebAssembly.Module(await fs.readFile(gluePath.replace(/\.js$/, ".wasm")));
    const imports: WebAssembly.ModuleImports = { ...glue };
    // The engine arms a 10 s timer for every advisory-lock wait and never clears it, which kept a finished CLI
    // alive for 10 s; unref'd, such timers only fire while something else keeps the process busy.
    for (const name of Object.keys(imports).filter((key) => key.startsWith("__wbg_setTimeout_"))) {
      const arm = imports[name] as (callback: () => void, ms: number) => NodeJS.Timeout;
      imports[name] = (callback: () => void, ms: number) => arm(callback, ms).unref();
    }
    const instance = new WebAssembly.Instance(wasm, { "./schema_engine_bg.js": imports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue.SchemaEngine;
  })();
  return engineClass;
}

async function withEngine<T>(
  { factory, schema }: { factory: SqlMigrationAwareDriverAdapterFactory; schema?: SchemaFile },
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const SchemaEngineClass = await loadSchemaEngine();
  let engine: SchemaEngine;
  try {
    engine = await SchemaEngineClass.new(
      { datamodels: schema ? [[schema.path, schema.content]] : undefined },
      // The engine narrates every step (whole scripts included); results and errors reach us through the calls.
      () => {},
      bindMigrationAwareSqlAdapterFactory(factory),
    );
  } catch (error) {
    throw engineError(error);
  }
  try {
    return await run(engine);
  } catch (error) {
    throw engineError(error);
  } finally {
    engine.free();
  }
}

function engineError(error: unknown): Error {
  if (!(error instanceof Error)) return new MigrationError(String(error));
  // Engine errors end in a Rust span trace ("   0: schema_engine_wasm::..."), which says nothing to a user, and
  // database errors start with a line that says only that they came through the driver adapter.
  const message = error.message
    .split(/\n\s+0: /)[0]!
    .replace(/^external connector error\n/, "")
    .trim();
  return new MigrationError(message, { cause: error });
}

async function readSchema(schemaPath: string): Promise<SchemaFile> {
  return { path: schemaPath, content: await fs.readFile(schemaPath, "utf8") };
}

/** The migrations folder as the engine expects it, read the way `prisma migrate` reads it. */
async function readMigrations(migrationsDir: string): Promise<MigrationList> {
  const lockfile = await fs.readFile(path.join(migrationsDir, lockfileName), "utf8").catch(() => null);
  const entries = await fs.readdir(migrationsDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const migrationDirectories = await Promise.all(
    folders.sort((a, b) => a.localeCompare(b)).map(async (folder): Promise<MigrationDirectory> => {
      const file = "migration.sql";
      const content = await fs
        .readFile(path.join(migrationsDir, folder, file), "utf8")
        .then((value) => ({ tag: "ok" as const, value }))
        .catch((error: Error) => ({ tag: "error" as const, value: error.message }));
      return { path: folder, migrationFile: { path: file, content } };
    }),
  );
  return {
    baseDir: migrationsDir,
    lockfile: { path: lockfileName, content: lockfile },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

// Word for word what `prisma migrate dev` writes.
function lockfileText(provider: string): string {
  return [
    "# Please do not edit this file manually",
    "# It should be added in your version-control system (e.g., Git)",
    `provider = "${provider}"`,
    "",
  ].join("\n");
}

function slugify(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (!slug) throw new MigrationError(`"${name}" is not a usable migration name; use letters, digits and underscores`);
  return slug;
}

/** A database as the engine should see it: adapters with our fixes, and what to close afterwards. */
interface MigrationTarget {
  factory: SqlMigrationAwareDriverAdapterFactory;
  /** Runs `run` while no other caller migrates the same database. */
  exclusive<T>(run: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

async function migrationTarget(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<MigrationTarget> {
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

function pgliteOf(factory: PrismaPGlite): PGlite {
  // The adapter keeps its PGlite private, but executeScript has to go around the adapter (see pgliteAdapter).
  const client: unknown = Reflect.get(factory, "client");
  if (!(client instanceof PGlite)) {
    throw new MigrationError("pglite-prisma-adapter no longer keeps its PGlite in `client`; update prisma/migrate.ts");
  }
  return client;
}

function pgliteTarget(pglite: PGlite): MigrationTarget {
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
async function scratchTarget(): Promise<MigrationTarget> {
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
const pgliteTurns = new WeakMap<PGlite, Promise<unknown>>();

function inTurn<T>({ pglite, run }: { pglite: PGlite; run: () => Promise<T> }): Promise<T> {
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

async function emptyDatabase(pglite: PGlite): Promise<void> {
  const { rows } = await pglite.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`,
  );
  const drops = rows.map(({ name }) => `DROP SCHEMA "${name.replaceAll('"', '""')}" CASCADE;`).join("\n");
  await pglite.exec(`${drops}\nCREATE SCHEMA public;`);
}

async function pgliteAdapter(pglite: PGlite): Promise<SqlDriverAdapter> {
  const inner = await new PrismaPGlite(pglite).connect();
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
