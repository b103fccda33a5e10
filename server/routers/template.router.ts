import { templateService } from "../services/template-service";
import { router, workspaceProcedure } from "../trpc";
import { createFromTemplateInput, listTemplatesInput } from "./template.schema";

export const templateRouter = router({
  /** The gallery: every template with its category, node types and the credentials it refers to. */
  list: workspaceProcedure("workspace.read")
    .input(listTemplatesInput)
    .query(() => templateService.list()),
  /** A new inactive flow from the template, through the import path; lists the credentials still to create. */
  create: workspaceProcedure("flow.edit")
    .input(createFromTemplateInput)
    .mutation(({ ctx, input }) =>
      templateService.create({ db: ctx.db, userId: ctx.user.id, ...input }),
    ),
});
