import { z } from "zod";

export const webhookTestInput = z.object({ workspaceId: z.string().min(1).max(64), flowId: z.string().min(1).max(64) });
