import { z } from "zod";
import { flowTags } from "../../nodes/_core/flow-tags";
import { storableName, unstorableNameMessage, unstorableText } from "../../nodes/_core/json-check";

const workspaceId = z.string().min(1).max(64);
const flowId = z.string().min(1).max(64);
export const flowName = z
  .string()
  .trim()
  .min(1, "Give the flow a name")
  .max(120, "Keep the name under 120 characters")
  .refine(storableName, unstorableNameMessage("Name"));

export const listFlowsInput = z.object({ workspaceId });
export const flowRefInput = z.object({ workspaceId, flowId });
// The document is checked by the flow document schema in the service, which reports each problem's path.
export const createFlowInput = z.object({ workspaceId, name: flowName, document: z.unknown().optional() });
export const renameFlowInput = z.object({ workspaceId, flowId, name: flowName });
export const setTagsInput = z.object({ workspaceId, flowId, tags: flowTags });
export const saveDraftInput = z.object({ workspaceId, flowId, document: z.unknown() });
export const validateFlowInput = z.object({ workspaceId, flowId, document: z.unknown() });
export const saveVersionInput = z.object({
  workspaceId,
  flowId,
  document: z.unknown(),
  message: z
    .string()
    .trim()
    .max(500, "Keep the message under 500 characters")
    .refine((text) => unstorableText(text) === null, "The message cannot contain NUL characters or broken Unicode; remove them")
    .default(""),
});
export const getVersionInput = z.object({ workspaceId, flowId, number: z.number().int().min(1) });
