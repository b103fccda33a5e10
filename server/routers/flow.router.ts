import { activationService } from "../services/activation-service";
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
  validateFlowInput,
} from "./flow.schema";
import { activateInput } from "./run.schema";

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
  /** The document's problems with the node and config field of each; stores nothing (a mutation so the document travels in the body). */
  validate: protectedProcedure
    .input(validateFlowInput)
    .mutation(({ ctx, input }) => flowService.validate({ db: ctx.db, userId: ctx.user.id, ...input })),
  saveVersion: protectedProcedure
    .input(saveVersionInput)
    .mutation(({ ctx, input }) => flowService.saveVersion({ db: ctx.db, userId: ctx.user.id, ...input })),
  versions: protectedProcedure
    .input(flowRefInput)
    .query(({ ctx, input }) => flowService.listVersions({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** Makes a saved version (the latest by default) the one webhooks and schedules run. */
  activate: protectedProcedure.input(activateInput).mutation(async ({ ctx, input }) => {
    const result = await activationService.activate({ db: ctx.db, userId: ctx.user.id, ...input });
    await ctx.runtime().triggersChanged(input.flowId);
    return result;
  }),
  deactivate: protectedProcedure.input(flowRefInput).mutation(async ({ ctx, input }) => {
    const result = await activationService.deactivate({ db: ctx.db, userId: ctx.user.id, ...input });
    await ctx.runtime().triggersChanged(input.flowId);
    return result;
  }),
  /** The flow as a document to move to another instance: credential references by name, no secrets. */
  export: protectedProcedure.input(flowRefInput).query(({ ctx, input }) => flowService.export({ db: ctx.db, userId: ctx.user.id, ...input })),
  version: protectedProcedure
    .input(getVersionInput)
    .query(({ ctx, input }) => flowService.getVersion({ db: ctx.db, userId: ctx.user.id, ...input })),
});
