import type { Db } from "../db";
import { PROPOSAL_LIMITS, proposeWidgets } from "../../nodes/_core/dashboard-proposals";
import { runService } from "./run-service";

/** Widgets proposed for a dashboard from what a flow's latest successful runs sent out. */
export const dashboardProposalService = {
  /** `runs` is how many of the flow's latest successful runs were read: none means the flow has to run first. */
  async propose({ db, workspaceId, flowId, runs }: { db: Db; workspaceId: string; flowId: string; runs: number }) {
    // Steps beyond the nodes proposals look at would be read for nothing.
    const recent = await runService.recentStepOutputs({ db, workspaceId, flowId, runs, stepsPerRun: PROPOSAL_LIMITS.nodes });
    return { runs: recent.runs, proposals: proposeWidgets({ flowId, samples: recent.samples }) };
  },
};
