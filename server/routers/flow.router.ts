import { activationService } from "../services/activation-service";
import { flowService } from "../services/flow-service";
import { router, workspaceProcedure } from "../trpc";
import {
  createFlowInput,
  flowRefInput,
  getVersionInput,
  listFlowsInput,
  renameFlowInput,
  saveDraftInput,
  saveVersionInput,
  setTagsInput,
  validateFlowInput,
} from "./flow.schema";
import { activateInput } from "./run.schema";

export const flowRouter = router({
  list: workspaceProcedure("workspace.read")
    .input(listFlowsInput)
    .query(({ ctx, input }) => flowService.list({ db: ctx.db, userId: ctx.user.id, workspaceId: input.workspaceId })),
  get: workspaceProcedure("workspace.read").input(flowRefInput).query(({ ctx, input }) => flowService.get({ db: ctx.db, userId: ctx.user.id, ...input })),
  create: workspaceProcedure("flow.edit")
    .input(createFlowInput)
    .mutation(({ ctx, input }) => flowService.create({ db: ctx.db, userId: ctx.user.id, ...input })),
  rename: workspaceProcedure("flow.edit")
    .input(renameFlowInput)
    .mutation(({ ctx, input }) => flowService.rename({ db: ctx.db, userId: ctx.user.id, ...input })),
  setTags: workspaceProcedure("flow.edit")
    .input(setTagsInput)
    .mutation(({ ctx, input }) => flowService.setTags({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** A new, inactive copy of the flow's draft, with webhook paths of its own. */
  duplicate: workspaceProcedure("flow.edit")
    .input(flowRefInput)
    .mutation(({ ctx, input }) => flowService.duplicate({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** Deletes a flow; an active one's webhooks, schedules and listeners stop at once, here and in every other process. */
  delete: workspaceProcedure("flow.edit")
    .input(flowRefInput)
    .mutation(async ({ ctx, input }) => {
      const deleted = await flowService.delete({ db: ctx.db, userId: ctx.user.id, ...input });
      if (deleted.wasActive) await ctx.runtime().triggersChanged(input.flowId);
      return { id: deleted.id };
    }),
  saveDraft: workspaceProcedure("flow.edit")
    .input(saveDraftInput)
    .mutation(({ ctx, input }) => flowService.saveDraft({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** The document's problems with the node and config field of each; stores nothing (a mutation so the document travels in the body). */
  validate: workspaceProcedure("workspace.read")
    .input(validateFlowInput)
    .mutation(({ ctx, input }) => flowService.validate({ db: ctx.db, userId: ctx.user.id, ...input })),
  saveVersion: workspaceProcedure("flow.edit")
    .input(saveVersionInput)
    .mutation(({ ctx, input }) => flowService.saveVersion({ db: ctx.db, userId: ctx.user.id, ...input })),
  versions: workspaceProcedure("workspace.read")
    .input(flowRefInput)
    .query(({ ctx, input }) => flowService.listVersions({ db: ctx.db, userId: ctx.user.id, ...input })),
  /**
   * Makes a saved version live: the one webhooks, schedules and listeners run (the latest when none is named).
   * Saving a version never changes which one is live; rolling back is activating an earlier one.
   */
  activate: workspaceProcedure("flow.activate").input(activateInput).mutation(async ({ ctx, input }) => {
    const result = await activationService.activate({ db: ctx.db, userId: ctx.user.id, ...input });
    await ctx.runtime().triggersChanged(input.flowId);
    return result;
  }),
  deactivate: workspaceProcedure("flow.activate").input(flowRefInput).mutation(async ({ ctx, input }) => {
    const result = await activationService.deactivate({ db: ctx.db, userId: ctx.user.id, ...input });
    await ctx.runtime().triggersChanged(input.flowId);
    return result;
  }),
  /** The flow as a document to move to another instance: credential references by name, no secrets. */
  export: workspaceProcedure("workspace.read").input(flowRefInput).query(({ ctx, input }) => flowService.export({ db: ctx.db, userId: ctx.user.id, ...input })),
  version: workspaceProcedure("workspace.read")
    .input(getVersionInput)
    .query(({ ctx, input }) => flowService.getVersion({ db: ctx.db, userId: ctx.user.id, ...input })),
});
