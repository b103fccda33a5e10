import { z } from "zod";
import { defineNode } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import type { Item } from "../_kit/items";
import { conditionSchema, test } from "./conditions";

/** Sends each item to "true" or "false" by its conditions. */
export const ifNode = defineNode({
  type: "core.if",
  version: 1,
  name: "If",
  description: "Routes each item to the true or false output by conditions on its data.",
  category: "flow",
  icon: "branch",
  pure: true,
  config: z.object({
    conditions: z.array(conditionSchema).min(1, "add at least one condition").meta({ title: "Conditions" }),
    combine: z.enum(["and", "or"]).default("and").meta({ title: "Combine conditions with" }),
  }),
  outputs: ["true", "false"],
  async execute({ input, ctx }) {
    const yes: Item[] = [];
    const no: Item[] = [];
    for await (const { item, config } of eachItem({ input, ctx })) {
      const passed = config.combine === "and" ? config.conditions.every(test) : config.conditions.some(test);
      (passed ? yes : no).push(item);
    }
    return { true: yes, false: no };
  },
});
