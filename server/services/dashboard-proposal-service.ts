import type { Db } from "../db";
import { proposeWidgets } from "../../nodes/_core/dashboard-proposals";
import { runService } from "./run-service";

/** Widgets proposed for a dashboard from what a flow's latest successful runs sent out. */
export const dashboardProposalService = {
  /** `runs` is how many of the flow's latest successful runs were read: none means the flow has to run first. */
  async propose({ db, workspaceId, flowId, runs }: { db: Db; workspaceId: string; flowId: string; runs: number }) {
    const recent = await runService.recentStepOutputs({ db, workspaceId, flowId, runs });
    return { runs: recent.runs, proposals: proposeWidgets({ flowId, samples: recent.samples }) };
  },
};
