import { seriesService } from "../services/series-service";
import { workspaceService } from "../services/workspace-service";
import { protectedProcedure, router, workspaceProcedure } from "../trpc";
import {
  bySlugInput,
  createWorkspaceInput,
  membersInput,
  removeMemberInput,
  renameWorkspaceInput,
  seriesRetentionInput,
  setRoleInput,
  setSeriesRetentionInput,
  transferOwnershipInput,
  deleteWorkspaceInput,
} from "./workspace.schema";

export const workspaceRouter = router({
  list: protectedProcedure.query(({ ctx }) => workspaceService.listForUser({ db: ctx.db, userId: ctx.user.id })),
  bySlug: protectedProcedure
    .input(bySlugInput)
    .query(({ ctx, input }) => workspaceService.getBySlug({ db: ctx.db, userId: ctx.user.id, slug: input.slug })),
  create: protectedProcedure
    .input(createWorkspaceInput)
    .mutation(({ ctx, input }) => workspaceService.create({ db: ctx.db, userId: ctx.user.id, name: input.name })),
  rename: workspaceProcedure("workspace.manage")
    .input(renameWorkspaceInput)
    .mutation(({ ctx, input }) => workspaceService.rename({ db: ctx.db, userId: ctx.user.id, ...input })),
  members: workspaceProcedure("workspace.read")
    .input(membersInput)
    .query(({ ctx, input }) => workspaceService.listMembers({ db: ctx.db, workspaceId: input.workspaceId })),
  setRole: workspaceProcedure("member.manage")
    .input(setRoleInput)
    .mutation(({ ctx, input }) => workspaceService.setRole({ db: ctx.db, userId: ctx.user.id, actorRole: ctx.workspace.role, ...input })),
  /** Deletes the workspace once its name is typed: its runs are cancelled and its triggers stop first. */
  delete: workspaceProcedure("workspace.delete")
    .input(deleteWorkspaceInput)
    .mutation(({ ctx, input }) => workspaceService.delete({ db: ctx.db, userId: ctx.user.id, runs: ctx.runtime, ...input })),
  transferOwnership: workspaceProcedure("owner.manage")
    .input(transferOwnershipInput)
    .mutation(({ ctx, input }) => workspaceService.transferOwnership({ db: ctx.db, userId: ctx.user.id, actorRole: ctx.workspace.role, ...input })),
  /** How many days the workspace keeps its dashboards' series points. */
  seriesRetention: workspaceProcedure("workspace.read")
    .input(seriesRetentionInput)
    .query(({ ctx, input }) => seriesService.retention({ db: ctx.db, workspaceId: input.workspaceId })),
  setSeriesRetention: workspaceProcedure("workspace.manage")
    .input(setSeriesRetentionInput)
    .mutation(({ ctx, input }) => seriesService.setRetention({ db: ctx.db, userId: ctx.user.id, ...input })),
  removeMember: workspaceProcedure("membership.leave")
    .input(removeMemberInput)
    .mutation(({ ctx, input }) => workspaceService.removeMember({ db: ctx.db, userId: ctx.user.id, actorRole: ctx.workspace.role, ...input })),
});
