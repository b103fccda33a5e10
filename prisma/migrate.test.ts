import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbConnection } from "../server/db/connect";
import { createEmptyTestDatabase, createTestDatabase, databaseKinds } from "../server/db/test-databases";
import {
  applyMigrations,
  createMigration,
  databaseDrift,
  defaultMigrationsDir,
  defaultSchemaPath,
  schemaDrift,
} from "./migrate";

const repoRoot = path.resolve(path.dirname(defaultSchemaPath), "..");

// A change the migrations do not contain.
const withAuditNote = (schema: string) => schema.replace("model AuditEvent {", "model AuditEvent {\n  note String?");
const addsAuditNote = /ALTER TABLE "AuditEvent" ADD COLUMN\s+"note" TEXT/;

/** The migration folders with the checksum Prisma records for each: the SHA-256 of its script. */
async function migrationFolders(migrationsDir = defaultMigrationsDir) {
  const entries = await fs.readdir(migrationsDir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const script = await fs.readFile(path.join(migrationsDir, name, "migration.sql"));
      return { name, checksum: createHash("sha256").update(script).digest("hex") };
    }),
  );
}

async function appliedMigrations(connection: DbConnection) {
  return connection.db.$queryRaw<{ name: string; checksum: string; finished: boolean; rolledBack: boolean }[]>`
    SELECT migration_name AS name, checksum,
      finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS "rolledBack"
    FROM _prisma_migrations ORDER BY migration_name`;
}

/** Another factory on the same database, as a second process would have. */
function secondFactory(connection: DbConnection) {
  const { target } = connection;
  return target.kind === "postgres" ? new PrismaPg({ connectionString: target.url }) : connection.adapterFactory;
}

let schema: string;
beforeAll(async () => {
  schema = await fs.readFile(defaultSchemaPath, "utf8");
});

describe.each(databaseKinds)("migrations on %s", (kind) => {
  describe("an empty database", () => {
    let connection: DbConnection;
    beforeAll(async () => {
      connection = await createEmptyTestDatabase(kind);
    });
    afterAll(() => connection?.close());

    it("gets every migration once, even from two callers at once, recorded as Prisma records them", async () => {
      const folders = await migrationFolders();
      const results = await Promise.all([
        applyMigrations({ adapterFactory: connection.adapterFactory }),
        applyMigrations({ adapterFactory: secondFactory(connection) }),
      ]);
      expect(results.map((result) => result.applied).sort()).toEqual([[], folders.map((folder) => folder.name)]);
      expect(await applyMigrations({ adapterFactory: connection.adapterFactory })).toEqual({ applied: [] });
      expect(await appliedMigrations(connection)).toEqual(
        folders.map(({ name, checksum }) => ({ name, checksum, finished: true, rolledBack: false })),
      );
    });

    it("then matches schema.prisma, and not a schema with one more column", async () => {
      expect(await databaseDrift({ adapterFactory: connection.adapterFactory })).toBe("");
      expect(await databaseDrift({ adapterFactory: connection.adapterFactory, schema: withAuditNote(schema) })).toMatch(
        addsAuditNote,
      );
    });

    it("replays the migrations in a shadow database to exactly schema.prisma", async () => {
      expect(await schemaDrift({ adapterFactory: connection.adapterFactory })).toBe("");
      expect(await schemaDrift({ adapterFactory: connection.adapterFactory, schema: withAuditNote(schema) })).toMatch(
        addsAuditNote,
      );
    });
  });

  it("createTestDatabase gives a database with every migration applied", async () => {
    const connection = await createTestDatabase(kind);
    try {
      expect((await appliedMigrations(connection)).map((row) => row.name)).toEqual(
        (await migrationFolders()).map((folder) => folder.name),
      );
      expect(await applyMigrations({ adapterFactory: connection.adapterFactory })).toEqual({ applied: [] });
      expect(await databaseDrift({ adapterFactory: connection.adapterFactory })).toBe("");
    } finally {
      await connection.close();
    }
  });
});

describe("the migrate CLI", () => {
  let connection: DbConnection;
  beforeAll(async () => {
    connection = await createEmptyTestDatabase("postgres");
  });
  afterAll(() => connection?.close());

  it("applies each migration once when two processes start at once against one PostgreSQL database", async () => {
    if (connection.target.kind !== "postgres") throw new Error("expected a PostgreSQL test database");
    const env = { ...process.env, DATABASE_URL: connection.target.url, LOG_LEVEL: "info" };
    const run = () =>
      promisify(execFile)(path.join(repoRoot, "node_modules/.bin/tsx"), ["server/migrate-cli.ts", "apply"], {
        cwd: repoRoot,
        env,
      });
    const outputs = await Promise.all([run(), run()]);
    const messages = outputs.map(({ stdout }) => JSON.parse(stdout.trim()) as { msg: string });
    expect(messages.map((message) => message.msg).sort()).toEqual([
      expect.stringMatching(/^applied \d+ migration/),
      "database is up to date; no migration to apply",
    ]);
    expect((await appliedMigrations(connection)).map((row) => row.name)).toEqual(
      (await migrationFolders()).map((folder) => folder.name),
    );
  });
});

describe("createMigration", () => {
  let dir: string;
  let migrationsDir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "streamware-migrations-"));
    migrationsDir = path.join(dir, "migrations");
    await fs.cp(defaultMigrationsDir, migrationsDir, { recursive: true });
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it("writes nothing when the migrations already match schema.prisma", async () => {
    const before = await fs.readdir(migrationsDir);
    expect(await createMigration({ name: "nothing", migrationsDir })).toEqual({ created: null });
    expect(await fs.readdir(migrationsDir)).toEqual(before);
  });

  it("writes the next migration for a changed schema, after which the two agree", async () => {
    const schemaPath = path.join(dir, "schema.prisma");
    await fs.writeFile(schemaPath, withAuditNote(schema));

    const { created } = await createMigration({ name: "Add audit note", schemaPath, migrationsDir });

    expect(created).toMatch(/^\d{14}_add_audit_note$/);
    expect(await fs.readFile(path.join(migrationsDir, created!, "migration.sql"), "utf8")).toMatch(addsAuditNote);
    const lockfile = await fs.readFile(path.join(migrationsDir, "migration_lock.toml"), "utf8");
    expect(lockfile).toContain('provider = "postgresql"');
    expect(await schemaDrift({ schemaPath, migrationsDir })).toBe("");
  });
});
