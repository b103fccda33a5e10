import { z } from "zod";

export const proposeWidgetsInput = z.object({
  workspaceId: z.string().min(1).max(64),
  flowId: z.string().min(1).max(64),
  /** How many of the flow's latest successful runs to read. */
  runs: z.number().int().min(1, "read at least one run").max(20, "read at most 20 runs").default(5),
});
