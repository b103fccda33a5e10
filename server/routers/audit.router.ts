import { auditLogService } from "../services/audit-log-service";
import { router, workspaceProcedure } from "../trpc";
import { auditFilterInput, auditRetentionInput, listAuditInput } from "./audit.schema";

export const auditRouter = router({
  /** The workspace's audit events, newest first, a page at a time. */
  list: workspaceProcedure("audit.read")
    .input(listAuditInput)
    .query(({ ctx, input: { limit, cursor, ...filter } }) => auditLogService.list({ db: ctx.db, filter, cursor, limit })),
  /** The events the filter matches, as CSV. */
  exportCsv: workspaceProcedure("audit.read")
    .input(auditFilterInput)
    .query(({ ctx, input }) => auditLogService.exportCsv({ db: ctx.db, filter: input })),
  retention: workspaceProcedure("audit.read")
    .input(auditFilterInput.pick({ workspaceId: true }))
    .query(({ ctx, input }) => auditLogService.retention({ db: ctx.db, workspaceId: input.workspaceId })),
  setRetention: workspaceProcedure("workspace.manage")
    .input(auditRetentionInput)
    .mutation(({ ctx, input }) => auditLogService.setRetention({ db: ctx.db, userId: ctx.user.id, ...input })),
});
