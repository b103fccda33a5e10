import { z } from "zod";
import { defineNode, ui } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import type { Item } from "../_kit/items";
import { hashPoint, variantAt } from "./assignment";

/** What names an experiment, in the split node, the goal node and the API. */
export const experimentName = z
  .string()
  .trim()
  .min(1, "name the experiment")
  .max(100, "keep the experiment name under 100 characters")
  .meta({ title: "Experiment", description: "The name results and goal nodes use; changing it starts a new experiment." });

/** The key that identifies who is being tested: text or a number, from an expression per item. */
export const experimentKey = z
  .union([z.string().trim().min(1).max(512), z.number().finite()], {
    error: "the key must be a non-empty text (up to 512 characters) or a number; check that its expression finds a value in every item",
  })
  .transform(String)
  .meta({ title: "Key", description: "Who is being tested, such as {{ body.userId }}: the same key always gets the same variant.", ...ui({ expression: true, placeholder: "{{ body.userId }}" }) });

const variantSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "a variant name is 1–64 letters, digits, '-' or '_' (it names the output)")
    .refine((name) => name !== "error", '"error" is the name of the error output; pick another variant name')
    .meta({ title: "Name" }),
  weight: z.number().finite().min(0, "a weight cannot be negative").meta({ title: "Weight", description: "Its share of the traffic, relative to the others." }),
});

const config = z
  .object({
    experiment: experimentName,
    variants: z
      .array(variantSchema)
      .min(2, "an experiment needs at least two variants")
      .max(20, "an experiment has at most 20 variants")
      .meta({ title: "Variants", description: "One output per variant, in this order; items are shared out by weight." }),
    control: z
      .string()
      .optional()
      .meta({ title: "Control", description: "The variant the others are compared with; the first one when empty." }),
    assignment: z
      .enum(["hash", "random"])
      .default("hash")
      .meta({
        title: "Assignment",
        description: "Hash: the variant follows from SHA-256 of experiment and key. Random: drawn at first sight. Either way a key keeps its first variant.",
      }),
    key: experimentKey,
  })
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.variants.forEach((variant, i) => {
      if (seen.has(variant.name)) ctx.addIssue({ code: "custom", path: ["variants", i, "name"], message: `"${variant.name}" names two variants; names must differ` });
      seen.add(variant.name);
    });
    if (value.variants.every((v) => v.weight === 0)) {
      ctx.addIssue({ code: "custom", path: ["variants"], message: "every weight is 0; give the variants weights above 0, such as 50 and 50" });
    } else {
      value.variants.forEach((variant, i) => {
        if (variant.weight === 0) {
          ctx.addIssue({ code: "custom", path: ["variants", i, "weight"], message: `variant "${variant.name}" has weight 0; give it a weight above 0 or remove it` });
        }
      });
    }
    if (value.control && !seen.has(value.control)) {
      ctx.addIssue({ code: "custom", path: ["control"], message: `the control "${value.control}" is not one of the variants (${[...seen].join(", ")})` });
    }
  });

type Config = z.output<typeof config>;

/** One output per variant, named after it. */
export function abSplitPorts(value: Config): string[] {
  return value.variants.map((v) => v.name);
}

/**
 * Sends each item to one variant of an experiment and counts it as an exposure. Assignment is sticky: the server
 * keeps each key's first variant, so a key stays put across runs, restarts and weight changes; keys seen for the
 * first time follow the current weights. The item goes on with `ab: { experiment, variant, key }` added.
 */
export const abSplitNode = defineNode({
  type: "ab.split",
  version: 1,
  name: "A/B split",
  description: "Shares items out among weighted variants, sticky per key, and counts exposures for the experiment's results.",
  category: "analytics",
  icon: "split",
  config,
  starter: {
    variants: [
      { name: "A", weight: 50 },
      { name: "B", weight: 50 },
    ],
  },
  // Ports follow the variants, so they are taken as written, never as expressions.
  literalFields: ["experiment", "variants", "control", "assignment"],
  outputs: abSplitPorts,
  async execute({ config: first, input, ctx }) {
    if (input.length === 0) return {};
    const { experiment, variants, assignment } = first;
    const entries: { key: string; proposed: string }[] = [];
    for await (const { config: { key } } of eachItem({ input, ctx })) {
      const point = assignment === "hash" ? hashPoint({ experiment, key }) : Math.random();
      entries.push({ key, proposed: variantAt({ variants, point }) });
    }
    const assigned = await ctx.experiments.assign({ experiment, variants, control: first.control || variants[0]!.name, entries });
    const out: Record<string, Item[]> = {};
    input.forEach((item, i) => {
      const variant = assigned[i]!;
      (out[variant] ??= []).push({ ...item, json: { ...item.json, ab: { experiment, variant, key: entries[i]!.key } } });
    });
    return out;
  },
});
