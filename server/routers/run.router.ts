import { expressionPreviewService } from "../services/expression-preview-service";
import { runService } from "../services/run-service";
import { protectedProcedure, router } from "../trpc";
import { listRunsInput, previewExpressionInput, runRefInput, startRunInput } from "./run.schema";

export const runRouter = router({
  /** Starts a manual run (of the draft or the active version); follow it at /api/runs/<id>/events. */
  start: protectedProcedure.input(startRunInput).mutation(async ({ ctx, input }) => {
    const spec = await runService.prepareManual({ db: ctx.db, userId: ctx.user.id, ...input });
    return { runId: await ctx.runtime().enqueue(spec) };
  }),
  list: protectedProcedure.input(listRunsInput).query(({ ctx, input }) => runService.list({ db: ctx.db, userId: ctx.user.id, ...input })),
  get: protectedProcedure.input(runRefInput).query(({ ctx, input }) => runService.get({ db: ctx.db, userId: ctx.user.id, ...input })),
  cancel: protectedProcedure.input(runRefInput).mutation(async ({ ctx, input }) => {
    await runService.requireRun({ db: ctx.db, userId: ctx.user.id, min: "editor", ...input });
    await ctx.runtime().cancel(input.runId);
    return { runId: input.runId };
  }),
  /** A config field's value as a node would see it, evaluated against that node's input in a run (read-only). */
  previewExpression: protectedProcedure
    .input(previewExpressionInput)
    .query(({ ctx, input }) => expressionPreviewService.preview({ db: ctx.db, userId: ctx.user.id, ...input, evaluator: ctx.runtime().expressions })),
});
