import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { messages } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PGliteThread } from "./pglite-thread-client";

describe("PGlite on its own thread", () => {
  let db: PGliteThread;
  beforeAll(async () => {
    db = await PGliteThread.start({ dataDir: null, postgresqlconf: [] });
    await db.exec("CREATE TABLE item (id int PRIMARY KEY, note text, at timestamp(3), data jsonb)");
  });
  afterAll(() => db.close());

  it("answers statements with parameters, values read as PGlite reads them", async () => {
    await db.query("INSERT INTO item VALUES ($1, $2, $3, $4)", [1, "first", "2026-01-02 03:04:05.678", JSON.stringify({ a: [1, 2] })]);
    const { rows, fields } = await db.query<{ id: number; note: string; at: Date; data: unknown }>("SELECT * FROM item WHERE id = $1", [1]);
    expect(fields.map((f) => f.name)).toEqual(["id", "note", "at", "data"]);
    expect(rows).toEqual([{ id: 1, note: "first", at: new Date("2026-01-02T03:04:05.678Z"), data: { a: [1, 2] } }]);
  });

  it("reads with the caller's parsers on the caller's thread, in array rows too", async () => {
    const jsonb = 3802;
    const { rows } = await db.query("SELECT data, note FROM item WHERE id = 1", [], { rowMode: "array", parsers: { [jsonb]: (text: string) => `text:${text}` } });
    expect(rows).toEqual([['text:{"a": [1, 2]}', "first"]]);
  });

  it("throws PostgreSQL's errors as PGlite's DatabaseError, with their code and constraint", async () => {
    const error = await db.query("INSERT INTO item (id) VALUES (1)").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(messages.DatabaseError);
    expect(error).toMatchObject({ code: "23505", constraint: "item_pkey", message: expect.stringContaining("duplicate key") });
  });

  it("commits a transaction whose work resolves, and rolls back one that throws or rolls back", async () => {
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO item (id, note) VALUES (2, 'kept')");
    });
    const thrown = await db
      .transaction(async (tx) => {
        await tx.query("INSERT INTO item (id, note) VALUES (3, 'thrown away')");
        throw new Error("changed my mind");
      })
      .catch((e: Error) => e.message);
    expect(thrown).toBe("changed my mind");
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO item (id, note) VALUES (4, 'rolled back')");
      await tx.rollback();
      expect(tx.closed).toBe(true);
      await expect(tx.query("SELECT 1")).rejects.toThrow(/closed/);
    });
    const { rows } = await db.query<{ id: number }>("SELECT id FROM item ORDER BY id");
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it("holds the database for a transaction: a statement from outside waits for its end", async () => {
    let outsideSaw: number | undefined;
    let outside: Promise<unknown> | undefined;
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO item (id) VALUES (5)");
      outside = db.query<{ n: number }>("SELECT count(*)::int AS n FROM item").then(({ rows }) => (outsideSaw = rows[0]!.n));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(outsideSaw).toBeUndefined();
      await tx.query("DELETE FROM item WHERE id = 5");
    });
    await outside;
    expect(outsideSaw).toBe(2);
  });

  it("refuses statements once closed, saying the database stopped", async () => {
    const other = await PGliteThread.start({ dataDir: null, postgresqlconf: [] });
    await other.close();
    await expect(other.query("SELECT 1")).rejects.toThrow(/embedded database stopped/);
  });

  it("never holds a finished process open, and does not let it end in the middle of a statement", async () => {
    const client = fileURLToPath(new URL("./pglite-thread-client.ts", import.meta.url));
    const script = `import { PGliteThread } from ${JSON.stringify(client)};
      const db = await PGliteThread.start({ dataDir: null, postgresqlconf: [] });
      db.query("SELECT pg_sleep(0.2), 42 AS answer").then(({ rows }) => console.log(rows[0].answer));`;
    // Without `close()`: the process ends by itself once the statement has answered.
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { timeout: 50_000 });
    expect(stdout.trim()).toBe("42");
  });
});
