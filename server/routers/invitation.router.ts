import { invitationService } from "../services/invitation-service";
import { protectedProcedure, publicProcedure, router, workspaceProcedure } from "../trpc";
import { invitationRefInput, invitationsInput, inviteInput, resendInput, tokenInput } from "./invitation.schema";

export const invitationRouter = router({
  /** Invites an address with a role; answers with the link (shown once) and whether it was mailed. */
  create: workspaceProcedure("member.manage")
    .input(inviteInput)
    .mutation(({ ctx, input }) => invitationService.invite({ db: ctx.db, userId: ctx.user.id, actorRole: ctx.workspace.role, settings: ctx.invitations(), ...input })),
  list: workspaceProcedure("member.manage")
    .input(invitationsInput)
    .query(({ ctx, input }) => invitationService.listPending({ db: ctx.db, workspaceId: input.workspaceId })),
  resend: workspaceProcedure("member.manage")
    .input(resendInput)
    .mutation(({ ctx, input }) => invitationService.resend({ db: ctx.db, userId: ctx.user.id, settings: ctx.invitations(), ...input })),
  revoke: workspaceProcedure("member.manage")
    .input(invitationRefInput)
    .mutation(({ ctx, input }) => invitationService.revoke({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** What an invitation link leads to; the link itself is the key, so this needs no sign-in. */
  view: publicProcedure.input(tokenInput).query(({ ctx, input }) => invitationService.view({ db: ctx.db, token: input.token })),
  accept: protectedProcedure.input(tokenInput).mutation(({ ctx, input }) => invitationService.accept({ db: ctx.db, user: ctx.user, token: input.token })),
});
