import { abTestService } from "../services/ab-test-service";
import { router, workspaceProcedure } from "../trpc";
import { abConvertInput, abOverviewInput, abResetInput, abResultsInput } from "./ab-test.schema";

export const abTestRouter = router({
  /** Exposures, conversions, rates and each variant against the control (z-test, p-value, interval). */
  results: workspaceProcedure("workspace.read").input(abResultsInput).query(({ ctx, input }) => abTestService.results({ db: ctx.db, ...input })),
  /** Every experiment of the workspace with its flow, analysed as `results` does. */
  overview: workspaceProcedure("workspace.read").input(abOverviewInput).query(({ ctx, input }) => abTestService.overview({ db: ctx.db, ...input })),
  /** Conversions recorded from outside a flow; each key counts once per experiment. */
  convert: workspaceProcedure("abTest.edit").input(abConvertInput).mutation(({ ctx, input }) => abTestService.convert({ db: ctx.db, userId: ctx.user.id, ...input })),
  reset: workspaceProcedure("abTest.edit").input(abResetInput).mutation(({ ctx, input }) => abTestService.reset({ db: ctx.db, userId: ctx.user.id, ...input })),
});
