import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgRawSql, startHotPathSession, type Db, type DbConnection } from "../db/connect";
import { rawSql, registerRawSql } from "../db/raw";
import { createTestDatabase } from "../db/test-databases";
import { RunStore } from "./run-store";
import { runService } from "./run-service";
import type { RunRow } from "../../runner/ports";

/**
 * The runner's prepared statements (claim, step start, the batched write) keep the plan PostgreSQL made for them
 * on a new, empty database: once the tables have grown it must still find runs and steps by key, not read them all.
 */
describe("the hot path's prepared statements on a table that grew after they were planned", () => {
  let connection: DbConnection;
  let client: pg.Client;
  // A stand-in for the database client, whose raw SQL runs on one connection with the hot path's session, so the
  // plans the statements left on it can be read afterwards.
  const onClient = {} as Db;
  const statements = new Set<string>();

  beforeAll(async () => {
    connection = await createTestDatabase("postgres");
    if (connection.target.kind !== "postgres") throw new Error("PostgreSQL only");
    client = new pg.Client({ connectionString: connection.target.url });
    await client.connect();
    await startHotPathSession(client);
    const sql = pgRawSql(client);
    registerRawSql(onClient, (statement, params) => {
      if (typeof statement !== "string") statements.add(statement.name);
      return sql(statement, params);
    });
  });
  afterAll(async () => {
    await client?.end();
    await connection?.close();
  });

  function runRows(workspaceId: string, flowId: string, count: number, prefix: string): RunRow[] {
    return Array.from({ length: count }, (_, i) => ({
      id: `${prefix}-${i}`,
      workspaceId,
      flowId,
      flowVersionId: null,
      status: "queued",
      trigger: "webhook",
      input: [{ json: { n: i } }],
      output: null,
      error: null,
      workerId: null,
      queuedAt: new Date(),
      startedAt: null,
      finishedAt: null,
      startNodeId: null,
      parentRunId: null,
      document: { schema: "streamware.flow/1", nodes: [], edges: [], settings: {} },
    }));
  }

  it("sets up each connection of the hot path's pool", async () => {
    expect(await rawSql(connection.db)("SHOW enable_seqscan", [])).toEqual([{ enable_seqscan: "off" }]);
  });

  it("finds runs and steps by key, with the plan kept from when the tables were empty", async () => {
    const { db } = connection;
    const workspace = await db.workspace.create({ data: { slug: "plans", name: "plans" }, select: { id: true } });
    const flow = await db.flow.create({ data: { workspaceId: workspace.id, name: "f", draft: {} }, select: { id: true } });
    const store = new RunStore(onClient);
    const step = (runId: string) => ({
      workerId: "me",
      step: { workspaceId: workspace.id, runId, nodeId: "a", nodeName: "A", nodeType: "core.http-request", attempt: 1, startedAt: new Date() },
    });

    // More runs than PostgreSQL plans one by one before it keeps a generic plan, on tables with no rows.
    for (let i = 0; i < 8; i++) {
      expect(await runService.claimRows({ db: onClient, claims: [{ runId: `missing-${i}`, workerId: "me", liveWorkers: ["me"] }] })).toEqual([]);
      expect(await runService.startSteps({ db: onClient, steps: [step(`missing-${i}`)] })).toEqual([{ started: false, status: null }]);
      await store.saveRun(runRows(workspace.id, flow.id, 1, `early-${i}`)[0]!);
    }
    // The tables grow; nothing analyses them in between, so no plan is made again.
    const grower = new RunStore(db);
    await Promise.all(runRows(workspace.id, flow.id, 3000, "grown").map((row) => grower.saveRun(row)));

    const claimed = await runService.claimRows({ db: onClient, claims: [{ runId: "grown-7", workerId: "me", liveWorkers: ["me"] }] });
    expect(claimed.map((row) => row.id)).toEqual(["grown-7"]);
    expect(await runService.startSteps({ db: onClient, steps: [step("grown-7")] })).toEqual([{ started: true }]);
    await store.saveRun({ ...runRows(workspace.id, flow.id, 1, "grown")[0]!, id: "grown-7", status: "succeeded", workerId: "me", finishedAt: new Date() });

    const prepared = await client.query<{ name: string; generic_plans: string; parameters: number }>(
      "SELECT name, generic_plans, cardinality(parameter_types) AS parameters FROM pg_prepared_statements",
    );
    expect(prepared.rows.map((row) => row.name).sort()).toEqual([...statements].sort());
    expect(statements.size).toBe(3);
    for (const { name, generic_plans, parameters } of prepared.rows) {
      // Each statement runs the plan it kept, not one made for the grown tables...
      expect(Number(generic_plans), name).toBeGreaterThan(0);
      const plan = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN EXECUTE ${name}(${Array.from({ length: parameters }, () => "'[]'").join(", ")})`);
      // ...and reads "Run" and "Step" by their keys.
      expect(plan.rows.map((row) => row["QUERY PLAN"]).join("\n"), name).not.toMatch(/Seq Scan on "(Run|Step)"/);
    }
  });
});
