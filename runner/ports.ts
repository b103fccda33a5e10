import type { FlowDocument } from "../nodes/_core/flow-document";
import type { RunStatus } from "../nodes/_core/run-types";

/**
 * What the runner needs from storage, declared here and implemented by the server's services (which may import
 * this file, as types only), wired by the entry points. The executor, listeners and webhooks still call services
 * directly (the known-violations list of the layer check names each arrow); they move here next.
 */

/** A flow whose active version's triggers run: schedules, listeners and webhooks are started from these. */
export interface ActiveFlow {
  flowId: string;
  workspaceId: string;
  /** Webhooks of the flow answer under it (a slug never changes). */
  workspaceSlug: string;
  versionId: string;
  document: FlowDocument;
}

/** The runs as stored, for the runtime: a run's end, cancel, the reconciler and retention. */
export interface RunLedger {
  /** A run's status and end as stored; null when there is no such run. */
  status(args: { runId: string }): Promise<{ status: RunStatus; error: unknown } | null>;
  /** Marks an unfinished run cancelled; says what it was (a queued run has nothing running to stop), null if finished. */
  markCancelled(args: { runId: string }): Promise<"queued" | "running" | null>;
  /** Unfinished runs no live worker holds, queued before `queuedBefore`. */
  orphans(args: { liveWorkers: string[]; queuedBefore: Date; limit: number }): Promise<{ id: string }[]>;
  /** Deletes one batch of finished runs older than `olderThan` or beyond `keepPerFlow`; how many went. */
  prune(args: { olderThan: Date; keepPerFlow: number; batch: number }): Promise<number>;
}

/** The flows whose active versions trigger runs. */
export interface ActiveFlows {
  activeFlows(args: { flowId?: string }): Promise<ActiveFlow[]>;
}

/** What the runtime needs from storage; the entry points build it from the services (server/runner-storage.ts). */
export interface RunnerStorage {
  runs: RunLedger;
  flows: ActiveFlows;
}
