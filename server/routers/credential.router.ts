import { credentialService } from "../services/credential-service";
import { protectedProcedure, router } from "../trpc";
import { createCredentialInput, credentialRefInput, listCredentialsInput, testCredentialInput, updateCredentialInput } from "./credential.schema";

export const credentialRouter = router({
  list: protectedProcedure
    .input(listCredentialsInput)
    .query(({ ctx, input }) => credentialService.list({ db: ctx.db, box: ctx.secretBox(), userId: ctx.user.id, workspaceId: input.workspaceId })),
  create: protectedProcedure
    .input(createCredentialInput)
    .mutation(({ ctx, input }) => credentialService.create({ db: ctx.db, box: ctx.secretBox(), userId: ctx.user.id, ...input })),
  update: protectedProcedure
    .input(updateCredentialInput)
    .mutation(({ ctx, input }) => credentialService.update({ db: ctx.db, box: ctx.secretBox(), userId: ctx.user.id, ...input })),
  /** Tries a saved or unsaved credential against its service; `{ ok, message }`. */
  test: protectedProcedure
    .input(testCredentialInput)
    .mutation(({ ctx, input }) => credentialService.test({ db: ctx.db, box: ctx.secretBox(), userId: ctx.user.id, ...input })),
  delete: protectedProcedure
    .input(credentialRefInput)
    .mutation(({ ctx, input }) => credentialService.delete({ db: ctx.db, userId: ctx.user.id, ...input })),
});
