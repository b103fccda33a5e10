import { auditLogService } from "../services/audit-log-service";
import { instanceAdminService } from "../services/instance-admin-service";
import { ssoService } from "../services/sso-service";
import { instanceProcedure, router } from "../trpc";
import {
  adminWorkspaceInput,
  deleteUserInput,
  deletionPlanInput,
  domainClaimInput,
  instanceAuditFilterInput,
  listDomainClaimsInput,
  listInstanceAuditInput,
  listUsersInput,
  listWorkspacesInput,
  setAdminInput,
  setDisabledInput,
} from "./admin.schema";

/** Instance administration: every procedure here is an `instanceProcedure`. */
export const adminRouter = router({
  users: instanceProcedure.input(listUsersInput).query(({ ctx, input }) => instanceAdminService.listUsers({ db: ctx.db, ...input })),
  workspaces: instanceProcedure.input(listWorkspacesInput).query(({ ctx, input }) => instanceAdminService.listWorkspaces({ db: ctx.db, ...input })),
  workspace: instanceProcedure.input(adminWorkspaceInput).query(({ ctx, input }) => instanceAdminService.workspace({ db: ctx.db, workspaceId: input.id })),
  setDisabled: instanceProcedure.input(setDisabledInput).mutation(({ ctx, input }) => instanceAdminService.setDisabled({ db: ctx.db, actorId: ctx.user.id, ...input })),
  setAdmin: instanceProcedure.input(setAdminInput).mutation(({ ctx, input }) => instanceAdminService.setAdmin({ db: ctx.db, actorId: ctx.user.id, ...input })),
  deletionPlan: instanceProcedure.input(deletionPlanInput).query(({ ctx, input }) => instanceAdminService.deletionPlan({ db: ctx.db, ...input })),
  /** Deletes a user after their workspaces are handed over or deleted (runs cancelled and triggers stopped first). */
  deleteUser: instanceProcedure
    .input(deleteUserInput)
    .mutation(({ ctx, input }) => instanceAdminService.deleteUser({ db: ctx.db, actorId: ctx.user.id, runs: ctx.runtime, ...input })),
  /** Email domains claimed for workspaces' single sign-on, and whether an administrator has verified each. */
  domainClaims: instanceProcedure.input(listDomainClaimsInput).query(({ ctx, input }) => ssoService.listClaims({ db: ctx.db, ...input })),
  domainVerify: instanceProcedure.input(domainClaimInput).mutation(({ ctx, input }) => ssoService.decideClaim({ db: ctx.db, actorId: ctx.user.id, ...input, decision: "verify" })),
  domainRevoke: instanceProcedure.input(domainClaimInput).mutation(({ ctx, input }) => ssoService.decideClaim({ db: ctx.db, actorId: ctx.user.id, ...input, decision: "revoke" })),
  domainReject: instanceProcedure.input(domainClaimInput).mutation(({ ctx, input }) => ssoService.decideClaim({ db: ctx.db, actorId: ctx.user.id, ...input, decision: "reject" })),
  /** The instance's own audit chain, newest first, a page at a time. */
  audit: instanceProcedure
    .input(listInstanceAuditInput)
    .query(({ ctx, input: { limit, cursor, ...filter } }) => auditLogService.list({ db: ctx.db, filter: { ...filter, workspaceId: null }, cursor, limit })),
  auditCsv: instanceProcedure
    .input(instanceAuditFilterInput)
    .query(({ ctx, input }) => auditLogService.exportCsv({ db: ctx.db, filter: { ...input, workspaceId: null } })),
});
