import { z } from "zod";
import { RUN_STATUSES } from "../../nodes/_core/run-types";

const workspaceId = z.string().min(1).max(64);
const id = z.string().min(1).max(64);

export const startRunInput = z.object({
  workspaceId,
  flowId: id,
  /** The test input: one item's JSON, or a list of them. */
  input: z.unknown().optional(),
  /** Run the editor's draft (a test run) or the active version. */
  source: z.enum(["draft", "active"]).default("draft"),
  startNodeId: z.string().min(1).max(64).optional(),
  /** Run only this node of the draft, on its upstream nodes' pinned output (or their output in the latest run). */
  onlyNodeId: z.string().min(1).max(64).optional(),
});
export const listRunsInput = z.object({
  workspaceId,
  flowId: id.optional(),
  status: z.enum(RUN_STATUSES).optional(),
  /** How the runs started: "manual", "webhook", "test webhook", "schedule", … (`run.triggers` lists the workspace's). */
  trigger: z.string().min(1).max(64).optional(),
  /** Queued at or after this time. */
  from: z.date().optional(),
  /** Queued before this time. */
  to: z.date().optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** The `nextCursor` of the previous page of this same list. */
  cursor: z.string().min(1).max(512).optional(),
});
export const runRefInput = z.object({ workspaceId, runId: id });
export const activateInput = z.object({ workspaceId, flowId: id, versionNumber: z.number().int().min(1).optional() });
export const previewExpressionInput = z.object({
  workspaceId,
  flowId: id,
  /** The run whose data to use; the flow's latest run that reached the node when left out. */
  runId: id.optional(),
  nodeId: id,
  /** A config value: a string of `{{ … }}` expressions (with or without text around them), or JSON holding such strings. */
  expression: z
    .union([z.string(), z.array(z.unknown()), z.record(z.string(), z.unknown())])
    .refine((value) => (typeof value === "string" ? value : JSON.stringify(value)).length <= 20_000, "Keep the expression under 20,000 characters"),
  /** The field's path, for the error message (`config.url`). */
  field: z.string().max(200).optional(),
  itemIndex: z.number().int().min(0).max(1_000_000).optional(),
});

const runFilter = listRunsInput.pick({ flowId: true, status: true, trigger: true, from: true, to: true });
export const retryRunInput = z.object({
  workspaceId,
  runId: id,
  /** From the trigger, or from the node that failed, on the stored output of the steps before it. */
  from: z.enum(["start", "failed"]),
});
export const deleteRunsInput = z
  .object({
    workspaceId,
    /** The runs to delete; or leave out and give `filter` to delete every finished run that matches it. */
    runIds: z.array(id).min(1, "select at least one run").max(1000, "select at most 1000 runs, or delete all that match the filter").optional(),
    filter: runFilter.optional(),
  })
  .refine((input) => Boolean(input.runIds) !== Boolean(input.filter), { message: "Give either runIds or filter", path: ["runIds"] });
export const workspaceOnlyInput = z.object({ workspaceId });
