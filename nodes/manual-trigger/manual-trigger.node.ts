import { z } from "zod";
import { defineNode } from "../_kit/define-node";

/** Starts a run from the editor's Run button, the CLI or the API, with the test input given there. */
export const manualTriggerNode = defineNode({
  type: "core.manual-trigger",
  version: 1,
  name: "Manual trigger",
  description: "Starts the flow when you press Run, with the test input you give.",
  category: "trigger",
  icon: "hand",
  trigger: { kind: "manual" },
  config: z.object({}),
  async execute({ input }) {
    return input.length ? input : [{ json: {} }];
  },
});
