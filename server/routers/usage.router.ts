import { usageService } from "../services/usage-service";
import { router, workspaceProcedure } from "../trpc";
import { usageSummaryInput } from "./usage.schema";

export const usageRouter = router({
  /** Tokens the workspace's LLM calls used, in all, per provider and model, and per day. */
  summary: workspaceProcedure("workspace.read").input(usageSummaryInput).query(({ ctx, input }) => usageService.summary({ db: ctx.db, ...input })),
});
