import { z } from "zod";

const workspaceId = z.string().min(1).max(64);

export const listTemplatesInput = z.object({ workspaceId });
export const createFromTemplateInput = z.object({ workspaceId, templateId: z.string().trim().min(1, "Pick a template").max(100) });
