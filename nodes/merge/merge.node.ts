import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";
import type { Item } from "../_kit/items";

/** Waits for both inputs and combines their items. */
export const mergeNode = defineNode({
  type: "core.merge",
  version: 1,
  name: "Merge",
  description: "Waits for both inputs, then appends their items, pairs them by position, or joins them on a key.",
  category: "flow",
  config: z.object({
    mode: z.enum(["append", "byPosition", "byKey"]).default("append").meta({ title: "Mode" }),
    key: z.string().optional().meta({ title: "Key field", description: "For \"byKey\": the field both sides share, such as \"id\".", ...ui({ placeholder: "id" }) }),
  }),
  inputs: ["a", "b"],
  async execute({ config, inputs }) {
    const a = inputs.a ?? [];
    const b = inputs.b ?? [];
    if (config.mode === "append") return [...a, ...b];
    if (config.mode === "byPosition") {
      const out: Item[] = [];
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        out.push({ json: { ...a[i]?.json, ...b[i]?.json }, binary: a[i]?.binary || b[i]?.binary ? { ...a[i]?.binary, ...b[i]?.binary } : undefined });
      }
      return out.map((item) => (item.binary ? item : { json: item.json }));
    }
    const key = config.key;
    if (!key) return [...a, ...b];
    const byKey = new Map<unknown, Item>();
    for (const item of b) byKey.set(item.json[key], item);
    return a.filter((item) => byKey.has(item.json[key])).map((item) => ({ json: { ...item.json, ...byKey.get(item.json[key])!.json } }));
  },
});
