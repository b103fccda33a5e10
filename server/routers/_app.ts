import { router } from "../trpc";
import { abTestRouter } from "./ab-test.router";
import { adminRouter } from "./admin.router";
import { apiKeyRouter } from "./api-key.router";
import { auditRouter } from "./audit.router";
import { credentialRouter } from "./credential.router";
import { dashboardRouter } from "./dashboard.router";
import { dashboardProposalRouter } from "./dashboard-proposal.router";
import { dashboardShareRouter } from "./dashboard-share.router";
import { flowRouter } from "./flow.router";
import { invitationRouter } from "./invitation.router";
import { nodeCatalogRouter } from "./node-catalog.router";
import { runRouter } from "./run.router";
import { ssoRouter } from "./sso.router";
import { templateRouter } from "./template.router";
import { transferRouter } from "./transfer.router";
import { usageRouter } from "./usage.router";
import { userRouter } from "./user.router";
import { webhookTestRouter } from "./webhook-test.router";
import { workspaceRouter } from "./workspace.router";

export const appRouter = router({
  user: userRouter,
  workspace: workspaceRouter,
  flow: flowRouter,
  credential: credentialRouter,
  nodeCatalog: nodeCatalogRouter,
  run: runRouter,
  usage: usageRouter,
  abTest: abTestRouter,
  audit: auditRouter,
  invitation: invitationRouter,
  admin: adminRouter,
  webhookTest: webhookTestRouter,
  sso: ssoRouter,
  apiKey: apiKeyRouter,
  template: templateRouter,
  transfer: transferRouter,
  dashboard: dashboardRouter,
  dashboardProposal: dashboardProposalRouter,
  dashboardShare: dashboardShareRouter,
});

export type AppRouter = typeof appRouter;
