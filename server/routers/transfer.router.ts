import { transferService } from "../services/transfer-service";
import { router, workspaceProcedure } from "../trpc";
import { applyImportInput, exportFlowInput, exportWorkspaceInput, previewImportInput } from "./transfer.schema";

/**
 * Import and export for the editor. A preview names each flow of the file by a `key` (a bundle flow's id where it
 * was exported, a Node-RED importer's key, `n8n-<n>` for the n-th n8n workflow, `flow` for a single flow); the
 * editor sends a resolution per conflicting key back with the same text to `applyImport`.
 */
export const transferRouter = router({
  /** A flow's draft, or one of its versions, as a file to download: `{ fileName, text }`; never a secret. */
  exportFlow: workspaceProcedure("workspace.read")
    .input(exportFlowInput)
    .query(({ ctx, input }) => transferService.exportFlow({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** Every flow of the workspace as a `streamware.workspace/1` bundle, with every version when asked. */
  exportWorkspace: workspaceProcedure("workspace.read")
    .input(exportWorkspaceInput)
    .query(({ ctx, input }) => transferService.exportWorkspace({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** What importing the text would do here, and every problem with it; writes nothing (a mutation for the body). */
  preview: workspaceProcedure("flow.edit")
    .input(previewImportInput)
    .mutation(({ ctx, input }) => transferService.preview({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** Imports the text in one transaction, with a resolution per conflicting flow; triggers reload after it commits. */
  // Not "apply": tRPC reserves apply, call and then as procedure names (its client is a proxy of functions).
  applyImport: workspaceProcedure("flow.edit")
    .input(applyImportInput)
    .mutation(async ({ ctx, input }) => {
      const { flows, report, credentialsMissing, triggersChanged } = await transferService.apply({ db: ctx.db, userId: ctx.user.id, ...input });
      if (triggersChanged.length) {
        const runtime = ctx.runtime();
        for (const flowId of triggersChanged) await runtime.triggersChanged(flowId);
      }
      return { flows, report, credentialsMissing };
    }),
});
