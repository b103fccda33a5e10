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
});
