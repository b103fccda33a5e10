import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationNames } from "../../prisma/migration-names";
import { connectDb, type DbConnection } from "../db/connect";
import { createEmptyTestDatabase, createTestDatabase, databaseKinds } from "../db/test-databases";
import { healthService } from "./health-service";

describe.each(databaseKinds)("health on %s", (kind) => {
  let connection: DbConnection;
  beforeAll(async () => {
    connection = await createTestDatabase(kind);
  });
  afterAll(() => connection?.close());

  it("reports ok when the database answers", async () => {
    const health = await healthService.check({ connect: async () => connection.db, mode: kind === "pglite" ? "embedded" : "postgres" });
    expect(health).toMatchObject({ status: "ok", db: "ok" });
  });
});

describe("health with an unreachable database", () => {
  it("names the database as the failing part", async () => {
    // Port 1 on loopback refuses connections: a PostgreSQL server that is down.
    const down = await connectDb({ kind: "postgres", url: "postgres://postgres@127.0.0.1:1/none" });
    try {
      const health = await healthService.check({ connect: async () => down.db, mode: "postgres" });
      expect(health.status).toBe("error");
      expect(health.db).toMatch(/^error: /);
    } finally {
      await down.close();
    }
  });
});

describe("health when connecting fails", () => {
  it("reports the connection error as the database's status", async () => {
    // A data folder that can never be created: /dev/null is a file, not a folder.
    const health = await healthService.check({
      connect: async () => (await connectDb({ kind: "pglite", dataDir: "/dev/null/streamware/pglite" })).db,
      mode: "embedded",
    });
    expect(health.status).toBe("error");
    expect(health.db).toMatch(/^error: ENOTDIR/);
  });
});

describe.each(databaseKinds)("readiness on %s", (kind) => {
  let migrated: DbConnection;
  let empty: DbConnection;
  beforeAll(async () => {
    [migrated, empty] = await Promise.all([createTestDatabase(kind), createEmptyTestDatabase(kind)]);
  });
  afterAll(() => Promise.all([migrated?.close(), empty?.close()]));

  it("is ready when the database has every migration of this build applied", async () => {
    const ready = await healthService.ready({ connect: async () => migrated.db, migrations: await migrationNames(), runtime: null });
    expect(ready).toEqual({ status: "ready", checks: { db: "ok", migrations: "ok" } });
  });

  it("is not ready while a migration of this build is missing, naming it", async () => {
    const names = await migrationNames();
    const missing = await healthService.ready({ connect: async () => migrated.db, migrations: [...names, "29991231000000_not_yet"], runtime: null });
    expect(missing).toEqual({ status: "not ready", checks: { db: "ok", migrations: `error: 1 of ${names.length + 1} migrations not applied (first: 29991231000000_not_yet)` } });
    const none = await healthService.ready({ connect: async () => empty.db, migrations: names, runtime: null });
    expect(none.status).toBe("not ready");
    expect(none.checks.migrations).toBe(`error: ${names.length} of ${names.length} migrations not applied (first: ${names[0]})`);
  });
});

describe("readiness with parts down", () => {
  it("is not ready when the database is down", async () => {
    const down = await connectDb({ kind: "postgres", url: "postgres://postgres@127.0.0.1:1/none" });
    try {
      const ready = await healthService.ready({ connect: async () => down.db, migrations: await migrationNames(), runtime: null });
      expect(ready.status).toBe("not ready");
      expect(ready.checks.db).toMatch(/^error: /);
      expect(ready.checks.migrations).toBe("error: the database did not answer");
    } finally {
      await down.close();
    }
  });
});
