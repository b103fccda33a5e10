import type { Db } from "../db";
import { templates, templateText, type TemplateCredential, type TemplateSummary } from "../../nodes/_core/templates";
import { transferService } from "./transfer-service";
import { ServiceError } from "./service-error";
import { workspaceService } from "./workspace-service";

interface Scope {
  db: Db;
  userId: string;
  workspaceId: string;
}

export interface TemplateCreated {
  flowId: string;
  /** The template's credentials this workspace has no credential of that name and type for: to be created before it runs. */
  missingCredentials: TemplateCredential[];
}

/**
 * The template gallery: a template becomes a flow through the import path, from the text of its export file,
 * exactly as if someone had imported that file. It is saved as version 1 and left inactive, to be looked over
 * (and its credentials connected) before it is activated.
 */
export const templateService = {
  list(): TemplateSummary[] {
    return templates;
  },

  async create({
    db,
    userId,
    workspaceId,
    templateId,
  }: Scope & { templateId: string }): Promise<TemplateCreated> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.edit" });
    const template = templates.find((t) => t.id === templateId);
    const text = templateText(templateId);
    if (!template || text === null) throw new ServiceError({ code: "NOT_FOUND", message: `There is no template "${templateId}"; pick one from the gallery.` });
    // A template is imported like any file: beside a flow of the same name (one made from it before) as a copy.
    const applied = await transferService.apply({ db, userId, workspaceId, text, fileName: `${template.id}.json`, resolutions: {}, onConflict: "rename" });
    const created = applied.flows[0];
    // A template that fails the import checks is a defect of this server, not of the request; the tests prevent it.
    if (!created?.flowId) throw new Error(`The template "${template.id}" did not import`);
    const missingCredentials = applied.credentialsMissing.map(({ name, type }) => ({ name, type }));
    return { flowId: created.flowId, missingCredentials };
  },
};
