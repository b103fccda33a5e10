import { describe, expect, it } from "vitest";
import type { BinaryRef, Item } from "../_kit/items";
import { runNode } from "../../runner/node-testing";
import { mergeNode } from "./merge.node";

const people: Item[] = [{ json: { id: 1, name: "Ada" } }, { json: { id: 2, name: "Grace" } }, { json: { id: 3, name: "Linus" } }];
const orders: Item[] = [{ json: { id: 2, total: 40 } }, { json: { id: 1, total: 250 } }];
const photo: BinaryRef = { id: "bin-1", mimeType: "image/png", size: 3 };
const scan: BinaryRef = { id: "bin-2", mimeType: "application/pdf", size: 9 };

describe("core.merge", () => {
  it("has inputs a and b and one output", () => {
    const config = mergeNode.config.parse({});
    expect(mergeNode.inputsFor(config)).toEqual(["a", "b"]);
    expect(mergeNode.outputsFor(config)).toEqual(["out"]);
    expect(config).toEqual({ mode: "append" });
  });

  it("appends b's items after a's by default", async () => {
    const { items } = await runNode(mergeNode, { inputs: { a: people, b: orders } });
    expect(items).toEqual([...people, ...orders]);
  });

  it("passes one side on when the other brought nothing", async () => {
    expect((await runNode(mergeNode, { inputs: { b: orders } })).items).toEqual(orders);
    expect((await runNode(mergeNode, { inputs: { a: people }, config: { mode: "byPosition" } })).items).toEqual(people);
  });

  it("pairs items by position, b's fields winning, the longer side's extras kept as they are", async () => {
    const { items } = await runNode(mergeNode, { inputs: { a: people, b: orders }, config: { mode: "byPosition" } });
    expect(items).toEqual([{ json: { id: 2, name: "Ada", total: 40 } }, { json: { id: 1, name: "Grace", total: 250 } }, { json: { id: 3, name: "Linus" } }]);
  });

  it("keeps both sides' files when pairing by position", async () => {
    const { items } = await runNode(mergeNode, {
      inputs: { a: [{ json: { n: 1 }, binary: { photo } }], b: [{ json: { m: 2 }, binary: { scan } }, { json: { m: 3 } }] },
      config: { mode: "byPosition" },
    });
    expect(items).toEqual([{ json: { n: 1, m: 2 }, binary: { photo, scan } }, { json: { m: 3 } }]);
  });

  it("joins on a key: each of a's items with the b item of the same key, unmatched ones left out", async () => {
    const { items } = await runNode(mergeNode, { inputs: { a: people, b: orders }, config: { mode: "byKey", key: "id" } });
    expect(items).toEqual([{ json: { id: 1, name: "Ada", total: 250 } }, { json: { id: 2, name: "Grace", total: 40 } }]);
  });

  it("compares keys by value and type", async () => {
    const { items } = await runNode(mergeNode, {
      inputs: { a: [{ json: { sku: "A-1", stock: 3 } }, { json: { sku: 7 } }], b: [{ json: { sku: "A-1", price: 9 } }, { json: { sku: "7", price: 1 } }] },
      config: { mode: "byKey", key: "sku" },
    });
    expect(items).toEqual([{ json: { sku: "A-1", stock: 3, price: 9 } }]);
  });

  it("takes up to ten inputs: append and pair by position read them in order", async () => {
    const config = mergeNode.config.parse({ inputs: 3 });
    expect(mergeNode.inputsFor(config)).toEqual(["a", "b", "c"]);
    const c: Item[] = [{ json: { id: 9, city: "Oslo" } }];
    expect((await runNode(mergeNode, { inputs: { a: people, b: orders, c }, config })).items).toEqual([...people, ...orders, ...c]);
    const paired = await runNode(mergeNode, { inputs: { a: people, b: orders, c }, config: { mode: "byPosition", inputs: 3 } });
    expect(paired.items[0]).toEqual({ json: { id: 9, name: "Ada", total: 40, city: "Oslo" } });
    expect(paired.items).toHaveLength(3);
  });

  it("drops unpaired items when asked", async () => {
    const { items } = await runNode(mergeNode, { inputs: { a: people, b: orders }, config: { mode: "byPosition", unpaired: "drop" } });
    expect(items).toEqual([{ json: { id: 2, name: "Ada", total: 40 } }, { json: { id: 1, name: "Grace", total: 250 } }]);
  });

  it("joins on differently named keys, several fields, and every kind of join", async () => {
    const tickets: Item[] = [{ json: { personId: 1, seat: "A1" } }, { json: { personId: 1, seat: "A2" } }, { json: { personId: 7, seat: "Z9" } }];
    const run = (join: string) => runNode(mergeNode, { inputs: { a: people, b: tickets }, config: { mode: "byKey", key: "id", keyB: "personId", join } }).then((r) => r.items.map((i) => i.json));
    expect(await run("inner")).toEqual([
      { id: 1, name: "Ada", personId: 1, seat: "A1" },
      { id: 1, name: "Ada", personId: 1, seat: "A2" },
    ]);
    expect((await run("left")).map((j) => j.name)).toEqual(["Ada", "Ada", "Grace", "Linus"]);
    expect((await run("right")).map((j) => j.seat)).toEqual(["A1", "A2", "Z9"]);
    expect(await run("outer")).toHaveLength(5);
    expect(await run("unmatchedA")).toEqual([{ id: 2, name: "Grace" }, { id: 3, name: "Linus" }]);
    expect(await run("unmatchedB")).toEqual([{ personId: 7, seat: "Z9" }]);
    expect(await run("unmatched")).toHaveLength(3);
    expect(await run("matchedA")).toEqual([{ id: 1, name: "Ada" }]);
    expect(await run("matchedB")).toEqual([{ personId: 1, seat: "A1" }, { personId: 1, seat: "A2" }]);
    const both = await runNode(mergeNode, {
      inputs: { a: [{ json: { first: "Ada", last: "L" } }, { json: { first: "Ada", last: "B" } }], b: [{ json: { first: "Ada", last: "B", age: 36 } }] },
      config: { mode: "byKey", key: "first, last" },
    });
    expect(both.items).toEqual([{ json: { first: "Ada", last: "B", age: 36 } }]);
  });

  it("makes every pair of a and b, and passes one chosen input on", async () => {
    expect((await runNode(mergeNode, { inputs: { a: people.slice(0, 2), b: orders }, config: { mode: "everyPair" } })).items).toHaveLength(4);
    const chosen = await runNode(mergeNode, { inputs: { a: people, b: orders }, config: { mode: "choose", use: 2 } });
    expect(chosen.items).toEqual(orders);
  });

  it("says what is wrong with a join's settings", () => {
    expect(mergeNode.config.safeParse({ mode: "byKey", key: "a, b", keyB: "x" }).error?.issues[0]).toMatchObject({ path: ["keyB"] });
    expect(mergeNode.config.safeParse({ mode: "byKey", key: "id", inputs: 3 }).error?.issues[0]).toMatchObject({ path: ["inputs"] });
    expect(mergeNode.config.safeParse({ mode: "choose", use: 3 }).error?.issues[0]).toMatchObject({ path: ["use"] });
  });
});
