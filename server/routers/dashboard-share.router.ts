import { dashboardShareService } from "../services/dashboard-share-service";
import { shareSecret } from "../share-settings";
import { router, workspaceProcedure } from "../trpc";
import { brandingGetInput, brandingUpdateInput, shareCreateInput, shareEmbedInput, shareListInput, shareRevokeInput } from "./dashboard-share.schema";

export const dashboardShareRouter = router({
  /** The dashboard's share links (never their tokens) and the origins that may embed them. */
  list: workspaceProcedure("dashboard.edit").input(shareListInput).query(({ ctx, input }) => dashboardShareService.list({ db: ctx.db, ...input })),
  /** A new read-only link; its token is in this answer only. */
  create: workspaceProcedure("dashboard.edit")
    .input(shareCreateInput)
    .mutation(({ ctx, input }) =>
      dashboardShareService.create({ db: ctx.db, userId: ctx.user.id, ...input, expiresAt: input.expiresAt ? new Date(input.expiresAt) : undefined, secret: shareSecret() }),
    ),
  revoke: workspaceProcedure("dashboard.edit").input(shareRevokeInput).mutation(({ ctx, input }) => dashboardShareService.revoke({ db: ctx.db, userId: ctx.user.id, ...input })),
  setEmbedOrigins: workspaceProcedure("dashboard.edit").input(shareEmbedInput).mutation(({ ctx, input }) => dashboardShareService.setEmbedOrigins({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** How the workspace's shared dashboards look: display name, logo and accent colour. */
  branding: workspaceProcedure("workspace.read").input(brandingGetInput).query(({ ctx, input }) => dashboardShareService.branding({ db: ctx.db, ...input })),
  updateBranding: workspaceProcedure("workspace.manage").input(brandingUpdateInput).mutation(({ ctx, input }) => dashboardShareService.updateBranding({ db: ctx.db, userId: ctx.user.id, ...input })),
});
