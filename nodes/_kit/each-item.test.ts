import { describe, expect, it } from "vitest";
import { eachItem } from "./each-item";
import type { Item } from "./items";

/** A context whose config for item n is `{ n }`, recording which items' configs were asked for. */
function configs() {
  const asked: number[] = [];
  return {
    asked,
    ctx: {
      configFor: async (index: number) => {
        asked.push(index);
        if (index === 2) throw new Error("item 2 has a broken expression");
        return { n: index };
      },
    },
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe("eachItem", () => {
  const input: Item[] = [{ json: { a: 1 } }, { json: { a: 2 } }];

  it("gives each input item with its index and the config evaluated against it", async () => {
    const { ctx } = configs();
    expect(await collect(eachItem({ input, ctx }))).toEqual([
      { item: input[0], index: 0, config: { n: 0 } },
      { item: input[1], index: 1, config: { n: 1 } },
    ]);
  });

  it("gives nothing for no input, or one empty item when the node acts even then", async () => {
    expect(await collect(eachItem({ input: [], ctx: configs().ctx }))).toEqual([]);
    expect(await collect(eachItem({ input: [], ctx: configs().ctx, evenIfEmpty: true }))).toEqual([{ item: { json: {} }, index: 0, config: { n: 0 } }]);
  });

  it("evaluates an item's config only when the previous item is done, and stops at a failing one", async () => {
    const { ctx, asked } = configs();
    const seen: number[] = [];
    const four: Item[] = [...input, { json: {} }, { json: {} }];
    await expect(
      (async () => {
        for await (const { index } of eachItem({ input: four, ctx })) {
          expect(asked).toEqual(seen.concat(index));
          seen.push(index);
        }
      })(),
    ).rejects.toThrow("item 2 has a broken expression");
    expect(asked).toEqual([0, 1, 2]);
  });
});
