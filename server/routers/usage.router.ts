import { usageService } from "../services/usage-service";
import { protectedProcedure, router } from "../trpc";
import { usageSummaryInput } from "./usage.schema";

export const usageRouter = router({
  /** Tokens the workspace's LLM calls used, in all, per provider and model, and per day. */
  summary: protectedProcedure.input(usageSummaryInput).query(({ ctx, input }) => usageService.summary({ db: ctx.db, userId: ctx.user.id, ...input })),
});
