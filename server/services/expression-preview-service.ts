import type { Db } from "../db";
import type { Item } from "../../nodes/_kit/items";
import { ExpressionError, resolveExpressions, type ExpressionEvaluator, type ExpressionScope } from "../../nodes/_core/expressions";
import { resolveStoredSteps, inRunOrder } from "../../nodes/_core/step-data";
import type { FlowDocument } from "../../nodes/_core/flow-document";
import { ServiceError } from "./service-error";

export type ExpressionPreview =
  | { ok: true; value: unknown; runId: string | null; itemIndex: number; itemCount: number }
  | { ok: false; error: { message: string; position?: number }; runId: string | null; itemIndex: number; itemCount: number };

interface PreviewArgs {
  db: Db;
  workspaceId: string;
  flowId: string;
  runId?: string;
  nodeId: string;
  expression: unknown;
  field?: string;
  itemIndex?: number;
  /** The process's expression evaluator: a preview is held to the same limits as a run. */
  evaluator: ExpressionEvaluator;
}

const stepSelect = { nodeId: true, nodeName: true, input: true, output: true, startedAt: true, finishedAt: true } as const;

/** The run to preview against: the one named, or the flow's latest run that has a step for the node. */
async function findRunId({ db, workspaceId, flowId, runId, nodeId }: Pick<PreviewArgs, "db" | "workspaceId" | "flowId" | "runId" | "nodeId">): Promise<string | null> {
  if (runId) {
    const run = await db.run.findFirst({ where: { id: runId, workspaceId, flowId }, select: { id: true } });
    if (!run) throw new ServiceError({ code: "NOT_FOUND", message: "Run not found" });
    return run.id;
  }
  // Newest first along the (workspace, flow, queuedAt) index; each run's step is found by its key.
  const latest = await db.run.findFirst({
    where: { workspaceId, flowId, steps: { some: { nodeId } } },
    select: { id: true },
    orderBy: { queuedAt: "desc" },
  });
  return latest?.id ?? null;
}

/** What the node's expressions saw in that run: its input items, the trigger item and the nodes finished before it. */
async function scopeOf({ db, runId, nodeId }: { db: Db; runId: string; nodeId: string }) {
  const run = await db.run.findUniqueOrThrow({
    where: { id: runId },
    select: { flowId: true, input: true, document: true, flowVersion: { select: { document: true } }, steps: { select: stepSelect } },
  });
  const document = (run.document ?? run.flowVersion?.document ?? null) as FlowDocument | null;
  const resolved = resolveStoredSteps(run.steps, document?.edges ?? [], run.input);
  const step = run.steps.find((s) => s.nodeId === nodeId);
  const trigger = (Array.isArray(run.input) ? run.input : []) as unknown as Item[];
  const node: ExpressionScope["node"] = {};
  // Steps within one millisecond are told apart by their place in the flow (`inRunOrder`).
  const place = new Map(inRunOrder(run.steps, document?.edges ?? []).map((s, i) => [s.nodeId, i]));
  for (const other of run.steps) {
    // Only what had settled when this node started was visible to it, as in the engine.
    if (other.nodeId === nodeId || !step || !other.finishedAt || other.finishedAt > step.startedAt) continue;
    if (place.get(other.nodeId)! > place.get(nodeId)!) continue;
    const ports = resolved.outputOf(other.nodeId);
    const out = ports.out ?? Object.values(ports)[0] ?? [];
    node[other.nodeName] = { json: out[0]?.json ?? null, items: out.map((i) => i.json) };
  }
  return {
    nodeName: step?.nodeName ?? nodeId,
    input: step ? Object.values(resolved.inputOf(nodeId)).flat() : [],
    base: { trigger: trigger[0]?.json ?? {}, node, runId, flowId: run.flowId },
  };
}

export const expressionPreviewService = {
  /**
   * Evaluates a config value (a string of `{{ … }}` expressions and text, or JSON holding such strings) with the
   * engine's own expression code against a node's input item in a run: the one named, or else the flow's latest
   * run that reached the node. Without such a run it is evaluated against an empty item, so mistakes in the
   * expression still show. A failing expression is an answer (`ok: false` with the message and position), not an
   * error.
   */
  async preview({ db, workspaceId, flowId, runId, nodeId, expression, field, itemIndex = 0, evaluator }: PreviewArgs): Promise<ExpressionPreview> {
    const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true } });
    if (!flow) throw new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });
    const found = await findRunId({ db, workspaceId, flowId, runId, nodeId });
    const { nodeName, input, base } = found
      ? await scopeOf({ db, runId: found, nodeId })
      : { nodeName: nodeId, input: [] as Item[], base: { trigger: {}, node: {}, runId: "", flowId } };
    const index = input.length === 0 ? 0 : Math.min(itemIndex, input.length - 1);
    const item = input[index];
    const scope: ExpressionScope = { ...base, workspaceId, json: item?.json ?? base.trigger, binary: item?.binary, itemIndex: index };
    const where = { runId: found, itemIndex: index, itemCount: input.length };
    try {
      const value = await resolveExpressions(expression, { scope, nodeName, evaluator, field: field ?? "expression" });
      return { ok: true, value: value === undefined ? null : value, ...where };
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      const position = err.details?.position;
      return { ok: false, error: { message: err.message, ...(typeof position === "number" ? { position } : {}) }, ...where };
    }
  },
};
