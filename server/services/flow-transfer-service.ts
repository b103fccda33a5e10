import type { Logger } from "pino";
import type { Db } from "../db";
import { rebindFlowReferences } from "../../nodes/_interop/flow-references";
import { checkImport, type ImportCheck, type ImportedFlow } from "../flow-import";
import { activationService } from "./activation-service";
import { flowService } from "./flow-service";

interface Scope {
  db: Db;
  userId: string;
  workspaceId: string;
}

export interface ImportResult {
  flowId: string;
  name: string;
  /** Null when the flow was imported as a draft only (see `ImportedFlow.draftOnly`). */
  version: number | null;
  active: boolean;
  /** When activated: the URL path (/hooks/<workspace slug>/<path>) and methods of each of the flow's webhooks. */
  webhooks?: { path: string; methods: string[] }[];
}

/**
 * Moving flows in and out of a workspace as export files ({ name, document }): what the CLI's import and export
 * do, and what an import/export screen would do. Reading and writing the files is the caller's part.
 */
export const flowTransferService = {
  /** Checks an import file's text before anything is created; see `checkImport`. */
  check({ text, file, activate }: { text: string; file: string; activate: boolean }): ImportCheck {
    return checkImport({ text, file, activate });
  },

  /**
   * Creates the flow and saves its document as the first version (`message` says where it came from); with
   * `activate`, activates that version and calls `triggersChanged` so the runtime picks its triggers up. All or
   * nothing: a flow that could not be saved or activated is removed again.
   */
  async import({
    db,
    userId,
    workspaceId,
    flow: { name, document, draftOnly },
    message,
    activate,
    triggersChanged,
    logger,
  }: Scope & { flow: ImportedFlow; message: string; activate: boolean; triggersChanged: (flowId: string) => Promise<void>; logger: Logger }): Promise<ImportResult> {
    const scope = { db, userId, workspaceId };
    const flow = await flowService.create({ ...scope, name, document });
    if (draftOnly) return { flowId: flow.id, name: flow.name, version: null, active: false };
    try {
      const version = await flowService.saveVersion({ ...scope, flowId: flow.id, document, message });
      if (!activate) return { flowId: flow.id, name: flow.name, version: version.number, active: false };
      const activation = await activationService.activate({ ...scope, flowId: flow.id, versionNumber: version.number });
      await triggersChanged(flow.id);
      return {
        flowId: flow.id,
        name: flow.name,
        version: version.number,
        active: true,
        webhooks: activation.webhooks.map((hook) => ({ path: hook.url, methods: hook.methods })),
      };
    } catch (err) {
      await flowService.delete({ ...scope, flowId: flow.id }).catch((cleanup: unknown) => logger.error({ err: cleanup, flowId: flow.id }, "could not remove the half-imported flow"));
      throw err;
    }
  },

  /**
   * Imports every flow of a file, all or nothing: when one cannot be created, the ones created before it are
   * removed again.
   */
  async importAll(args: Scope & { flows: ImportedFlow[]; message: string; activate: boolean; triggersChanged: (flowId: string) => Promise<void>; logger: Logger }): Promise<ImportResult[]> {
    const { flows, ...rest } = args;
    const done: ImportResult[] = [];
    // Flows of one file call each other by their import keys; each is stored with the ids of those before it.
    const idsByKey = new Map<string, string>();
    try {
      for (const flow of flows) {
        const result = await flowTransferService.import({ ...rest, flow: { ...flow, document: rebindFlowReferences(flow.document, idsByKey) } });
        done.push(result);
        if (flow.key) idsByKey.set(flow.key, result.flowId);
      }
    } catch (err) {
      for (const created of done) {
        await flowService.delete({ db: args.db, userId: args.userId, workspaceId: args.workspaceId, flowId: created.flowId }).catch((cleanup: unknown) => args.logger.error({ err: cleanup, flowId: created.flowId }, "could not remove a flow of a half-done import"));
        if (created.active) await args.triggersChanged(created.flowId).catch(() => undefined);
      }
      throw err;
    }
    return done;
  },

  /** The flow's export: its active version, else its draft, with credentials referenced by name only. */
  export({ db, userId, workspaceId, flowId }: Scope & { flowId: string }) {
    return flowService.export({ db, userId, workspaceId, flowId });
  },
};
