import { samlService } from "../services/saml-service";
import { ssoService } from "../services/sso-service";
import { publicProcedure, router, workspaceProcedure } from "../trpc";
import { routeInput, saveInput, ssoRefInput } from "./sso.schema";

export const ssoRouter = router({
  /** The workspace's connection (never its client secret), or null. */
  get: workspaceProcedure("sso.manage")
    .input(ssoRefInput)
    .query(({ ctx, input }) => ssoService.get({ db: ctx.db, workspaceId: input.workspaceId })),
  save: workspaceProcedure("sso.manage")
    .input(saveInput)
    .mutation(async ({ ctx, input }) => {
      const http = ctx.connectionTestHttp();
      try {
        const { settings, workspaceId } = input;
        return settings.protocol === "saml"
          ? await samlService.save({ db: ctx.db, http, actor: ctx.user, workspaceId, settings })
          : await ssoService.saveOidc({ db: ctx.db, box: ctx.secretBox(), http, actor: ctx.user, workspaceId, settings });
      } finally {
        await http.close();
      }
    }),
  delete: workspaceProcedure("sso.manage")
    .input(ssoRefInput)
    .mutation(({ ctx, input }) => ssoService.delete({ db: ctx.db, actor: ctx.user, workspaceId: input.workspaceId })),
  /**
   * Where "Continue with SSO" sends a person: the sign-in of the workspace that claims their email's domain. Open
   * to anyone, as the sign-in page is; it says only whether a domain has single sign-on here, never whose it is.
   */
  route: publicProcedure.input(routeInput).query(({ ctx, input }) => ssoService.routeForEmail({ db: ctx.db, email: input.email })),
});
