import { dashboardProposalService } from "../services/dashboard-proposal-service";
import { router, workspaceProcedure } from "../trpc";
import { proposeWidgetsInput } from "./dashboard-proposal.schema";

export const dashboardProposalRouter = router({
  /** Widgets for a dashboard, proposed by the shape of what the flow's latest successful runs sent out, each with its reason. */
  propose: workspaceProcedure("workspace.read").input(proposeWidgetsInput).query(({ ctx, input }) => dashboardProposalService.propose({ db: ctx.db, ...input })),
});
