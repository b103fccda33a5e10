import type { FlowDocument } from "../nodes/_core/flow-document";
import type { RunStatus } from "../nodes/_core/run-types";
import type { ExperimentStore, KeyValueStore } from "../nodes/_kit/context";

/**
 * What the runner needs from storage, declared here and implemented by the server's services (which may import
 * this file, as types only), wired by the entry points. What still calls services directly is named, arrow by
 * arrow, in the layer check's known-violations list.
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
  /** A flow's active version in that workspace (a sub-flow, an error flow); null when it has none. */
  activeVersionOf(args: { workspaceId: string; flowId: string }): Promise<{ versionId: string; document: FlowDocument } | null>;
}

/** Where a node's credential is named: by id when the editor picked one, else by name. */
export interface CredentialRef {
  id?: string;
  name: string;
}

/** Credentials as runs, listeners and webhooks use them: decrypted, and only ever from the run's own workspace. */
export interface RunCredentials {
  /** The credential's fields; throws (saying what to do) when there is none by that ref or it is of another type. */
  open(args: { workspaceId: string; ref: CredentialRef; type: string }): Promise<Record<string, string>>;
}

/** The per-flow key/value store behind a node's `ctx.kv`. */
export interface FlowStates {
  of(args: { workspaceId: string; flowId: string }): KeyValueStore;
}

/** The A/B experiments behind a node's `ctx.experiments`, per flow. */
export interface Experiments {
  of(args: { workspaceId: string; flowId: string }): ExperimentStore;
}

/** What the runtime needs from storage; the entry points build it from the services (server/runner-storage.ts). */
export interface RunnerStorage {
  runs: RunLedger;
  flows: ActiveFlows;
  credentials: RunCredentials;
  flowState: FlowStates;
  experiments: Experiments;
}

/**
 * The settings the runtime reads, named as the environment variables they come from (server/env.ts parses and
 * checks them; the entry points pass that object as it is). What each means: the README's table.
 */
export interface RunnerSettings {
  /** Queue mode when set; embedded when not. */
  REDIS_URL?: string;
  DATA_DIR: string;
  BINARY_DIR?: string;
  /** Signs binary file URLs. */
  NEXTAUTH_SECRET?: string;
  HTTP_ALLOW_HOSTS?: string;
  WORKER_CONCURRENCY: number;
  WORKER_QUEUES: ("runs" | "media")[];
  MEDIA_CONCURRENCY: number;
  TRANSCODE_CONCURRENCY: number;
  WEBHOOK_RATE_LIMIT: number;
  EXPRESSION_TIMEOUT_MS: number;
  EXPRESSION_MEMORY_MB: number;
  JSON_MAX_DEPTH: number;
  STEP_DATA_CAP_BYTES: number;
  RUN_RETENTION_DAYS: number;
  RUN_RETENTION_PER_FLOW: number;
  RECONCILE_INTERVAL_MS: number;
  SHUTDOWN_GRACE_MS: number;
  RUN_MAX_WORKER_LOSSES: number;
  LISTENER_LOCK_MS: number;
}
