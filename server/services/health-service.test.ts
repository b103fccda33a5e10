import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDb, type DbConnection } from "../db/connect";
import { createTestDatabase, databaseKinds } from "../db/test-databases";
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
