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
  icon: "merge",
  config: z
    .object({
      mode: z.enum(["append", "byPosition", "byKey"]).default("append").meta({ title: "Mode" }),
      key: z.string().min(1).optional().meta({ title: "Key field", description: "For \"byKey\": the field both sides share, such as \"id\".", ...ui({ placeholder: "id" }) }),
    })
    .refine((c) => c.mode !== "byKey" || c.key, { path: ["key"], message: "joining by key needs the key field, such as \"id\"" }),
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
    const key = config.key!;
    // Items without the key join nothing: a missing value is not a match.
    const byKey = new Map<unknown, Item>();
    for (const item of b) if (item.json[key] !== undefined && item.json[key] !== null) byKey.set(item.json[key], item);
    return a
      .filter((item) => byKey.has(item.json[key]))
      .map((item) => {
        const other = byKey.get(item.json[key])!;
        const joined: Item = { json: { ...item.json, ...other.json } };
        if (item.binary || other.binary) joined.binary = { ...other.binary, ...item.binary };
        return joined;
      });
  },
});
