// Fresh, migrated databases for integration tests: one PostgreSQL database per call on the test server, or an
// in-memory PGlite. Every database is the product of prisma/migrations, never of a schema push.
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { applyMigrations, defaultMigrationsDir } from "../../prisma/migrate";
import { afterAll, beforeAll } from "vitest";
import { connectDb, type Db, type DbConnection } from "./connect";

export const databaseKinds = ["postgres", "pglite"] as const;
export type DatabaseKind = (typeof databaseKinds)[number];

/** A new database with every migration applied; `close()` disconnects and, on PostgreSQL, drops it. */
export async function createTestDatabase(kind: DatabaseKind): Promise<DbConnection> {
  if (kind === "pglite") return connectDb({ kind: "pglite", dataDir: null, image: await migratedPgliteImage() });
  const connection = await createEmptyTestDatabase(kind);
  try {
    await applyMigrations({ adapterFactory: connection.adapterFactory });
    return connection;
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** A new database without even `_prisma_migrations`, for tests of the migrations themselves. */
export async function createEmptyTestDatabase(kind: DatabaseKind): Promise<DbConnection> {
  return kind === "pglite" ? connectDb({ kind: "pglite", dataDir: null }) : createPostgresDatabase();
}

function adminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client(adminUrl());
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// Measured here: CREATE DATABASE about 30 ms and applying the migrations about 55 ms, while copying a migrated
// template database also takes about 30 ms; a template would save little and has to be kept in step.
async function createPostgresDatabase(): Promise<DbConnection> {
  const name = `streamware_test_${randomUUID().replaceAll("-", "")}`;
  await admin(`CREATE DATABASE "${name}"`);
  const drop = () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const connection = await connectDb({ kind: "postgres", url: url.toString() }).catch(async (error: unknown) => {
    await drop();
    throw error;
  });
  return {
    ...connection,
    async close() {
      await connection.close();
      await drop();
    },
  };
}

// A new PGlite runs initdb, 1.5–3 s here; loading the data folder of an already migrated one takes 0.6–1.5 s.
// Vitest gives every test file a fresh process, so the image is kept on disk, named after what it contains.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const imageDir = path.join(repoRoot, "node_modules/.cache/streamware-pglite");
let image: Promise<Blob> | undefined;

function migratedPgliteImage(): Promise<Blob> {
  image ??= loadOrBuildImage().catch((error: unknown) => {
    image = undefined;
    throw error;
  });
  return image;
}

async function loadOrBuildImage(): Promise<Blob> {
  const file = path.join(imageDir, `${await imageKey()}.tar`);
  const cached = await fs.readFile(file).catch(() => null);
  if (cached) return new Blob([cached]);

  const pglite = await PGlite.create();
  try {
    await applyMigrations({ adapterFactory: new PrismaPGlite(pglite) });
    const dump = await pglite.dumpDataDir("none");
    await fs.mkdir(imageDir, { recursive: true });
    // Parallel test processes may build the same image; each renames a whole file into place.
    const partial = `${file}.${process.pid}.partial`;
    await fs.writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await fs.rename(partial, file);
    for (const old of await fs.readdir(imageDir)) {
      const stale = old.endsWith(".tar") && old !== path.basename(file);
      if (stale) await fs.rm(path.join(imageDir, old), { force: true });
    }
    return dump;
  } finally {
    await pglite.close();
  }
}

/** Changes with any migration and with the PGlite release, whose data folder format may change. */
async function imageKey(): Promise<string> {
  const hash = createHash("sha256");
  const pgliteEntry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const manifest = await fs.readFile(path.join(path.dirname(pgliteEntry), "../package.json"), "utf8");
  const { version } = JSON.parse(manifest) as { version: string };
  hash.update(`pglite ${version}\n`);
  const folders = (await fs.readdir(defaultMigrationsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const folder of folders) {
    hash.update(`${folder}\n`);
    hash.update(await fs.readFile(path.join(defaultMigrationsDir, folder, "migration.sql")));
  }
  return hash.digest("hex").slice(0, 16);
}

/** Inside a describe block: a fresh migrated database for its tests, closed (and dropped) after them. */
export function useTestDatabase(kind: DatabaseKind): { readonly db: Db } {
  let connection: DbConnection | undefined;
  beforeAll(async () => {
    connection = await createTestDatabase(kind);
  });
  afterAll(() => connection?.close());
  return {
    get db() {
      if (!connection) throw new Error("the test database is only there inside tests");
      return connection.db;
    },
  };
}
