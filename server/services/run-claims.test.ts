import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgRawSql, startHotPathSession, type Db, type DbConnection } from "../db/connect";
import { rawSql, registerRawSql } from "../db/raw";
import { createTestDatabase, useTestDatabase } from "../db/test-databases";
import { RunStore } from "./run-store";
import { runService } from "./run-service";
import type { RunRow } from "../../runner/ports";

/** A run as the web stores it when it queues one: waiting for a worker, with its input. */
function queuedRun({ workspaceId, flowId, id, n }: { workspaceId: string; flowId: string; id: string; n: number }): RunRow {
  return {
    id,
    workspaceId,
    flowId,
    flowVersionId: null,
    status: "queued",
    trigger: "webhook",
    input: [{ json: { n } }],
    output: null,
    error: null,
    workerId: null,
    queuedAt: new Date(),
    startedAt: null,
    finishedAt: null,
    startNodeId: null,
    parentRunId: null,
    document: { schema: "streamware.flow/1", nodes: [], edges: [], settings: {} },
  };
}

/**
 * The scans in an EXPLAIN of "Run" and "Step" that read the whole table or a whole index (a sequential scan, or an
 * index scan with no key condition, as a merge join makes) rather than the rows asked for.
 */
function scansOfWholeTables(plan: string[]): string[] {
  return plan.flatMap((line, i) => {
    const scan = /(Seq Scan|Index Scan|Index Only Scan) (?:using \S+ )?on "(?:Run|Step)"/.exec(line);
    if (!scan) return [];
    return scan[1] === "Seq Scan" || !/^\s*Index Cond:/.test(plan[i + 1] ?? "") ? [line.trim()] : [];
  });
}

/** Claims and step starts of many runs, each batch one statement: every run and step gets its own answer. */
describe.each(["postgres", "pglite"] as const)("batched claims and step starts, %s", (kind) => {
  const database = useTestDatabase(kind);

  async function runs(slug: string, count: number) {
    const { db } = database;
    const workspace = await db.workspace.create({ data: { slug, name: slug }, select: { id: true } });
    const flow = await db.flow.create({ data: { workspaceId: workspace.id, name: "f", draft: {} }, select: { id: true } });
    const rows = Array.from({ length: count }, (_, i) => queuedRun({ workspaceId: workspace.id, flowId: flow.id, id: `${slug}-run-${i}`, n: i }));
    const store = new RunStore(db);
    await Promise.all(rows.map((row) => store.saveRun(row)));
    return { db, workspaceId: workspace.id, ids: rows.map((row) => row.id) };
  }

  it("takes the runs it may and leaves the one a live worker holds, counting a lost worker once, on its step or its run", async () => {
    const { db, workspaceId, ids } = await runs(`claims-${kind}`, 5);
    const [free, held, lost, done, lostBetween] = ids as [string, string, string, string, string];
    await db.run.update({ where: { id: lostBetween }, data: { status: "running", workerId: "gone" } });
    await db.run.update({ where: { id: held }, data: { status: "running", workerId: "alive" } });
    await db.run.update({ where: { id: lost }, data: { status: "running", workerId: "gone" } });
    await db.step.create({ data: { workspaceId, runId: lost, nodeId: "a", nodeName: "A", nodeType: "core.set", status: "running" } });
    await db.run.update({ where: { id: done }, data: { status: "succeeded", finishedAt: new Date() } });

    const claimed = await runService.claimRows({ db, claims: ids.map((runId) => ({ runId, workerId: "me", liveWorkers: ["alive", "me"] })) });
    expect(claimed.map((row) => row.id).sort()).toEqual([free, lost, lostBetween].sort());
    expect(claimed.find((row) => row.id === free)).toMatchObject({ previousStatus: "queued", input: [{ json: { n: 0 } }], workerLosses: 0 });
    // Lost in a step recorded as running: the step counts it. Lost with none running: the run does.
    expect(claimed.find((row) => row.id === lost)).toMatchObject({ previousStatus: "running", workerLosses: 0 });
    expect(claimed.find((row) => row.id === lostBetween)).toMatchObject({ previousStatus: "running", workerLosses: 1 });
    expect(await db.run.findUnique({ where: { id: held }, select: { workerId: true } })).toEqual({ workerId: "alive" });
    expect(await db.run.findUnique({ where: { id: free }, select: { status: true, workerId: true } })).toEqual({ status: "running", workerId: "me" });
    expect(await db.step.findUnique({ where: { runId_nodeId: { runId: lost, nodeId: "a" } }, select: { workerLosses: true } })).toEqual({ workerLosses: 1 });
  });

  it("starts steps only of runs running on the asking worker, and says why the others did not start", async () => {
    const { db, workspaceId, ids } = await runs(`starts-${kind}`, 3);
    const [mine, theirs, cancelled] = ids as [string, string, string];
    await db.run.update({ where: { id: mine }, data: { status: "running", workerId: "me" } });
    await db.run.update({ where: { id: theirs }, data: { status: "running", workerId: "other" } });
    await db.run.update({ where: { id: cancelled }, data: { status: "cancelled", workerId: "me", finishedAt: new Date() } });
    // Start times to the millisecond, one of them before 1970: each is stored as it was sent.
    const times = { a: new Date("2026-12-07T08:09:10.123Z"), b: new Date("1969-12-31T23:59:59.999Z") };
    const step = (runId: string, nodeId: "a" | "b") => ({
      workerId: "me",
      step: { workspaceId, runId, nodeId, nodeName: nodeId, nodeType: "core.set", attempt: 1, startedAt: times[nodeId] },
    });

    const answers = await runService.startSteps({ db, steps: [step(mine, "a"), step(theirs, "a"), step(mine, "b"), step(cancelled, "a"), step("no-such-run", "a")] });
    expect(answers).toEqual([
      { started: true },
      { started: false, status: "running" },
      { started: true },
      { started: false, status: "cancelled" },
      { started: false, status: null },
    ]);
    const stored = await db.step.findMany({ where: { workspaceId }, select: { runId: true, nodeId: true, status: true, startedAt: true }, orderBy: [{ runId: "asc" }, { nodeId: "asc" }] });
    expect(stored).toEqual([
      { runId: mine, nodeId: "a", status: "running", startedAt: times.a },
      { runId: mine, nodeId: "b", status: "running", startedAt: times.b },
    ]);
  });
});

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

  it("sets up each connection of the hot path's pool", async () => {
    expect(await rawSql(connection.db)("SHOW enable_seqscan", [])).toEqual([{ enable_seqscan: "off" }]);
  });

  it("compiles none of its statements to machine code, though a sequential scan left in a plan is priced out", async () => {
    // No index gives a flow's name, so the plan keeps its scan at the price that keeps other scans out: far above the
    // cost at which PostgreSQL compiles a statement, which took most of a prune's time.
    const rows = await rawSql(connection.db)<{ "QUERY PLAN": [Record<string, unknown>] }>(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT name FROM "Flow"`, []);
    const [plan] = rows[0]!["QUERY PLAN"];
    expect(plan.Plan).toMatchObject({ "Node Type": "Seq Scan" });
    expect(plan).not.toHaveProperty("JIT");
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
      await store.saveRun(queuedRun({ workspaceId: workspace.id, flowId: flow.id, id: `early-${i}`, n: i }));
    }
    // The tables grow; nothing analyses them in between, so no plan is made again.
    const grower = new RunStore(db);
    await Promise.all(Array.from({ length: 3000 }, (_, n) => grower.saveRun(queuedRun({ workspaceId: workspace.id, flowId: flow.id, id: `grown-${n}`, n }))));

    const claimed = await runService.claimRows({ db: onClient, claims: [{ runId: "grown-7", workerId: "me", liveWorkers: ["me"] }] });
    expect(claimed.map((row) => row.id)).toEqual(["grown-7"]);
    expect(await runService.startSteps({ db: onClient, steps: [step("grown-7")] })).toEqual([{ started: true }]);
    await store.saveRun({ ...queuedRun({ workspaceId: workspace.id, flowId: flow.id, id: "grown-7", n: 7 }), status: "succeeded", workerId: "me", finishedAt: new Date() });

    const prepared = await client.query<{ name: string; generic_plans: string; parameters: number }>(
      "SELECT name, generic_plans, cardinality(parameter_types) AS parameters FROM pg_prepared_statements",
    );
    expect(prepared.rows.map((row) => row.name).sort()).toEqual([...statements].sort());
    expect(statements.size).toBe(3);
    for (const { name, generic_plans, parameters } of prepared.rows) {
      // Each statement runs the plan it kept, not one made for the grown tables...
      expect(Number(generic_plans), name).toBeGreaterThan(0);
      const plan = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN EXECUTE ${name}(${Array.from({ length: parameters }, () => "'[]'").join(", ")})`);
      // ...and reads "Run" and "Step" by their keys: no sequential scan, no walk through a whole index.
      expect(scansOfWholeTables(plan.rows.map((row) => row["QUERY PLAN"])), name).toEqual([]);
    }
  });
});
