import type { Db } from "../db";
import type { Prisma } from "../db/generated/client";
import type { Item } from "../../nodes/_kit/items";
import type { FlowDocument } from "../../nodes/_core/flow-document";
import { FINISHED_RUN_STATUSES, type RunSpec, type RunStatus } from "../../nodes/_core/run-types";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";
import { workspaceService } from "./workspace-service";

/** Which runs a list, or a bulk action on "all that match", covers; every field narrows it. */
export interface RunFilter {
  flowId?: string;
  status?: RunStatus;
  trigger?: string;
  /** Queued at or after. */
  from?: Date;
  /** Queued before. */
  to?: Date;
}

/** The filter as a Prisma condition, always inside one workspace. */
export function runWhere({ workspaceId, filter }: { workspaceId: string; filter: RunFilter }): Prisma.RunWhereInput {
  const { flowId, status, trigger, from, to } = filter;
  return {
    workspaceId,
    ...(flowId ? { flowId } : {}),
    ...(status ? { status } : {}),
    ...(trigger ? { trigger } : {}),
    ...(from || to ? { queuedAt: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } } : {}),
  };
}

const runNotFound = () => new ServiceError({ code: "NOT_FOUND", message: "Run not found" });

/** Nodes downstream of these along the document's edges, the nodes themselves included. */
function downstreamOf(document: FlowDocument, start: string[]): Set<string> {
  const seen = new Set(start);
  const queue = [...start];
  while (queue.length) {
    const nodeId = queue.shift()!;
    for (const edge of document.edges) {
      if (edge.source === nodeId && !seen.has(edge.target)) {
        seen.add(edge.target);
        queue.push(edge.target);
      }
    }
  }
  return seen;
}

async function loadRun({ db, workspaceId, runId }: { db: Db; workspaceId: string; runId: string }) {
  const run = await db.run.findFirst({
    where: { id: runId, workspaceId },
    select: {
      id: true,
      flowId: true,
      flowVersionId: true,
      status: true,
      trigger: true,
      input: true,
      startNodeId: true,
      document: true,
      flowVersion: { select: { document: true } },
    },
  });
  if (!run) throw runNotFound();
  const document = (run.document ?? run.flowVersion?.document ?? null) as FlowDocument | null;
  if (!document) {
    throw new ServiceError({ code: "BAD_REQUEST", message: "This run's flow version was deleted, so the run cannot be repeated; run the flow again instead." });
  }
  return { ...run, document };
}

export const runActionsService = {
  /**
   * A new run of what a finished run ran (the same version, or the same draft document) on the same trigger
   * input, from its start. The caller enqueues it.
   */
  async retryFromStart({ db, userId, workspaceId, runId }: { db: Db; userId: string; workspaceId: string; runId: string }): Promise<RunSpec> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "run.control" });
    const run = await loadRun({ db, workspaceId, runId });
    if (!(FINISHED_RUN_STATUSES as readonly string[]).includes(run.status)) {
      throw new ServiceError({ code: "BAD_REQUEST", message: `The run is still ${run.status}; retry it once it has finished.` });
    }
    await db.$transaction((tx) =>
      auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "run.retry", targetType: "run", targetId: runId, data: { from: "start" } } }),
    );
    return {
      workspaceId,
      flowId: run.flowId,
      flowVersionId: run.flowVersionId,
      document: run.document,
      trigger: run.trigger,
      triggerItems: (run.input as Item[] | null) ?? [],
      ...(run.startNodeId ? { startNodeId: run.startNodeId } : {}),
    };
  },

  /**
   * A new run of a failed run that starts at the node that failed: the steps before it (and on branches that do
   * not depend on it) are copied with their stored output, as a resumed run's finished steps are, so the engine
   * feeds that output on and runs only the failed node and what follows it. Stored as a run to resume, with no
   * worker; the id the caller enqueues.
   */
  async retryFromFailed({ db, userId, workspaceId, runId }: { db: Db; userId: string; workspaceId: string; runId: string }): Promise<string> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "run.control" });
    const run = await loadRun({ db, workspaceId, runId });
    if (run.status !== "failed") throw new ServiceError({ code: "BAD_REQUEST", message: `Only a failed run can be retried from its failed node; this one ${run.status}.` });
    const steps = await db.step.findMany({
      where: { runId },
      select: {
        nodeId: true,
        nodeName: true,
        nodeType: true,
        status: true,
        attempt: true,
        input: true,
        output: true,
        inputTruncated: true,
        outputTruncated: true,
        outputRef: true,
        error: true,
        startedAt: true,
        finishedAt: true,
        durationMs: true,
      },
    });
    const failed = steps.filter((step) => step.status === "failed").map((step) => step.nodeId);
    if (failed.length === 0) {
      throw new ServiceError({ code: "BAD_REQUEST", message: "No step of this run failed (it failed before any node ran); retry it from the start." });
    }
    const rerun = downstreamOf(run.document, failed);
    const kept = steps.filter((step) => step.status === "succeeded" && !rerun.has(step.nodeId));
    const json = (value: unknown) => (value === null ? undefined : (value as Prisma.InputJsonValue));
    return db.$transaction(async (tx) => {
      // "running" with no worker is a run handed back: the next claim resumes it after its stored steps.
      const created = await tx.run.create({
        data: {
          workspaceId,
          flowId: run.flowId,
          flowVersionId: run.flowVersionId,
          status: "running",
          trigger: run.trigger,
          input: json(run.input),
          startNodeId: run.startNodeId,
          document: run.flowVersionId ? undefined : json(run.document),
        },
        select: { id: true },
      });
      await tx.step.createMany({
        data: kept.map((step) => ({ ...step, workspaceId, runId: created.id, input: json(step.input), output: json(step.output), error: json(step.error) })),
      });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "run.retry", targetType: "run", targetId: runId, data: { from: "failed", run: created.id, nodes: failed } },
      });
      return created.id;
    });
  },

  /**
   * Deletes finished runs of the workspace: the ones named, or every one that matches the filter. Runs still queued
   * or running are left alone (cancel them first). How many went.
   */
  async delete({ db, userId, workspaceId, runIds, filter }: { db: Db; userId: string; workspaceId: string; runIds?: string[]; filter?: RunFilter }): Promise<{ deleted: number }> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "run.delete" });
    if (!runIds && !filter) throw new ServiceError({ code: "BAD_REQUEST", message: "Name the runs to delete, or a filter they match." });
    const where: Prisma.RunWhereInput = {
      ...runWhere({ workspaceId, filter: filter ?? {} }),
      ...(runIds ? { id: { in: runIds } } : {}),
      status: { in: filter?.status ? FINISHED_RUN_STATUSES.filter((s) => s === filter.status) : [...FINISHED_RUN_STATUSES] },
    };
    return db.$transaction(async (tx) => {
      const { count } = await tx.run.deleteMany({ where });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "run.delete", targetType: "run", data: { deleted: count, ...(runIds ? { runIds } : { filter: JSON.parse(JSON.stringify(filter)) as Prisma.InputJsonValue }) } },
      });
      return { deleted: count };
    });
  },

  /** The triggers the workspace's stored runs came from, for the runs page's filter. */
  async triggers({ db, userId, workspaceId }: { db: Db; userId: string; workspaceId: string }): Promise<string[]> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "workspace.read" });
    const rows = await db.run.findMany({ where: { workspaceId }, select: { trigger: true }, distinct: ["trigger"], orderBy: { trigger: "asc" } });
    return rows.map((row) => row.trigger);
  },
};
