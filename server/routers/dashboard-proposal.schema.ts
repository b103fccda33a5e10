import { z } from "zod";
import { dashboardWidgetsSchema } from "../../nodes/_core/dashboard";
import { LLM_LAYOUT_LIMITS } from "../../nodes/_core/dashboard-llm-layout";

const workspaceId = z.string().min(1).max(64);
const flowId = z.string().min(1).max(64);
/** How many of the flow's latest successful runs to read. */
const runs = z.number().int().min(1, "read at least one run").max(20, "read at most 20 runs").default(5);

export const proposeWidgetsInput = z.object({ workspaceId, flowId, runs });

export const createFromProposalsInput = z.object({
  workspaceId,
  flowId,
  runs,
  name: z.string().trim().min(1, "Name the dashboard").max(100, "Keep a dashboard name under 100 characters"),
  widgets: dashboardWidgetsSchema.refine((widgets) => widgets.length > 0, "Keep at least one widget"),
});

export const llmLayoutInput = z.object({
  workspaceId,
  flowId,
  runs,
  credentialId: z.string().min(1, "Pick an LLM credential").max(64),
  model: z.string().trim().min(1, "Name a model, such as gpt-4o-mini or llama3.2").max(200, "Keep the model name under 200 characters"),
  description: z
    .string()
    .trim()
    .min(1, "Describe the dashboard you want")
    .max(LLM_LAYOUT_LIMITS.description, `Keep the description under ${LLM_LAYOUT_LIMITS.description} characters`),
});
