import type { Db } from "../db";
import { parseFlowDocument, type FlowDocument } from "../../nodes/_core/flow-document";
import { webhookTestUrlPath, webhookUrlPath } from "../../nodes/_core/webhook-url";
import { nodeRegistry } from "../../nodes/registry";
import { webhookTriggers } from "../../nodes/webhook/webhook-triggers";
import type { TestWebhookRoute } from "../../runner/ports";
import { requireRunnable } from "./activation-service";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";
import { workspaceService } from "./workspace-service";

/** How long the editor listens for a test call after "Listen for test event". */
export const TEST_LISTEN_MS = 120_000;

interface Scope {
  db: Db;
  userId: string;
  workspaceId: string;
  flowId: string;
}

const flowNotFound = () => new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });

async function requireFlow({ db, workspaceId, flowId }: { db: Db; workspaceId: string; flowId: string }): Promise<void> {
  const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true } });
  if (!flow) throw flowNotFound();
}

/** A listener as the editor sees it: waiting until `expiresAt`, or called, with the run the call started. */
export interface TestListenerState {
  listening: boolean;
  expiresAt: Date | null;
  calledAt: Date | null;
  runId: string | null;
}

/** The paths in a draft's enabled webhook triggers, read leniently: a draft may be half-edited. */
function draftPaths(document: FlowDocument): { nodeId: string; path: string }[] {
  return document.nodes.flatMap((node) => {
    const definition = nodeRegistry.get(node.type);
    if (definition?.trigger?.kind !== "webhook" || node.disabled) return [];
    const config = definition.config.safeParse(node.config);
    const path = config.success ? (config.data as { path?: unknown }).path : undefined;
    return typeof path === "string" ? [{ nodeId: node.id, path }] : [];
  });
}

export const webhookTestService = {
  /**
   * Starts (or restarts) listening for one call to the test URL of each webhook trigger in the flow's draft, for
   * `TEST_LISTEN_MS`. One listener per flow: listening again moves its end and forgets an earlier call.
   */
  async listen({ db, userId, workspaceId, flowId }: Scope) {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "run.control" });
    const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { draft: true, workspace: { select: { slug: true } } } });
    if (!flow) throw flowNotFound();
    const document = requireRunnable(flow.draft, "The draft cannot run, so it cannot take a test call");
    const hooks = webhookTriggers(document);
    if (hooks.length === 0) throw new ServiceError({ code: "BAD_REQUEST", message: "The draft has no enabled webhook trigger to call." });
    const expiresAt = new Date(Date.now() + TEST_LISTEN_MS);
    await db.$transaction(async (tx) => {
      await tx.webhookTestListener.upsert({
        where: { flowId },
        create: { flowId, workspaceId, userId, expiresAt },
        update: { userId, expiresAt, calledAt: null, runId: null, createdAt: new Date() },
        select: { flowId: true },
      });
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "webhook.test.listen", targetType: "flow", targetId: flowId } });
    });
    const workspaceSlug = flow.workspace.slug;
    return {
      expiresAt,
      webhooks: hooks.map(({ node, config }) => ({
        nodeId: node.id,
        path: config.path,
        methods: config.methods,
        testUrl: webhookTestUrlPath({ workspaceSlug, path: config.path }),
        url: webhookUrlPath({ workspaceSlug, path: config.path }),
      })),
    };
  },

  /** Stops listening before the time is up; a call that came already keeps its run. */
  async stop({ db, userId, workspaceId, flowId }: Scope): Promise<{ flowId: string }> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "run.control" });
    await requireFlow({ db, workspaceId, flowId });
    await db.$transaction(async (tx) => {
      await tx.webhookTestListener.deleteMany({ where: { flowId, workspaceId, calledAt: null } });
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "webhook.test.stop", targetType: "flow", targetId: flowId } });
    });
    return { flowId };
  },

  /** Whether the flow listens, and the run its test call started once one came. */
  async state({ db, userId, workspaceId, flowId }: Scope): Promise<TestListenerState> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "workspace.read" });
    await requireFlow({ db, workspaceId, flowId });
    const row = await db.webhookTestListener.findFirst({ where: { flowId, workspaceId }, select: { expiresAt: true, calledAt: true, runId: true } });
    if (!row) return { listening: false, expiresAt: null, calledAt: null, runId: null };
    return { listening: row.calledAt === null && row.expiresAt.getTime() > Date.now(), expiresAt: row.expiresAt, calledAt: row.calledAt, runId: row.runId };
  },

  /**
   * The runner's side: the flow of the workspace that listens at this path, with its draft as it is now (the newest
   * listener when several drafts share the path); a draft that cannot run is named with what is wrong.
   */
  async listening({ db, workspaceSlug, path }: { db: Db; workspaceSlug: string; path: string }): Promise<TestWebhookRoute | null> {
    const rows = await db.webhookTestListener.findMany({
      where: { calledAt: null, expiresAt: { gt: new Date() }, flow: { workspace: { slug: workspaceSlug } } },
      select: { flowId: true, workspaceId: true, flow: { select: { draft: true } } },
      orderBy: { createdAt: "desc" },
    });
    for (const row of rows) {
      const parsed = parseFlowDocument(row.flow.draft);
      if (!parsed.ok || !draftPaths(parsed.document).some((hook) => hook.path === path)) continue;
      try {
        return { flowId: row.flowId, workspaceId: row.workspaceId, document: requireRunnable(row.flow.draft, "The flow's draft cannot run") };
      } catch (err) {
        return { flowId: row.flowId, workspaceId: row.workspaceId, problem: (err as Error).message };
      }
    }
    return null;
  },

  /** Takes the flow's listener for one run; false when another call took it first or its time ran out. */
  async take({ db, flowId }: { db: Db; flowId: string }): Promise<boolean> {
    const { count } = await db.webhookTestListener.updateMany({ where: { flowId, calledAt: null, expiresAt: { gt: new Date() } }, data: { calledAt: new Date() } });
    return count === 1;
  },

  /** The run a test call started, for the editor that listened. */
  async started({ db, flowId, runId }: { db: Db; flowId: string; runId: string }): Promise<void> {
    await db.webhookTestListener.updateMany({ where: { flowId, calledAt: { not: null }, runId: null }, data: { runId } });
  },
};
