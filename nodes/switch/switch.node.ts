import { z } from "zod";
import { defineNode } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import type { Item } from "../_kit/items";
import { conditionSchema, test } from "../if/conditions";

const config = z.object({
  rules: z.array(conditionSchema).min(1, "add at least one rule").max(50).meta({ title: "Rules", description: "One output per rule, in order." }),
  mode: z.enum(["first", "all"]).default("first").meta({ title: "Send to", description: "First matching rule only, or every matching rule." }),
  fallback: z.boolean().default(true).meta({ title: "Fallback output", description: "Items that match no rule go to \"fallback\"; otherwise they are dropped." }),
});

/** Port names follow the rules: rule-1, rule-2, … and "fallback". */
export function switchPorts(value: z.output<typeof config>): string[] {
  const ports = value.rules.map((_, i) => `rule-${i + 1}`);
  return value.fallback ? [...ports, "fallback"] : ports;
}

/** Routes each item to the output of the first (or every) rule it matches. */
export const switchNode = defineNode({
  type: "core.switch",
  version: 1,
  name: "Switch",
  description: "Routes each item to one output per matching rule, with an optional fallback.",
  category: "flow",
  icon: "route",
  pure: true,
  config,
  outputs: switchPorts,
  async execute({ input, ctx }) {
    const out: Record<string, Item[]> = {};
    for await (const { item, config: resolved } of eachItem({ input, ctx })) {
      let matched = false;
      for (let r = 0; r < resolved.rules.length; r++) {
        if (!test(resolved.rules[r]!)) continue;
        (out[`rule-${r + 1}`] ??= []).push(item);
        matched = true;
        if (resolved.mode === "first") break;
      }
      if (!matched && resolved.fallback) (out.fallback ??= []).push(item);
    }
    return out;
  },
});
