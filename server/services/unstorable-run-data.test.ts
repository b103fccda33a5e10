import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../db/test-databases";
import { experimentStore } from "./ab-test-service";
import { flowStateStore } from "./flow-state-service";

/** Run data that reaches PostgreSQL outside run and step rows: NUL and lone surrogates are kept as U+FFFD. */
describe("run data with NUL and lone surrogates, kept by services on PostgreSQL", () => {
  const database = useTestDatabase("postgres");

  async function scope(slug: string) {
    const { db } = database;
    const workspace = await db.workspace.create({ data: { slug, name: slug }, select: { id: true } });
    const flow = await db.flow.create({ data: { workspaceId: workspace.id, name: "f", draft: {} }, select: { id: true } });
    return { db, workspaceId: workspace.id, flowId: flow.id };
  }

  it("keeps flow state whose key and value hold them, reading back what it wrote", async () => {
    const kv = flowStateStore(await scope("kv-text"));
    await kv.set("alert\u0000key", { text: "a\u0000b", broken: "\uD800" });
    expect(await kv.get("alert\u0000key")).toEqual({ text: "a\uFFFDb", broken: "\uFFFD" });
    expect(await kv.update<{ n: number; s: string }>("count\uDC00", (c) => ({ n: (c?.n ?? 0) + 1, s: "x\u0000" }))).toEqual({ n: 1, s: "x\uFFFD" });
    expect(await kv.update<{ n: number; s: string }>("count\uDC00", (c) => ({ n: (c?.n ?? 0) + 1, s: c!.s }))).toEqual({ n: 2, s: "x\uFFFD" });
    await kv.delete("alert\u0000key");
    expect(await kv.get("alert\u0000key")).toBeUndefined();
  });

  it("assigns and converts A/B keys that hold them, sticking to one variant", async () => {
    const store = experimentStore(await scope("ab-text"));
    const variants = [
      { name: "control", weight: 50 },
      { name: "green", weight: 50 },
    ];
    const first = await store.assign({ experiment: "checkout", variants, control: "control", entries: [{ key: "user\u0000", proposed: "green" }] });
    expect(first).toEqual(["green"]);
    expect(await store.assign({ experiment: "checkout", variants, control: "control", entries: [{ key: "user\u0000", proposed: "control" }] })).toEqual(["green"]);
    expect(await store.convert({ experiment: "checkout", keys: ["user\u0000"] })).toEqual([{ key: "user\uFFFD", variant: "green", counted: true }]);
  });
});
