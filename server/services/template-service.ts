import type { Logger } from "pino";
import type { Db } from "../db";
import { templates, templateText, type TemplateCredential, type TemplateSummary } from "../../nodes/_core/templates";
import { flowTransferService } from "./flow-transfer-service";
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
    triggersChanged,
    logger,
  }: Scope & { templateId: string; triggersChanged: (flowId: string) => Promise<void>; logger: Logger }): Promise<TemplateCreated> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.edit" });
    const template = templates.find((t) => t.id === templateId);
    const text = templateText(templateId);
    if (!template || text === null) throw new ServiceError({ code: "NOT_FOUND", message: `There is no template "${templateId}"; pick one from the gallery.` });
    const checked = flowTransferService.check({ text, file: `${template.id}.json`, activate: false });
    // A template that fails the import checks is a defect of this server, not of the request; the tests prevent it.
    if (!checked.ok) throw new Error(`The template "${template.id}" does not import: ${checked.message}`);
    const [created] = await flowTransferService.importAll({
      db,
      userId,
      workspaceId,
      flows: checked.flows,
      message: `Created from the template "${template.name}"`,
      activate: false,
      triggersChanged,
      logger,
    });
    if (!created) throw new Error(`The template "${template.id}" holds no flow`);
    const present = await db.credential.findMany({ where: { workspaceId }, select: { name: true, type: true } });
    const missingCredentials = template.credentials.filter((wanted) => !present.some((c) => c.name === wanted.name && c.type === wanted.type));
    return { flowId: created.flowId, missingCredentials };
  },
};
