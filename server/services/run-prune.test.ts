import { describe, expect, it } from "vitest";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import type { RunStatus } from "../../nodes/_core/run-types";
import { runService } from "./run-service";

const day = 86_400_000;

describe.each(databaseKinds)("pruning runs on %s", (kind) => {
  const database = useTestDatabase(kind);

  /** A flow with runs queued `age` ms ago, each with its status; answers the flow's id. */
  async function flowWithRuns(slug: string, runs: { status: RunStatus; age: number }[]) {
    const { db } = database;
    const workspace = await db.workspace.create({ data: { slug, name: slug }, select: { id: true } });
    const flow = await db.flow.create({ data: { workspaceId: workspace.id, name: "f", draft: {} }, select: { id: true } });
    const now = Date.now();
    await db.run.createMany({ data: runs.map(({ status, age }) => ({ workspaceId: workspace.id, flowId: flow.id, trigger: "manual", status, queuedAt: new Date(now - age) })) });
    return flow.id;
  }

  /** Each of the flow's runs left, newest first, as its status and age in whole days. */
  async function left(flowId: string) {
    const runs = await database.db.run.findMany({ where: { flowId }, select: { status: true, queuedAt: true }, orderBy: { queuedAt: "desc" } });
    return runs.map((run) => `${run.status} ${Math.round((Date.now() - run.queuedAt.getTime()) / day)}d`);
  }

  /** Prunes batch after batch, as the maintenance task does, until a batch deletes nothing; answers how many went. */
  async function pruneAll(args: { olderThan: Date | null; keepPerFlow: number | null; batch: number }) {
    let total = 0;
    for (;;) {
      const deleted = await runService.prune({ db: database.db, ...args });
      if (deleted === 0) return total;
      total += deleted;
    }
  }

  it("keeps the newest runs of each flow, counting unfinished ones, and deletes only finished ones beyond them", async () => {
    const busy = await flowWithRuns(`${kind}-busy`, [
      { status: "succeeded", age: 1000 },
      { status: "running", age: 2000 },
      { status: "failed", age: 3000 },
      { status: "succeeded", age: 4000 },
      { status: "queued", age: 5000 },
      { status: "cancelled", age: 6000 },
      { status: "succeeded", age: 7000 },
    ]);
    const quiet = await flowWithRuns(`${kind}-quiet`, [
      { status: "succeeded", age: 1000 },
      { status: "failed", age: 2000 },
    ]);
    // Batches of two: the statement is run again until nothing is left to delete.
    expect(await pruneAll({ olderThan: null, keepPerFlow: 3, batch: 2 })).toBe(3);
    expect(await left(busy)).toEqual(["succeeded 0d", "running 0d", "failed 0d", "queued 0d"]);
    expect(await left(quiet)).toEqual(["succeeded 0d", "failed 0d"]);
  });

  it("without a count per flow, deletes finished runs past the age limit only", async () => {
    const flowId = await flowWithRuns(`${kind}-aged`, [
      { status: "succeeded", age: day },
      { status: "running", age: 30 * day },
      { status: "failed", age: 20 * day },
      { status: "succeeded", age: 30 * day },
      ...Array.from({ length: 5 }, () => ({ status: "succeeded" as const, age: 15 * day })),
    ]);
    expect(await pruneAll({ olderThan: new Date(Date.now() - 14 * day), keepPerFlow: null, batch: 4 })).toBe(7);
    expect(await left(flowId)).toEqual(["succeeded 1d", "running 30d"]);
    // Nothing old and no count: nothing goes.
    expect(await pruneAll({ olderThan: null, keepPerFlow: null, batch: 4 })).toBe(0);
    expect(await left(flowId)).toEqual(["succeeded 1d", "running 30d"]);
  });
});
