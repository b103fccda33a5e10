import { z } from "zod";
import { defineNode } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import { experimentKey, experimentName } from "./ab-split.node";

const config = z.object({
  experiment: experimentName,
  key: experimentKey,
  flowId: z
    .string()
    .trim()
    .max(64)
    .optional()
    .meta({ title: "Flow", description: "The id of the flow whose A/B split runs the experiment; empty for this flow." }),
});

/**
 * Records a conversion for each item's key: once per key and experiment, for the variant the key was assigned.
 * Items go on with `ab: { experiment, key, variant, counted }`; `counted` is false for a key that converted
 * before or was never exposed (variant null).
 */
export const abGoalNode = defineNode({
  type: "ab.goal",
  version: 1,
  name: "A/B goal",
  description: "Counts a conversion of an A/B experiment for each item's key (once per key).",
  category: "analytics",
  icon: "goal",
  config,
  literalFields: ["experiment", "flowId"],
  async execute({ config: first, input, ctx }) {
    if (input.length === 0) return [];
    const keys: string[] = [];
    for await (const { config } of eachItem({ input, ctx })) keys.push(config.key);
    const outcomes = await ctx.experiments.convert({ experiment: first.experiment, keys, flowId: first.flowId || undefined });
    return input.map((item, i) => {
      const { variant, counted } = outcomes[i]!;
      return { ...item, json: { ...item.json, ab: { experiment: first.experiment, key: keys[i]!, variant, counted } } };
    });
  },
});
