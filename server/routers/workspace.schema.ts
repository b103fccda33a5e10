import { z } from "zod";
import { seriesRetentionDays } from "../../nodes/_core/dashboard";
import { storableName, unstorableNameMessage } from "../../nodes/_core/json-check";
import { roles } from "../services/workspace-roles";

export const workspaceName = z.string().trim().min(1, "Give the workspace a name").max(80, "Keep the name under 80 characters")
  .refine(storableName, unstorableNameMessage("Name"));
export const workspaceId = z.string().min(1).max(64);

export const bySlugInput = z.object({ slug: z.string().min(1).max(64) });
export const createWorkspaceInput = z.object({ name: workspaceName });
export const renameWorkspaceInput = z.object({ workspaceId, name: workspaceName });
export const membersInput = z.object({ workspaceId });
const memberId = z.string().min(1).max(64);
export const setRoleInput = z.object({ workspaceId, memberId, role: z.enum(roles, { error: `Choose a role: ${roles.join(", ")}` }) });
export const transferOwnershipInput = z.object({ workspaceId, memberId });
export const deleteWorkspaceInput = z.object({ workspaceId, confirmName: z.string().max(200) });
export const removeMemberInput = z.object({ workspaceId, memberId });
export const seriesRetentionInput = z.object({ workspaceId });
export const setSeriesRetentionInput = z.object({ workspaceId, days: seriesRetentionDays });
