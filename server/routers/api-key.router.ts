import { apiKeyService } from "../services/api-key-service";
import { router, workspaceProcedure } from "../trpc";
import { apiKeyRefInput, createApiKeyInput, listApiKeysInput } from "./api-key.schema";

export const apiKeyRouter = router({
  list: workspaceProcedure("apiKey.manage").input(listApiKeysInput).query(({ ctx, input }) => apiKeyService.list({ db: ctx.db, workspaceId: input.workspaceId })),
  /** Makes a key for the REST API; the answer holds its secret, which is never shown again. */
  create: workspaceProcedure("apiKey.manage")
    .input(createApiKeyInput)
    .mutation(({ ctx, input }) => apiKeyService.create({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** Revokes a key: it is refused at once by this process, and by every other within the REST API's key cache time. */
  revoke: workspaceProcedure("apiKey.manage").input(apiKeyRefInput).mutation(({ ctx, input }) => apiKeyService.revoke({ db: ctx.db, userId: ctx.user.id, ...input })),
});
