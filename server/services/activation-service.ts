import { nodeRegistry } from "../../nodes/registry";
import { validateFlow } from "../../nodes/_core/validate";
import type { Db } from "../db";
import { Prisma } from "../db/generated/client";
import { describeIssues, parseFlowDocument, type FlowDocument } from "../../nodes/_core/flow-document";
import { webhookUrlPath } from "../../nodes/_core/webhook-url";
import { webhookTriggers } from "../../nodes/webhook/webhook-triggers";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";
import { workspaceService } from "./workspace-service";
import type { ActiveFlow } from "../../runner/ports";

/** The caller acting in a workspace; checked here and not only by `workspaceProcedure`, as the CLI activates too. */
interface Scope {
  db: Db;
  userId: string;
  workspaceId: string;
}

/**
 * Refuses a document that would not run, listing every problem with its path; `refusal` opens the message, so a
 * caller can say what was not done.
 */
export function requireRunnable(document: unknown, refusal = "The flow cannot run"): FlowDocument {
  const parsed = parseFlowDocument(document);
  const issues = parsed.ok ? validateFlow(parsed.document, nodeRegistry) : parsed.issues;
  if (!parsed.ok || issues.length) {
    throw new ServiceError({ code: "BAD_REQUEST", message: `${refusal}: ${describeIssues(issues)}`, details: { issues } });
  }
  return parsed.document;
}

/**
 * Everything activation refuses in the document itself: it must run, and each webhook trigger needs a path of
 * its own. Saving a version checks the same, so no numbered version exists that could never be activated; the
 * paths other active flows hold change over time and are checked on activation only.
 */
export function requireActivatable(document: unknown, refusal = "The flow cannot run"): FlowDocument {
  const runnable = requireRunnable(document, refusal);
  const hooks = webhookTriggers(runnable);
  const issues = hooks.flatMap(({ node, config }, i) => {
    const first = hooks.findIndex((other) => other.config.path === config.path);
    if (first === i) return [];
    const at = runnable.nodes.indexOf(node);
    return [{ path: `nodes[${at}].config.path`, message: `Node "${node.name}" uses the webhook path "${config.path}" that node "${hooks[first]!.node.name}" uses; give each its own.` }];
  });
  if (issues.length) throw new ServiceError({ code: "BAD_REQUEST", message: `${refusal}: ${describeIssues(issues)}`, details: { issues } });
  return runnable;
}

type Tx = Prisma.TransactionClient;

/** A webhook path that another active flow of the workspace holds, as the unique index on routes reports it. */
export function isRouteClash(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

export function routeClash(path: string | undefined): ServiceError {
  const which = path === undefined ? "One of the flow's webhook paths is" : `The webhook path "${path}" is`;
  return new ServiceError({ code: "CONFLICT", message: `${which} already used by another active flow; choose another path.` });
}

export function webhookRoutes(document: FlowDocument) {
  return webhookTriggers(document).map(({ node, config }) => ({ nodeId: node.id, path: config.path, methods: config.methods }));
}

/** One active flow's trigger set-up, as the runtime loads it. */
export const activationService = {
  /**
   * Makes a saved version the one that triggers run: validates it, claims its webhook paths in its workspace, and
   * records it. Each webhook comes back with the URL path it answers at.
   */
  async activate({ db, userId, workspaceId, flowId, versionNumber }: Scope & { flowId: string; versionNumber?: number }) {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.activate" });
    const version = await db.flowVersion.findFirst({
      where: { flowId, workspaceId, ...(versionNumber ? { number: versionNumber } : {}) },
      select: { id: true, number: true, document: true, flow: { select: { workspace: { select: { slug: true } } } } },
      orderBy: { number: "desc" },
    });
    if (!version) {
      const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true } });
      if (!flow) throw new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });
      throw new ServiceError({
        code: "BAD_REQUEST",
        message: versionNumber ? `Version ${versionNumber} of this flow not found` : "Save a version of the flow before activating it",
      });
    }
    // Versions saved before saveVersion checked this may still be refused here.
    const routes = webhookRoutes(requireActivatable(version.document));
    try {
      await db.$transaction((tx) => activationService.activateWithin({ tx, userId, workspaceId, flowId, version: { id: version.id, number: version.number }, routes }));
    } catch (err) {
      if (isRouteClash(err)) {
        // Paths are unique per workspace, so only this workspace's routes can be in the way.
        const taken = await db.webhookRoute.findFirst({ where: { workspaceId, path: { in: routes.map((r) => r.path) }, NOT: { flowId } }, select: { path: true } });
        throw routeClash(taken?.path ?? routes[0]?.path);
      }
      throw err;
    }
    const workspaceSlug = version.flow.workspace.slug;
    return { versionNumber: version.number, webhooks: routes.map((r) => ({ path: r.path, methods: r.methods, url: webhookUrlPath({ workspaceSlug, path: r.path }) })) };
  },

  /**
   * The writes of `activate` inside a caller's transaction (an import activates the flows it stores in the same
   * one), for a version whose document the caller has checked with `requireActivatable`. A path another active
   * flow holds fails the transaction; `isRouteClash` tells that failure apart.
   */
  async activateWithin({ tx, userId, workspaceId, flowId, version, routes }: { tx: Tx; userId: string; workspaceId: string; flowId: string; version: { id: string; number: number }; routes: ReturnType<typeof webhookRoutes> }) {
    await tx.webhookRoute.deleteMany({ where: { flowId } });
    for (const route of routes) await tx.webhookRoute.create({ data: { workspaceId, flowId, ...route }, select: { id: true } });
    await tx.flow.update({ where: { id: flowId }, data: { activeVersionId: version.id }, select: { id: true } });
    await auditService.record({
      tx,
      entry: { workspaceId, actorId: userId, action: "flow.activate", targetType: "flow", targetId: flowId, data: { version: version.number } },
    });
  },

  async deactivate({ db, userId, workspaceId, flowId }: Scope & { flowId: string }) {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "flow.activate" });
    await db.$transaction(async (tx) => {
      const { count } = await tx.flow.updateMany({ where: { id: flowId, workspaceId }, data: { activeVersionId: null } });
      if (count === 0) throw new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });
      await tx.webhookRoute.deleteMany({ where: { flowId } });
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "flow.deactivate", targetType: "flow", targetId: flowId } });
    });
    return { id: flowId };
  },

  /** Every active flow, or one, with the document of its active version; for the runtime's triggers. */
  async activeFlows({ db, flowId }: { db: Db; flowId?: string }): Promise<ActiveFlow[]> {
    const flows = await db.flow.findMany({
      where: { activeVersionId: { not: null }, ...(flowId ? { id: flowId } : {}) },
      select: { id: true, workspaceId: true, workspace: { select: { slug: true } }, activeVersion: { select: { id: true, document: true } } },
    });
    return flows.map((f) => ({
      flowId: f.id,
      workspaceId: f.workspaceId,
      workspaceSlug: f.workspace.slug,
      versionId: f.activeVersion!.id,
      document: f.activeVersion!.document as FlowDocument,
    }));
  },

  /** The active version of a flow in a workspace, for execute-flow nodes; null when it is not active there. */
  async activeVersionOf({ db, workspaceId, flowId }: { db: Db; workspaceId: string; flowId: string }) {
    const flow = await db.flow.findFirst({
      where: { id: flowId, workspaceId },
      select: { activeVersion: { select: { id: true, document: true } } },
    });
    if (!flow?.activeVersion) return null;
    return { versionId: flow.activeVersion.id, document: flow.activeVersion.document as FlowDocument };
  },
};
