import { z } from "zod";
import { storableName, unstorableNameMessage } from "../../nodes/_core/json-check";

const workspaceId = z.string().min(1).max(64);
const flowId = z.string().min(1).max(64);
const experiment = z.string().trim().min(1, "name the experiment").max(100).refine(storableName, unstorableNameMessage("The experiment name"));

export const abResultsInput = z.object({
  workspaceId,
  flowId,
  experiment: experiment.optional(),
  /** The level of the difference's confidence interval; a variant is significant when p < 1 − confidence. */
  confidence: z.number().min(0.8, "pick a confidence from 0.8 to 0.999").max(0.999, "pick a confidence from 0.8 to 0.999").default(0.95),
});
export const abOverviewInput = abResultsInput.pick({ workspaceId: true, confidence: true });
export const abConvertInput = z.object({
  workspaceId,
  flowId,
  experiment,
  keys: z.array(z.string().trim().min(1, "a key cannot be empty").max(512).refine(storableName, unstorableNameMessage("A key"))).min(1, "send at least one key").max(1000, "send at most 1000 keys at a time"),
});
export const abResetInput = z.object({ workspaceId, flowId, experiment });
