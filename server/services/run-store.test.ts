import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../db/test-databases";
import { RawJson } from "../../nodes/_core/raw-json";
import type { RunRow, StepRow } from "../../runner/ports";
import { RunStore } from "./run-store";

const at = new Date("2026-12-07T10:00:00.123Z");

/** A running run at `at`, with the fields given. */
function runRow(fields: Pick<RunRow, "id" | "workspaceId" | "flowId"> & Partial<RunRow>): RunRow {
  return {
    flowVersionId: null,
    status: "running",
    trigger: "webhook",
    input: [],
    output: null,
    error: null,
    workerId: null,
    queuedAt: at,
    startedAt: at,
    finishedAt: null,
    startNodeId: null,
    parentRunId: null,
    document: null,
    ...fields,
  };
}

/** A step that succeeded at `at`, named after its node, with the fields given. */
function stepRow(fields: Pick<StepRow, "workspaceId" | "runId" | "nodeId"> & Partial<StepRow>): StepRow {
  return {
    nodeName: fields.nodeId.toUpperCase(),
    nodeType: "core.set",
    status: "succeeded",
    attempt: 1,
    input: { items: {}, fromTrigger: true },
    output: null,
    inputTruncated: false,
    outputTruncated: false,
    outputRef: null,
    error: null,
    startedAt: at,
    finishedAt: at,
    durationMs: 3,
    ...fields,
  };
}

/** How run and step rows are encoded for the one batched statement: what is written is what is read back. */
describe.each(["postgres", "pglite"] as const)("RunStore's rows, %s", (kind) => {
  const database = useTestDatabase(kind);

  async function scope(slug: string) {
    const { db } = database;
    const workspace = await db.workspace.create({ data: { slug, name: slug }, select: { id: true } });
    const flow = await db.flow.create({ data: { workspaceId: workspace.id, name: "f", draft: {} }, select: { id: true } });
    const run = runRow({
      id: `${slug}-run`,
      workspaceId: workspace.id,
      flowId: flow.id,
      status: "succeeded",
      input: [{ json: { body: { name: "Ada", nested: [1, { deep: true }] } } }],
      output: new RawJson('{"items":{"out":[{"json":{"ok":1}}]}}'),
      finishedAt: at,
      startNodeId: "hook",
      document: { schema: "streamware.flow/1", nodes: [], edges: [], settings: {} },
    });
    const step = (nodeId: string, fields: Partial<StepRow>) => stepRow({ workspaceId: workspace.id, runId: run.id, nodeId, ...fields });
    return { db: database.db, run, step };
  }

  it("reads back every column as written: plain values, serialized JSON spliced in, dates and nulls", async () => {
    const { db, run, step } = await scope(`rows-${kind}`);
    const early = new Date("1969-12-31T23:59:59.999Z");
    const store = new RunStore(db);
    await Promise.all([
      store.saveRun(run),
      store.saveStep(step("set", { output: new RawJson('{"items":{"out":[{"json":{"greeting":"Hello \\u00e9"}}]}}') })),
      store.saveStep(step("only-raw", { input: new RawJson("[]"), output: new RawJson("{}"), error: new RawJson('{"message":"m"}') })),
      store.saveStep(step("running", { startedAt: early, finishedAt: null })),
    ]);
    expect(await db.run.findUnique({ where: { id: run.id } })).toMatchObject({
      status: "succeeded",
      input: run.input,
      output: { items: { out: [{ json: { ok: 1 } }] } },
      error: null,
      queuedAt: at,
      finishedAt: at,
      startNodeId: "hook",
      document: run.document,
    });
    expect(await db.step.findUnique({ where: { runId_nodeId: { runId: run.id, nodeId: "set" } } })).toMatchObject({
      nodeName: "SET",
      input: { items: {}, fromTrigger: true },
      output: { items: { out: [{ json: { greeting: "Hello é" } }] } },
      outputRef: null,
      durationMs: 3,
      startedAt: at,
    });
    expect(await db.step.findUnique({ where: { runId_nodeId: { runId: run.id, nodeId: "only-raw" } } })).toMatchObject({ input: [], output: {}, error: { message: "m" } });
    expect(await db.step.findUnique({ where: { runId_nodeId: { runId: run.id, nodeId: "running" } } })).toMatchObject({ startedAt: early, finishedAt: null });
  });

  it("stores a value JSON cannot hold as why, and the rest of its row as it is", async () => {
    const { db, run, step } = await scope(`unwritable-${kind}`);
    const store = new RunStore(db);
    await store.saveRun({ ...run, status: "failed", output: null, error: { message: "boom", count: 1n } });
    await store.saveStep(step("set", { output: new RawJson('{"items":{}}'), error: { big: 2n } }));
    const stored = await db.run.findUnique({ where: { id: run.id } });
    expect(stored).toMatchObject({ status: "failed", input: run.input, startNodeId: "hook", queuedAt: at, finishedAt: at });
    expect(stored?.error).toEqual({ unstorable: expect.stringMatching(/^This data could not be stored: .*BigInt/) });
    const storedStep = await db.step.findUnique({ where: { runId_nodeId: { runId: run.id, nodeId: "set" } } });
    expect(storedStep).toMatchObject({ nodeName: "SET", output: { items: {} }, durationMs: 3, startedAt: at });
    expect(storedStep?.error).toEqual({ unstorable: expect.stringMatching(/BigInt/) });
  });
});

/** Two batches are written at once; a run's writes still go in order, one batch at a time. */
describe("RunStore's batches in flight, postgres", () => {
  const database = useTestDatabase("postgres");

  it("writes other runs while a batch waits, and holds a run's step until the batch with its row is stored", async () => {
    const { db } = database;
    const workspace = await db.workspace.create({ data: { slug: "in-flight", name: "in-flight" }, select: { id: true } });
    const flow = (name: string) => db.flow.create({ data: { workspaceId: workspace.id, name, draft: {} }, select: { id: true } });
    const [held, free] = await Promise.all([flow("held"), flow("free")]);
    // A transaction that holds the first flow's row keeps the batch with that flow's run waiting (its key check).
    let unlock!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const lock = db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Flow" WHERE id = ${held.id} FOR UPDATE`;
        locked();
        await new Promise<void>((resolve) => (unlock = resolve));
      },
      { timeout: 20_000 },
    );
    await isLocked;
    const store = new RunStore(db);
    let heldStored = false;
    const heldRun = store.saveRun(runRow({ id: "in-flight-held", workspaceId: workspace.id, flowId: held.id })).then(() => (heldStored = true));
    await new Promise((resolve) => setImmediate(resolve));
    let stepStored = false;
    const heldStep = store.saveStep(stepRow({ workspaceId: workspace.id, runId: "in-flight-held", nodeId: "set" })).then(() => (stepStored = true));
    await store.saveRun(runRow({ id: "in-flight-free", workspaceId: workspace.id, flowId: free.id }));
    expect(await db.run.count({ where: { id: "in-flight-free" } })).toBe(1);
    expect([heldStored, stepStored]).toEqual([false, false]);
    unlock();
    await Promise.all([lock, heldRun, heldStep]);
    expect(await db.step.count({ where: { runId: "in-flight-held" } })).toBe(1);
  });
});
