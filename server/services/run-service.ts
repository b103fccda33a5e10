import type { Db } from "../db";
import type { ClaimedRun, FinishedStepRow, InterruptedStepRow, RunJournal } from "../../runner/ports";
import { preparedStatement, rawSql } from "../db/raw";
import { fromMs, recordsetJson } from "../db/recordset";
import { auditService } from "./audit-service";
import type { Prisma } from "../db/generated/client";
import { toItems, type Item } from "../../nodes/_kit/items";
import { nodeRegistry } from "../../nodes/registry";
import { FINISHED_RUN_STATUSES, type RunSpec } from "../../nodes/_core/run-types";
import { inRunOrder, resolveStoredSteps, type StoredPorts } from "../../nodes/_core/step-data";
import type { FlowDocument } from "../../nodes/_core/flow-document";
import { checkJson, describeJsonProblem, jsonMaxDepth } from "../../nodes/_core/json-check";
import { activationService, requireRunnable } from "./activation-service";
import { runWhere, type RunFilter } from "./run-actions-service";
import { decodeRunCursor, encodeRunCursor } from "./run-cursor";
import { ServiceError } from "./service-error";
import { workspaceService } from "./workspace-service";

const runSummarySelect = {
  id: true,
  flowId: true,
  status: true,
  trigger: true,
  error: true,
  queuedAt: true,
  startedAt: true,
  finishedAt: true,
  flowVersion: { select: { number: true } },
  flow: { select: { name: true } },
} as const;

const stepSelect = {
  nodeId: true,
  nodeName: true,
  nodeType: true,
  status: true,
  attempt: true,
  input: true,
  output: true,
  error: true,
  startedAt: true,
  finishedAt: true,
  durationMs: true,
  usage: true,
  workerLosses: true,
} as const;

type RunSummaryRow = Prisma.RunGetPayload<{ select: typeof runSummarySelect }>;

function toSummary(run: RunSummaryRow) {
  return {
    id: run.id,
    flowId: run.flowId,
    flowName: run.flow.name,
    status: run.status,
    trigger: run.trigger,
    error: run.error as { message: string } | null,
    versionNumber: run.flowVersion?.number ?? null,
    queuedAt: run.queuedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
  };
}

export type RunSummary = ReturnType<typeof toSummary>;

/** Steps and the run's output with every reference to items stored elsewhere resolved, for the editor. */
function withItems<S extends { nodeId: string; input: unknown; output: unknown }>(steps: S[], document: FlowDocument | null, runInput: unknown, runOutput: unknown) {
  const resolved = resolveStoredSteps(steps, document?.edges ?? [], runInput);
  const keep = (stored: unknown) => (stored && typeof stored === "object" ? (stored as StoredPorts) : { items: {} });
  const output = keep(runOutput);
  return {
    steps: steps.map((step) => ({
      ...step,
      input: { ...keep(step.input), items: resolved.inputOf(step.nodeId) },
      output: { ...keep(step.output), items: resolved.outputOf(step.nodeId) },
    })),
    output: runOutput === null ? null : output.fromStep ? { ...output, items: { out: resolved.outputOf(output.fromStep).out ?? [] } } : output,
  };
}

/**
 * A run of one node of the draft: it starts at that node, and each node feeding it stands in with its pinned
 * items, or else with what it output in the flow's latest run that reached it (pinned into the run's document).
 */
async function prepareAlone({ db, workspaceId, flowId, nodeId }: { db: Db; workspaceId: string; flowId: string; nodeId: string }): Promise<RunSpec> {
  const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { draft: true } });
  if (!flow) throw new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });
  const document = requireRunnable(flow.draft);
  const target = document.nodes.find((n) => n.id === nodeId);
  if (!target) throw new ServiceError({ code: "BAD_REQUEST", message: `The flow has no node with id "${nodeId}"` });
  if (nodeRegistry.get(target.type)?.trigger) {
    throw new ServiceError({ code: "BAD_REQUEST", message: `"${target.name}" is a trigger: run the whole flow to try it` });
  }
  const pinData = { ...document.pinData };
  const into = document.edges.filter((edge) => edge.target === nodeId);
  for (const sourceId of new Set(into.map((edge) => edge.source))) {
    if (pinData[sourceId]) continue;
    const ports = into.filter((edge) => edge.source === sourceId).map((edge) => edge.sourcePort);
    const items = await latestOutput({ db, workspaceId, flowId, nodeId: sourceId, ports });
    const name = document.nodes.find((n) => n.id === sourceId)?.name ?? sourceId;
    if (!items) throw new ServiceError({ code: "BAD_REQUEST", message: `"${name}" has no output to feed "${target.name}": pin its output, or run the whole flow once` });
    pinData[sourceId] = items;
  }
  return { workspaceId, flowId, flowVersionId: null, trigger: "manual", triggerItems: [], startNodeId: nodeId, document: { ...document, pinData } };
}

/** What a node sent out of these ports in the latest run of the flow where it succeeded; null when none did. */
async function latestOutput({ db, workspaceId, flowId, nodeId, ports }: { db: Db; workspaceId: string; flowId: string; nodeId: string; ports: string[] }): Promise<Item[] | null> {
  const step = await db.step.findFirst({
    where: { workspaceId, nodeId, status: "succeeded", run: { flowId } },
    select: { runId: true },
    orderBy: { startedAt: "desc" },
  });
  if (!step) return null;
  const run = await db.run.findUnique({
    where: { id: step.runId },
    select: { input: true, document: true, flowVersion: { select: { document: true } }, steps: { select: { nodeId: true, input: true, output: true } } },
  });
  if (!run) return null;
  const document = (run.document ?? run.flowVersion?.document ?? null) as FlowDocument | null;
  const output = resolveStoredSteps(run.steps, document?.edges ?? [], run.input).outputOf(nodeId);
  return ports.flatMap((port) => output[port] ?? []);
}

/** A worker asking to take a run. */
export interface ClaimRequest {
  runId: string;
  workerId: string;
  liveWorkers: string[];
}

/** A run as a claim took it, before its document and steps are read. */
export type ClaimedRow = Omit<ClaimedRun, "document" | "finishedSteps" | "interruptedSteps"> & { document: FlowDocument | null; previousStatus: string };

/** A worker recording that a step starts. */
export type StepStart = Parameters<RunJournal["startStep"]>[0];

const runNotFound = () => new ServiceError({ code: "NOT_FOUND", message: "Run not found" });

/** The names of the node types whose steps a queued run does not record as they start (Set, If, …). */
const pureNodeNames = () => [...nodeRegistry.values()].filter((definition) => definition.pure).map((definition) => definition.name).join(", ");

// The claim of `claimRows`. Timestamps are stored as UTC without a zone; read back with one, so every driver makes
// the same Date. "Run" and "Step" are read by key through `= ANY(ARRAY(…))`, not by a join with the batch: PostgreSQL
// keeps the plan it made when the tables were small, and a join may then read a whole index in key order (a merge
// join) where a key condition reads only the batch's rows, whatever the tables' sizes.
const claimSql = preparedStatement(
  `WITH wanted AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS w("runId" text, "workerId" text, "liveWorkers" jsonb)),
   previous AS (
     SELECT r.id, r.status::text AS status, r."workerId", w."workerId" AS claimant, w."liveWorkers"
     FROM "Run" r JOIN wanted w ON w."runId" = r.id
     WHERE r.id = ANY(ARRAY(SELECT "runId" FROM wanted))
     ORDER BY r.id FOR UPDATE OF r
   ), claimed AS (
     UPDATE "Run" SET status = 'running', "workerId" = p.claimant, "startedAt" = COALESCE("Run"."startedAt", now() AT TIME ZONE 'UTC'),
       -- Lost with no step recorded as running: the run itself counts the loss.
       "workerLosses" = "Run"."workerLosses" + CASE WHEN p.status = 'running' AND p."workerId" IS NOT NULL AND p."workerId" <> p.claimant
         AND NOT EXISTS (SELECT 1 FROM "Step" s WHERE s."runId" = p.id AND s.status = 'running') THEN 1 ELSE 0 END
     FROM previous p
     WHERE "Run".id = ANY(ARRAY(SELECT id FROM previous)) AND "Run".id = p.id AND "Run".status IN ('queued', 'running')
       AND ("Run"."workerId" IS NULL OR "Run"."workerId" = p.claimant OR NOT (p."liveWorkers" ? "Run"."workerId"))
     RETURNING "Run".id, "Run"."workspaceId", "Run"."flowId", "Run"."flowVersionId", "Run".trigger, "Run".input,
       "Run"."queuedAt" AT TIME ZONE 'UTC' AS "queuedAt", "Run"."startedAt" AT TIME ZONE 'UTC' AS "startedAt",
       "Run"."startNodeId", "Run"."parentRunId", "Run".document, "Run"."workerLosses", p.status AS "previousStatus",
       p."workerId" AS "previousWorker", p.claimant
   ), lost AS (
     UPDATE "Step" SET "workerLosses" = "Step"."workerLosses" + 1
     WHERE "Step"."runId" = ANY(ARRAY(
         SELECT id FROM claimed c WHERE c."previousStatus" = 'running' AND c."previousWorker" IS NOT NULL AND c."previousWorker" <> c.claimant
       ))
       AND "Step".status = 'running'
     RETURNING 1
   )
   SELECT id, "workspaceId", "flowId", "flowVersionId", trigger, input, "queuedAt", "startedAt", "startNodeId", "parentRunId",
     document, "workerLosses", "previousStatus" FROM claimed`,
);

// The write of `startSteps`. FOR SHARE: a cancel (an update of the run) waits for this write, so it sees the step and
// cancels it too. Runs are read by key, as in the claim.
const startStepsSql = preparedStatement(
  `WITH s AS (
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS s("workerId" text, "workspaceId" text, "runId" text, "nodeId" text,
       "nodeName" text, "nodeType" text, attempt int, "startedAt" bigint)
   ), run AS (
     SELECT id, status::text AS status, "workerId" FROM "Run" WHERE id = ANY(ARRAY(SELECT "runId" FROM s)) ORDER BY id FOR SHARE
   ), started AS (
     INSERT INTO "Step" ("workspaceId", "runId", "nodeId", "nodeName", "nodeType", status, attempt, "startedAt")
     SELECT s."workspaceId", s."runId", s."nodeId", s."nodeName", s."nodeType", 'running', s.attempt, ${fromMs(`s."startedAt"`)}
     FROM s JOIN run ON run.id = s."runId" WHERE run.status = 'running' AND run."workerId" = s."workerId"
     ON CONFLICT ("runId", "nodeId") DO UPDATE SET status = 'running', attempt = EXCLUDED.attempt, "startedAt" = EXCLUDED."startedAt",
       "finishedAt" = NULL, "durationMs" = NULL, error = NULL
     WHERE "Step".status NOT IN ('succeeded', 'failed')
     RETURNING "runId", "nodeId"
   )
   SELECT s."runId", s."nodeId", run.status, started."nodeId" IS NOT NULL AS started
   FROM s LEFT JOIN run ON run.id = s."runId" LEFT JOIN started ON started."runId" = s."runId" AND started."nodeId" = s."nodeId"`,
);

// The statements of `prune`. A run's workspace is its flow's, so each flow's runs are one range of the
// (workspaceId, flowId, queuedAt) index. Only finished runs go; a flow's newest runs count whatever their state.
const finishedStatuses = `(${FINISHED_RUN_STATUSES.map((status) => `'${status}'`).join(", ")})`;
const pruneOldSql = preparedStatement(
  `WITH gone AS (
     DELETE FROM "Run" WHERE id IN (
       SELECT r.id FROM "Flow" f CROSS JOIN LATERAL (
         SELECT id FROM "Run" WHERE "workspaceId" = f."workspaceId" AND "flowId" = f.id
           AND "queuedAt" < ($1::timestamptz AT TIME ZONE 'UTC') AND status IN ${finishedStatuses} LIMIT $2
       ) r LIMIT $2)
     RETURNING 1)
   SELECT count(*)::int AS count FROM gone`,
);
// The newest `$1` of a flow stay, and those queued at the same moment as the last of them.
const pruneExcessSql = preparedStatement(
  `WITH gone AS (
     DELETE FROM "Run" WHERE id IN (
       SELECT r.id FROM "Flow" f
       CROSS JOIN LATERAL (
         SELECT "queuedAt" AS cutoff FROM "Run" WHERE "workspaceId" = f."workspaceId" AND "flowId" = f.id
         ORDER BY "queuedAt" DESC OFFSET $1::int - 1 LIMIT 1
       ) kept
       CROSS JOIN LATERAL (
         SELECT id FROM "Run" WHERE "workspaceId" = f."workspaceId" AND "flowId" = f.id
           AND "queuedAt" < kept.cutoff AND status IN ${finishedStatuses} LIMIT $2
       ) r LIMIT $2)
     RETURNING 1)
   SELECT count(*)::int AS count FROM gone`,
);

export const runService = {
  /**
   * Takes runs for their workers unless a live worker holds them, in one statement: the owner check and the update
   * are one, and return each run taken (runs not taken are absent). Taking over from another worker (not one that
   * handed the run back, which clears its id) means that worker was lost: each step it had started and not
   * finished counts the loss, in the same statement. Rows are locked in id order, so two batches never deadlock.
   */
  async claimRows({ db, claims }: { db: Db; claims: ClaimRequest[] }): Promise<ClaimedRow[]> {
    return rawSql(db)<ClaimedRow>(claimSql, [recordsetJson(claims)]);
  },

  /**
   * Takes a run for this worker unless a live worker holds it (through `claimRow`, which may batch it with other
   * claims; by default on its own). Steps are read only for a run that was running before (a resumed one), and a
   * version's document comes from `versionDocument` (immutable, so the runner caches it).
   */
  async claim({
    db,
    runId,
    workerId,
    liveWorkers,
    versionDocument,
    claimRow = async (request) => (await runService.claimRows({ db, claims: [request] }))[0] ?? null,
  }: {
    db: Db;
    runId: string;
    workerId: string;
    liveWorkers: string[];
    versionDocument: (versionId: string) => Promise<FlowDocument | null>;
    claimRow?: (request: ClaimRequest) => Promise<ClaimedRow | null>;
  }): Promise<ClaimedRun | null> {
    const run = await claimRow({ runId, workerId, liveWorkers });
    if (!run) return null;
    const document = run.document ?? (run.flowVersionId ? await versionDocument(run.flowVersionId) : null);
    if (!document) return null;
    const resumed = run.previousStatus === "running";
    const finishedSteps = resumed
      ? ((await db.step.findMany({
          where: { runId, status: { in: ["succeeded", "failed"] } },
          select: { ...stepSelect, outputRef: true },
        })) as FinishedStepRow[])
      : [];
    const interruptedSteps = resumed
      ? await db.step.findMany({ where: { runId, status: "running" }, select: { nodeId: true, nodeName: true, nodeType: true, attempt: true, workerLosses: true } })
      : [];
    const { previousStatus: _previous, ...claimed } = run;
    return { ...claimed, startedAt: run.startedAt ?? new Date(), document, finishedSteps, interruptedSteps };
  },

  /**
   * Queue mode: records that steps start on their workers, before they run, so a worker lost in one is noticed by
   * the next one; one statement for many steps (of different runs). Only while the run is running on the step's
   * worker: otherwise nothing is written and the run's state says why (cancelled, or taken over by another worker
   * after this one stalled). Answers each step in order.
   */
  async startSteps({ db, steps }: { db: Db; steps: StepStart[] }): Promise<({ started: true } | { started: false; status: string | null })[]> {
    const rows = await rawSql(db)<{ runId: string; nodeId: string; status: string | null; started: boolean }>(
      startStepsSql,
      [recordsetJson(steps.map(({ workerId, step }) => ({ workerId, ...step })))],
    );
    const answers = new Map(rows.map((row) => [`${row.runId}\u0000${row.nodeId}`, row]));
    return steps.map(({ step }) => {
      const row = answers.get(`${step.runId}\u0000${step.nodeId}`);
      return row?.started ? { started: true } : { started: false, status: row?.status ?? null };
    });
  },

  /**
   * Fails a run whose step lost its worker too often, instead of handing it to yet another worker; only while this
   * worker holds it (a cancel that came first stays). With no step (`losses` counted on the run), the worker was
   * lost in a step not recorded as it starts. The error it stored, or null when it did not.
   */
  async failAfterLosses({ db, runId, workerId, step, losses, maxLosses }: { db: Db; runId: string; workerId: string; step: InterruptedStepRow | null; losses: number; maxLosses: number }) {
    const lost = `was lost (killed, out of memory or frozen) ${losses} times`;
    const error = {
      message:
        (step ? `Node "${step.nodeName}" was running when its worker ${lost}; ` : `The run's worker ${lost} in a trigger or a pure node (${pureNodeNames()}), whose steps are not recorded as they start; `) +
        `the run was failed instead of handed to another worker (RUN_MAX_WORKER_LOSSES is ${maxLosses}). ` +
        `Check what ${step ? "the node does" : "those nodes do"} with this run's input (an endless loop, a very large payload, a call that never returns), fix it, then run the flow again.`,
      code: "WORKER_LOST",
      retryable: false as const,
    };
    return db.$transaction(async (tx) => {
      const now = new Date();
      const { count } = await tx.run.updateMany({ where: { id: runId, workerId, status: "running" }, data: { status: "failed", finishedAt: now, error } });
      if (count === 0) return null;
      if (step) await tx.step.updateMany({ where: { runId, nodeId: step.nodeId, status: "running" }, data: { status: "failed", finishedAt: now, error } });
      return error;
    });
  },

  /** A saved version's document; versions never change. */
  async versionDocument({ db, versionId }: { db: Db; versionId: string }): Promise<FlowDocument | null> {
    const version = await db.flowVersion.findUnique({ where: { id: versionId }, select: { document: true } });
    return (version?.document as FlowDocument | undefined) ?? null;
  },

  /** Gives a run back without finishing it, so another worker resumes it. */
  async release({ db, runId, workerId }: { db: Db; runId: string; workerId: string }): Promise<void> {
    await db.run.updateMany({ where: { id: runId, workerId, status: "running" }, data: { workerId: null } });
  },

  async delete({ db, runId }: { db: Db; runId: string }): Promise<void> {
    await db.run.deleteMany({ where: { id: runId } });
  },

  /**
   * Marks a queued or running run cancelled at once, with the steps it has in progress; what it was before, or null
   * when it was not queued or running (finished already, or not stored yet). A running run's worker is told apart;
   * the database says cancelled even when that worker is stuck and never answers, and nothing it writes later
   * brings the run back (run writes apply only to queued and running runs).
   */
  async markCancelled({ db, runId }: { db: Db; runId: string }): Promise<"queued" | "running" | null> {
    const error = { message: "The run was cancelled", code: "CANCELLED", retryable: false };
    return db.$transaction(async (tx) => {
      const run = await tx.run.findUnique({ where: { id: runId }, select: { status: true } });
      if (!run || (run.status !== "queued" && run.status !== "running")) return null;
      const now = new Date();
      const { count } = await tx.run.updateMany({ where: { id: runId, status: run.status }, data: { status: "cancelled", finishedAt: now, error } });
      if (count === 0) return null;
      await tx.step.updateMany({ where: { runId, status: "running" }, data: { status: "cancelled", finishedAt: now, error } });
      return run.status;
    });
  },

  /** Runs that should be moving but that no live worker holds: queued for a while, or running under a gone worker. */
  async orphans({ db, liveWorkers, queuedBefore, limit }: { db: Db; liveWorkers: string[]; queuedBefore: Date; limit: number }) {
    return db.run.findMany({
      where: {
        // Unfinished runs have no finishedAt; saying so lets PostgreSQL use the partial index of them.
        finishedAt: null,
        OR: [
          { status: "queued", queuedAt: { lt: queuedBefore } },
          { status: "running", OR: [{ workerId: null }, { workerId: { notIn: liveWorkers } }] },
        ],
      },
      select: { id: true, workspaceId: true, status: true, workerId: true },
      orderBy: { queuedAt: "asc" },
      take: limit,
    });
  },

  /** The runs stored as running under this worker (its own check finds those it no longer runs). */
  async runningUnder({ db, workerId }: { db: Db; workerId: string }): Promise<string[]> {
    const runs = await db.run.findMany({ where: { finishedAt: null, status: "running", workerId }, select: { id: true } });
    return runs.map((run) => run.id);
  },

  /**
   * Deletes finished runs older than the age limit, and beyond the newest `keepPerFlow` of each flow (null: no such
   * limit, and no such statement). Each flow's runs are read through the (workspace, flow, queued) index, from the
   * oldest for the age and from the newest for the count, so neither reads the whole table. On 600,000 runs the age
   * took 0.24 s as a scan of every run and the count 0.64 s as a sort of every run by flow, at each start of a worker
   * and each hour, whether anything went or not; now 0.4 ms for the age with nothing to delete, and 31 ms for a batch
   * of 1,000 runs past the count.
   */
  async prune({ db, olderThan, keepPerFlow, batch }: { db: Db; olderThan: Date | null; keepPerFlow: number | null; batch: number }): Promise<number> {
    const deleted = async (statement: typeof pruneOldSql, params: unknown[]) => (await rawSql(db)<{ count: number }>(statement, params))[0]!.count;
    const old = olderThan ? await deleted(pruneOldSql, [olderThan.toISOString(), batch]) : 0;
    const excess = keepPerFlow ? await deleted(pruneExcessSql, [keepPerFlow, batch]) : 0;
    return old + excess;
  },

  /**
   * What a manual run will execute: the draft (a test run) or the active version; refused if it would not run.
   * Like `list` and `get`, it checks the caller's role itself besides `workspaceProcedure`, as the CLI (and the run
   * events route) call it directly.
   */
  async prepareManual({
    db,
    userId,
    workspaceId,
    flowId,
    input,
    source,
    startNodeId,
    onlyNodeId,
  }: {
    db: Db;
    userId: string;
    workspaceId: string;
    flowId: string;
    input?: unknown;
    source: "draft" | "active";
    startNodeId?: string;
    onlyNodeId?: string;
  }): Promise<RunSpec> {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "run.control" });
    return runService.prepareRun({ db, workspaceId, flowId, input, source, startNodeId, onlyNodeId });
  },

  /**
   * What a manual run will execute, for a caller whose right to start it was checked otherwise: a member by
   * `prepareManual`, a shared dashboard's widget by whether its owner allowed the link to start it.
   */
  async prepareRun({
    db,
    workspaceId,
    flowId,
    input,
    source,
    startNodeId,
    onlyNodeId,
  }: {
    db: Db;
    workspaceId: string;
    flowId: string;
    input?: unknown;
    source: "draft" | "active";
    startNodeId?: string;
    onlyNodeId?: string;
  }): Promise<RunSpec> {
    if (onlyNodeId) {
      if (source !== "draft") throw new ServiceError({ code: "BAD_REQUEST", message: "One node is run alone from the draft; leave out source or set it to \"draft\"" });
      return prepareAlone({ db, workspaceId, flowId, nodeId: onlyNodeId });
    }
    // Each item's JSON is one level above the values in it, as a webhook's body is a field of its item.
    const tooDeep = checkJson(input ?? {}, { maxDepth: jsonMaxDepth() + 1, root: "input" });
    if (tooDeep) throw new ServiceError({ code: "BAD_REQUEST", message: describeJsonProblem(tooDeep, { what: "The run's input", limit: jsonMaxDepth() }) });
    const base = { workspaceId, flowId, trigger: "manual", triggerItems: toItems(input ?? {}), startNodeId };
    if (source === "active") {
      const active = await activationService.activeVersionOf({ db, workspaceId, flowId });
      if (!active) {
        const exists = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true } });
        throw exists ? new ServiceError({ code: "BAD_REQUEST", message: "The flow is not active; activate a version or run the draft." }) : new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });
      }
      return { ...base, flowVersionId: active.versionId, document: active.document };
    }
    const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { draft: true } });
    if (!flow) throw new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });
    return { ...base, flowVersionId: null, document: requireRunnable(flow.draft) };
  },

  /** The run, in a workspace whose role check the caller has passed; another workspace's run is simply not found. */
  /** A person starting or cancelling a run, in the workspace's audit log (retries and deletes are audited where they are made). */
  async audit({ db, userId, workspaceId, runId, action, data }: { db: Db; userId: string; workspaceId: string; runId: string; action: "run.start" | "run.cancel"; data?: Prisma.InputJsonValue }) {
    await db.$transaction((tx) => auditService.record({ tx, entry: { workspaceId, actorId: userId, action, targetType: "run", targetId: runId, data } }));
  },

  async requireRun({ db, workspaceId, runId }: { db: Db; workspaceId: string; runId: string }): Promise<void> {
    const run = await db.run.findFirst({ where: { id: runId, workspaceId }, select: { id: true } });
    if (!run) throw runNotFound();
  },

  async list({ db, userId, workspaceId, limit, cursor, ...filter }: { db: Db; userId: string; workspaceId: string; limit: number; cursor?: string } & RunFilter) {
    const { flowId } = filter;
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "workspace.read" });
    const list = { workspaceId, flowId: flowId ?? null };
    // Keyset on the list's own order, from a cursor bound to this list: another list's cursor is an unknown one.
    const after = cursor ? decodeRunCursor({ cursor, ...list }) : null;
    const runs = await db.run.findMany({
      where: {
        ...runWhere({ workspaceId, filter }),
        ...(after ? { OR: [{ queuedAt: { lt: after.queuedAt } }, { queuedAt: after.queuedAt, id: { lt: after.runId } }] } : {}),
      },
      select: runSummarySelect,
      orderBy: [{ queuedAt: "desc" }, { id: "desc" }],
      take: limit + 1,
    });
    const page = runs.slice(0, limit).map(toSummary);
    const last = page.at(-1);
    return { runs: page, nextCursor: runs.length > limit && last ? encodeRunCursor({ ...list, queuedAt: last.queuedAt, runId: last.id }) : null };
  },

  /**
   * What the flow's trigger last received from outside (a webhook's request): the latest run of the kind, not a
   * manual one, as the JSON of its trigger items, for the editor's Run dialog to start from. Null when none.
   */
  async lastTriggerInput({ db, userId, workspaceId, flowId, trigger }: { db: Db; userId: string; workspaceId: string; flowId: string; trigger: string }) {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "workspace.read" });
    const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true } });
    if (!flow) throw new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });
    const run = await db.run.findFirst({
      where: { workspaceId, flowId, trigger, parentRunId: null },
      select: { id: true, queuedAt: true, input: true },
      orderBy: [{ queuedAt: "desc" }, { id: "desc" }],
    });
    if (!run || !Array.isArray(run.input)) return null;
    const items = (run.input as { json?: unknown }[]).map((item) => item?.json ?? {});
    return { runId: run.id, queuedAt: run.queuedAt, input: items.length === 1 ? items[0] : items };
  },

  /**
   * What each node of the flow sent out in its latest `runs` successful runs, newest run first and each run's steps
   * in the order they started (the first `stepsPerRun`): the JSON of every item of every port, with stored
   * references resolved. Outputs are the capped ones the steps stored. Another workspace's flow is not found.
   */
  async recentStepOutputs({ db, workspaceId, flowId, runs, stepsPerRun }: { db: Db; workspaceId: string; flowId: string; runs: number; stepsPerRun: number }) {
    const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true } });
    if (!flow) throw new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });
    const found = await db.run.findMany({
      where: { workspaceId, flowId, status: "succeeded" },
      select: {
        input: true,
        document: true,
        flowVersionId: true,
        steps: { where: { status: "succeeded" }, select: { nodeId: true, nodeName: true, nodeType: true, input: true, output: true, startedAt: true } },
      },
      orderBy: [{ queuedAt: "desc" }, { id: "desc" }],
      take: runs,
    });
    // Runs of a saved version share its document: each is read once.
    const versions = new Map<string, FlowDocument | null>();
    for (const run of found) {
      if (!run.document && run.flowVersionId && !versions.has(run.flowVersionId)) versions.set(run.flowVersionId, await runService.versionDocument({ db, versionId: run.flowVersionId }));
    }
    const samples = found.flatMap((run) => {
      const document = (run.document ?? (run.flowVersionId ? versions.get(run.flowVersionId) : null) ?? null) as FlowDocument | null;
      const resolved = resolveStoredSteps(run.steps, document?.edges ?? [], run.input);
      return inRunOrder(run.steps, document?.edges ?? []).slice(0, stepsPerRun).map((step) => ({
        nodeName: step.nodeName || step.nodeId,
        nodeType: step.nodeType,
        items: Object.values(resolved.outputOf(step.nodeId)).flatMap((items) => items.map((item) => item.json)),
      }));
    });
    return { runs: found.length, samples };
  },

  async get({ db, userId, workspaceId, runId }: { db: Db; userId: string; workspaceId: string; runId: string }) {
    await workspaceService.requireRole({ db, userId, workspaceId, permission: "workspace.read" });
    const run = await db.run.findFirst({
      where: { id: runId, workspaceId },
      select: {
        ...runSummarySelect,
        input: true,
        output: true,
        document: true,
        flowVersion: { select: { number: true, document: true } },
        steps: {
          select: { ...stepSelect, inputTruncated: true, outputTruncated: true },
        },
      },
    });
    if (!run) throw runNotFound();
    const document = (run.document ?? run.flowVersion?.document ?? null) as FlowDocument | null;
    return { ...toSummary(run), input: run.input, ...withItems(inRunOrder(run.steps, document?.edges ?? []), document, run.input, run.output) };
  },

  /** The run's workspace, for callers (SSE, cancel) that have only its id; null when there is no such run. */
  async workspaceOf({ db, runId }: { db: Db; runId: string }): Promise<string | null> {
    const run = await db.run.findUnique({ where: { id: runId }, select: { workspaceId: true } });
    return run?.workspaceId ?? null;
  },

  /**
   * How a run of the workspace stands and the items it ended with (its output port "out", references resolved);
   * null when there is no such run in the workspace.
   */
  async outcome({ db, workspaceId, runId }: { db: Db; workspaceId: string; runId: string }) {
    const run = await db.run.findFirst({
      where: { id: runId, workspaceId },
      select: { status: true, error: true, input: true, output: true },
    });
    if (!run) return null;
    const stored = run.output as StoredPorts | null;
    let output = stored;
    // An output that refers to a step's needs the steps put back together.
    if (stored?.fromStep) {
      const more = await db.run.findUniqueOrThrow({
        where: { id: runId },
        select: { document: true, flowVersion: { select: { document: true } }, steps: { select: { nodeId: true, input: true, output: true } } },
      });
      output = withItems(more.steps, (more.document ?? more.flowVersion?.document ?? null) as FlowDocument | null, run.input, run.output).output;
    }
    return { status: run.status, error: run.error as { message: string } | null, items: (output?.items.out ?? []) as Item[], truncated: Boolean(stored?.truncated) };
  },

  async status({ db, runId }: { db: Db; runId: string }) {
    return db.run.findUnique({ where: { id: runId }, select: { status: true, output: true, error: true } });
  },
};
