import { z } from "zod";
import { auditFilterInput, listAuditInput } from "./audit.schema";

const id = z.string().min(1).max(64);
const search = z.string().trim().max(200).optional().transform((text) => text || undefined);
const page = z.number().int().min(1).max(100_000).default(1);
const pageSize = z.number().int().min(1).max(100).default(25);

export const listUsersInput = z.object({ search, page, pageSize });
export const listWorkspacesInput = z.object({ search, page, pageSize });
/** A workspace named by id; not `workspaceId`, which marks a procedure gated by membership of that workspace. */
export const adminWorkspaceInput = z.object({ id });
export const setDisabledInput = z.object({ userId: id, disabled: z.boolean() });
export const setAdminInput = z.object({ userId: id, admin: z.boolean() });
export const deletionPlanInput = z.object({ userId: id });
export const deleteUserInput = z.object({
  userId: id,
  confirmEmail: z.string().max(254),
  decisions: z
    .array(z.union([z.object({ workspaceId: id, handOverTo: id }), z.object({ workspaceId: id, deleteConfirmName: z.string().max(200) })]))
    .max(1000)
    .default([]),
});

/** The instance chain's filters: the workspace audit log's, with no workspace. */
export const instanceAuditFilterInput = auditFilterInput.omit({ workspaceId: true });
export const listInstanceAuditInput = listAuditInput.omit({ workspaceId: true });

export const listDomainClaimsInput = z.object({ search, page, pageSize });
/** A claim is named with its connection: a decision never lands on a claim made since the list was read. */
export const domainClaimInput = z.object({ domain: z.string().trim().toLowerCase().min(1).max(253), connectionId: id });
