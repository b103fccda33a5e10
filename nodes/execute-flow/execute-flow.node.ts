import { z } from "zod";
import { defineNode } from "../_kit/define-node";

/** Runs another flow of the same workspace with the items, and passes on what it returned. */
export const executeFlowNode = defineNode({
  type: "core.execute-flow",
  version: 1,
  name: "Execute flow",
  description: "Runs another flow of this workspace (its active version) with these items and outputs its result.",
  category: "flow",
  icon: "workflow",
  config: z.object({
    flowId: z.string().min(1, "choose the flow to run").meta({ title: "Flow" }),
  }),
  async execute({ config, input, ctx }) {
    return ctx.runFlow(config.flowId, input);
  },
});
