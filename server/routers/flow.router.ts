import { flowService } from "../services/flow-service";
import { protectedProcedure, router } from "../trpc";
import {
  createFlowInput,
  flowRefInput,
  getVersionInput,
  listFlowsInput,
  renameFlowInput,
  saveDraftInput,
  saveVersionInput,
} from "./flow.schema";

export const flowRouter = router({
  list: protectedProcedure
    .input(listFlowsInput)
    .query(({ ctx, input }) => flowService.list({ db: ctx.db, userId: ctx.user.id, workspaceId: input.workspaceId })),
  get: protectedProcedure.input(flowRefInput).query(({ ctx, input }) => flowService.get({ db: ctx.db, userId: ctx.user.id, ...input })),
  create: protectedProcedure
    .input(createFlowInput)
    .mutation(({ ctx, input }) => flowService.create({ db: ctx.db, userId: ctx.user.id, ...input })),
  rename: protectedProcedure
    .input(renameFlowInput)
    .mutation(({ ctx, input }) => flowService.rename({ db: ctx.db, userId: ctx.user.id, ...input })),
  delete: protectedProcedure
    .input(flowRefInput)
    .mutation(({ ctx, input }) => flowService.delete({ db: ctx.db, userId: ctx.user.id, ...input })),
  saveDraft: protectedProcedure
    .input(saveDraftInput)
    .mutation(({ ctx, input }) => flowService.saveDraft({ db: ctx.db, userId: ctx.user.id, ...input })),
  saveVersion: protectedProcedure
    .input(saveVersionInput)
    .mutation(({ ctx, input }) => flowService.saveVersion({ db: ctx.db, userId: ctx.user.id, ...input })),
  versions: protectedProcedure
    .input(flowRefInput)
    .query(({ ctx, input }) => flowService.listVersions({ db: ctx.db, userId: ctx.user.id, ...input })),
  version: protectedProcedure
    .input(getVersionInput)
    .query(({ ctx, input }) => flowService.getVersion({ db: ctx.db, userId: ctx.user.id, ...input })),
});
