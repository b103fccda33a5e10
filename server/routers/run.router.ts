import { expressionPreviewService } from "../services/expression-preview-service";
import { runService } from "../services/run-service";
import { router, workspaceProcedure } from "../trpc";
import { runActionsService } from "../services/run-actions-service";
import { deleteRunsInput, lastTriggerInputInput, listRunsInput, previewExpressionInput, retryRunInput, runRefInput, startRunInput, workspaceOnlyInput } from "./run.schema";

export const runRouter = router({
  /** Starts a manual run (of the draft or the active version); follow it at /api/runs/<id>/events. */
  start: workspaceProcedure("run.control").input(startRunInput).mutation(async ({ ctx, input }) => {
    const spec = await runService.prepareManual({ db: ctx.db, userId: ctx.user.id, ...input });
    const runId = await ctx.runtime().enqueue(spec);
    await runService.audit({ db: ctx.db, userId: ctx.user.id, workspaceId: input.workspaceId, runId, action: "run.start", data: { flowId: input.flowId, source: input.source } });
    return { runId };
  }),
  list: workspaceProcedure("workspace.read").input(listRunsInput).query(({ ctx, input }) => runService.list({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** What the flow's trigger last received from outside, for the Run dialog to start from; null when nothing yet. */
  lastTriggerInput: workspaceProcedure("workspace.read")
    .input(lastTriggerInputInput)
    .query(({ ctx, input }) => runService.lastTriggerInput({ db: ctx.db, userId: ctx.user.id, ...input })),
  get: workspaceProcedure("workspace.read").input(runRefInput).query(({ ctx, input }) => runService.get({ db: ctx.db, userId: ctx.user.id, ...input })),
  cancel: workspaceProcedure("run.control").input(runRefInput).mutation(async ({ ctx, input }) => {
    await runService.requireRun({ db: ctx.db, ...input });
    await ctx.runtime().cancel(input.runId);
    await runService.audit({ db: ctx.db, userId: ctx.user.id, workspaceId: input.workspaceId, runId: input.runId, action: "run.cancel" });
    return { runId: input.runId };
  }),
  /** Runs a finished run again, from its start or (a failed run) from the node that failed; follow the new run. */
  retry: workspaceProcedure("run.control").input(retryRunInput).mutation(async ({ ctx, input }) => {
    const scope = { db: ctx.db, userId: ctx.user.id, workspaceId: input.workspaceId, runId: input.runId };
    if (input.from === "start") return { runId: await ctx.runtime().enqueue(await runActionsService.retryFromStart(scope)) };
    const runId = await runActionsService.retryFromFailed(scope);
    await ctx.runtime().dispatcher.enqueue({ runId, workspaceId: input.workspaceId });
    return { runId };
  }),
  /** Deletes finished runs: the ones selected, or all that match a filter. */
  delete: workspaceProcedure("run.delete").input(deleteRunsInput).mutation(({ ctx, input }) => runActionsService.delete({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** The triggers the workspace's runs came from (for filtering). */
  triggers: workspaceProcedure("workspace.read").input(workspaceOnlyInput).query(({ ctx, input }) => runActionsService.triggers({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** A config field's value as a node would see it, evaluated against that node's input in a run (read-only). */
  previewExpression: workspaceProcedure("workspace.read")
    .input(previewExpressionInput)
    .query(({ ctx, input }) => expressionPreviewService.preview({ db: ctx.db, ...input, evaluator: ctx.runtime().expressions })),
});
