import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/routers/_app";
import type { FlowDocument, FlowNode } from "@/nodes/_core/flow-document";
import type { StepStatus } from "@/nodes/_core/run-types";
import type { NodePorts } from "./graph-rules";

type Outputs = inferRouterOutputs<AppRouter>;
export type CatalogEntry = Outputs["nodeCatalog"]["list"][number];
export type RunDetail = Outputs["run"]["get"];
export type RunStep = RunDetail["steps"][number];
export type StickyNote = FlowDocument["notes"][number];
/** A problem of the flow, located on a node (and field) or on edges: an error, or a warning that does not block it. */
export type Problem = Outputs["flow"]["validate"]["issues"][number];
/** What a node card and an edge show of their problems. */
export type ShownProblem = Pick<Problem, "message" | "severity">;

/** A node on the canvas: not run yet, or its step's status. */
export type NodeStatus = "idle" | StepStatus;

/** What the canvas shows of a node in the run being watched or looked at. */
export interface NodeRunState {
  status: NodeStatus;
  durationMs?: number;
  itemCount?: number;
  error?: { message: string } | null;
  progress?: { percent?: number; message?: string; [k: string]: unknown };
  /** Text streamed so far while the node runs (an LLM's reply), by input item. */
  streams?: string[];
  attempt?: number;
}

/** Everything a node card draws; rebuilt only for the nodes whose parts changed, so the others do not re-render. */
export interface FlowNodeData extends Record<string, unknown> {
  node: FlowNode;
  entry: CatalogEntry | undefined;
  ports: NodePorts;
  run: NodeRunState | undefined;
  issues: ShownProblem[];
  pinned: boolean;
}

export interface NoteData extends Record<string, unknown> {
  note: StickyNote;
}
