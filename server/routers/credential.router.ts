import { credentialService } from "../services/credential-service";
import { router, workspaceProcedure } from "../trpc";
import { createCredentialInput, credentialRefInput, listCredentialsInput, testCredentialInput, updateCredentialInput } from "./credential.schema";

export const credentialRouter = router({
  list: workspaceProcedure("workspace.read")
    .input(listCredentialsInput)
    .query(({ ctx, input }) => credentialService.list({ db: ctx.db, box: ctx.secretBox(), userId: ctx.user.id, workspaceId: input.workspaceId })),
  create: workspaceProcedure("credential.edit")
    .input(createCredentialInput)
    .mutation(({ ctx, input }) => credentialService.create({ db: ctx.db, box: ctx.secretBox(), userId: ctx.user.id, ...input })),
  update: workspaceProcedure("credential.edit")
    .input(updateCredentialInput)
    .mutation(({ ctx, input }) => credentialService.update({ db: ctx.db, box: ctx.secretBox(), userId: ctx.user.id, ...input })),
  /** Tries a saved or unsaved credential against its service; `{ ok, message }`. */
  test: workspaceProcedure("credential.edit")
    .input(testCredentialInput)
    .mutation(({ ctx, input }) => credentialService.test({ db: ctx.db, box: ctx.secretBox(), openHttp: ctx.connectionTestHttp, userId: ctx.user.id, ...input })),
  delete: workspaceProcedure("credential.edit")
    .input(credentialRefInput)
    .mutation(({ ctx, input }) => credentialService.delete({ db: ctx.db, userId: ctx.user.id, ...input })),
});
