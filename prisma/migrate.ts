// Prisma Migrate without its native binary: Prisma's own WebAssembly schema engine, driven through our
// driver adapters. Migrations stay in Prisma's folder format and `_prisma_migrations` table, so the native
// `prisma migrate` could take over the same database at any time.
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { MigrationDirectory, MigrationList, SchemaEngine, SchemaFilter } from "@prisma/schema-engine-wasm";
import { MigrationError } from "./migration-error";
import { migrationTarget, scratchTarget } from "./migration-targets";

// Every entry point (npm scripts, the compiled server, tests) runs from the project root.
const prismaDir = path.join(process.cwd(), "prisma");
export const defaultSchemaPath = path.join(prismaDir, "schema.prisma");
export const defaultMigrationsDir = path.join(prismaDir, "migrations");

const lockfileName = "migration_lock.toml";
const noFilters: SchemaFilter = { externalTables: [], externalEnums: [] };

export interface ApplyMigrationsInput {
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  migrationsDir?: string;
  /** Stop after this migration: a restore takes the database to its backup's schema before loading its rows. */
  through?: string;
}

/**
 * Applies every migration folder not yet recorded in `_prisma_migrations`, in name order (up to `through`, when
 * given). Idempotent, and safe for several processes starting at once against one PostgreSQL database.
 */
export async function applyMigrations({
  adapterFactory,
  migrationsDir = defaultMigrationsDir,
  through,
}: ApplyMigrationsInput): Promise<{ applied: string[] }> {
  const migrationsList = await readMigrations(migrationsDir);
  if (through !== undefined) migrationsList.migrationDirectories = migrationsList.migrationDirectories.filter((m) => m.path.localeCompare(through) <= 0);
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
