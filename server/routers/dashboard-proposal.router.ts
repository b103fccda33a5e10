import { dashboardProposalService } from "../services/dashboard-proposal-service";
import { router, workspaceProcedure } from "../trpc";
import { createFromProposalsInput, llmLayoutInput, proposeWidgetsInput } from "./dashboard-proposal.schema";

export const dashboardProposalRouter = router({
  /** Widgets for a dashboard, proposed by the shape of what the flow's latest successful runs sent out, each with its reason. */
  propose: workspaceProcedure("workspace.read").input(proposeWidgetsInput).query(({ ctx, input }) => dashboardProposalService.propose({ db: ctx.db, ...input })),
  /** A dashboard of the widgets kept, with publish nodes added to the flow for the series they show. */
  create: workspaceProcedure("dashboard.edit")
    .input(createFromProposalsInput)
    .mutation(async ({ ctx, input }) => {
      const created = await dashboardProposalService.create({ db: ctx.db, userId: ctx.user.id, ...input });
      if (created.feed.where === "live") await ctx.runtime().triggersChanged(input.flowId);
      return created;
    }),
  /** Widgets chosen and ordered by the model of a workspace's LLM credential, from a description and the proposals. */
  layout: workspaceProcedure("dashboard.edit")
    .input(llmLayoutInput)
    .mutation(({ ctx, input }) => dashboardProposalService.layout({ db: ctx.db, box: ctx.secretBox(), openHttp: ctx.connectionTestHttp, ...input })),
});
