import type { ProgressUpdate } from "../_kit/context";
import type { SerializedNodeError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import type { FlowDocument } from "./flow-document";

/**
 * Run and step statuses, defined once: the database enums (prisma/schema.prisma) are checked against these at
 * compile time (server/services/run-store.ts), and the engine, services, API and editor all derive from them.
 */
export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** How a run ended: every status but waiting and running. */
export type FinishedRunStatus = Exclude<RunStatus, "queued" | "running">;
export const FINISHED_RUN_STATUSES: readonly FinishedRunStatus[] = ["succeeded", "failed", "cancelled"];
export const isFinishedRunStatus = (status: string): status is FinishedRunStatus => (FINISHED_RUN_STATUSES as readonly string[]).includes(status);

export const STEP_STATUSES = ["running", "succeeded", "failed", "skipped", "cancelled"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
/** How a step ended. */
export type FinishedStepStatus = Exclude<StepStatus, "running">;

/** What to run: a flow document and the items its trigger produced. */
export interface RunSpec {
  workspaceId: string;
  flowId: string;
  flowVersionId: string | null;
  document: FlowDocument;
  trigger: string;
  triggerItems: Item[];
  startNodeId?: string;
  parentRunId?: string;
}

/**
 * A run's live events: what the engine emits, the event bus carries between processes and
 * `/api/runs/<id>/events` sends to the browser as server-sent events (the event name is `type`).
 */
export type RunEvent =
  | { type: "run.started"; runId: string; at: string }
  | { type: "step.started"; runId: string; nodeId: string; attempt: number; at: string }
  | { type: "step.progress"; runId: string; nodeId: string; progress: ProgressUpdate; at: string }
  | { type: "step.finished"; runId: string; nodeId: string; status: FinishedStepStatus; durationMs: number; error: SerializedNodeError | null; itemCount: number; at: string }
  | { type: "run.finished"; runId: string; status: FinishedRunStatus | "queued"; error: SerializedNodeError | null; at: string };

export type RunEventType = RunEvent["type"];

/** The first server-sent event of a run's stream (`snapshot`): the run as stored when the stream opened. */
export interface RunSnapshotEvent {
  status: RunStatus;
  error: { message: string } | null;
  finishedAt: string | null;
  steps: { nodeId: string; status: StepStatus; durationMs: number | null; error: { message: string } | null; output: { items?: Record<string, unknown[]> } | null }[];
  /** How many kept events follow the snapshot (they may repeat what an earlier connection saw). */
  replayed?: number;
}
