import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../db/test-databases";
import { RunStore } from "./run-store";
import { runService } from "./run-service";
import type { RunRow } from "../../runner/ports";

/** Claims and step starts of many runs, each batch one statement: every run and step gets its own answer. */
describe.each(["postgres", "pglite"] as const)("batched claims and step starts, %s", (kind) => {
  const database = useTestDatabase(kind);

  async function runs(slug: string, count: number) {
    const { db } = database;
    const workspace = await db.workspace.create({ data: { slug, name: slug }, select: { id: true } });
    const flow = await db.flow.create({ data: { workspaceId: workspace.id, name: "f", draft: {} }, select: { id: true } });
    const document = { schema: "streamware.flow/1", nodes: [], edges: [], settings: {} };
    const rows: RunRow[] = Array.from({ length: count }, (_, i) => ({
      id: `${slug}-run-${i}`,
      workspaceId: workspace.id,
      flowId: flow.id,
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
      document,
    }));
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
