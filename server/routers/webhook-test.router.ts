import { webhookTestService } from "../services/webhook-test-service";
import { router, workspaceProcedure } from "../trpc";
import { webhookTestInput } from "./webhook-test.schema";

export const webhookTestRouter = router({
  /** Listens for one call to the test URLs of the draft's webhooks (`/hooks-test/<workspace>/<path>`) for two minutes. */
  listen: workspaceProcedure("run.control").input(webhookTestInput).mutation(({ ctx, input }) => webhookTestService.listen({ db: ctx.db, userId: ctx.user.id, ...input })),
  stop: workspaceProcedure("run.control").input(webhookTestInput).mutation(({ ctx, input }) => webhookTestService.stop({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** Whether the flow listens, and the run a test call started. */
  state: workspaceProcedure("workspace.read").input(webhookTestInput).query(({ ctx, input }) => webhookTestService.state({ db: ctx.db, userId: ctx.user.id, ...input })),
});
