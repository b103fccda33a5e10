import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import type { Item } from "../_kit/items";
import { isPlainObject } from "../_kit/items";

const field = z.object({
  name: z
    .string()
    .regex(/^[^.\s]+(\.[^.\s]+)*$/, "must be a field name; use dots for nesting, such as \"address.city\"")
    .refine((name) => !name.split(".").some((p) => p === "__proto__" || p === "constructor" || p === "prototype"), "must not name __proto__, constructor or prototype")
    .meta({ title: "Field" }),
  value: z.unknown().meta({ title: "Value", ...ui({ expression: true }) }),
});

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

/** Sets fields on each item from fixed values or expressions. */
export const setNode = defineNode({
  type: "core.set",
  version: 1,
  name: "Set",
  description: "Adds or replaces fields on each item; values may be expressions.",
  category: "data",
  icon: "pencil",
  config: z.object({
    fields: z.array(field).default([]).meta({ title: "Fields", ...ui({ widget: "keyValue" }) }),
    keepOnlySet: z.boolean().default(false).meta({ title: "Keep only these fields" }),
  }),
  async execute({ input, ctx }) {
    const out: Item[] = [];
    for await (const { item, config } of eachItem({ input, ctx })) {
      const json: Record<string, unknown> = config.keepOnlySet ? {} : structuredClone(item.json);
      for (const f of config.fields) setPath(json, f.name, f.value);
      out.push(item.binary ? { json, binary: item.binary } : { json });
    }
    return out;
  },
});
