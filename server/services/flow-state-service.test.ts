import { describe, expect, it } from "vitest";
import { databaseKinds, useTestDatabase } from "../db/test-databases";
import { flowStateStore } from "./flow-state-service";

describe.each(databaseKinds)("flow state on %s", (kind) => {
  const database = useTestDatabase(kind);

  async function store(slug: string) {
    const { db } = database;
    const workspace = await db.workspace.create({ data: { slug, name: slug }, select: { id: true } });
    const flow = await db.flow.create({ data: { workspaceId: workspace.id, name: "f", draft: {} }, select: { id: true } });
    return flowStateStore({ db, workspaceId: workspace.id, flowId: flow.id });
  }

  it("loses no update when many runs change one key at once", async () => {
    const kv = await store(`${kind}-counter`);
    const runs = 16;
    const seen = await Promise.all(
      Array.from({ length: runs }, () => kv.update<{ n: number; log: number[] }>("counter", (c) => ({ n: (c?.n ?? 0) + 1, log: [...(c?.log ?? []), (c?.n ?? 0) + 1] }))),
    );
    const final = await kv.get<{ n: number; log: number[] }>("counter");
    expect(final!.n).toBe(runs);
    expect(final!.log).toEqual(Array.from({ length: runs }, (_, i) => i + 1));
    // Each caller got a different value back: every step saw the one before it.
    expect(new Set(seen.map((v) => v!.n)).size).toBe(runs);
  });

  it("creates an absent key, deletes on undefined, and leaves another flow's key alone", async () => {
    const kv = await store(`${kind}-a`);
    const other = await store(`${kind}-b`);
    await other.set("k", { mine: false });
    expect(await kv.update("k", (c) => (c === undefined ? { created: true } : c))).toEqual({ created: true });
    expect(await kv.get("k")).toEqual({ created: true });
    expect(await kv.update("k", () => undefined)).toBeUndefined();
    expect(await kv.get("k")).toBeUndefined();
    expect(await other.get("k")).toEqual({ mine: false });
  });
});
