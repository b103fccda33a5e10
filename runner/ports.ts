import path from "node:path";
import type { FlowDocument } from "../nodes/_core/flow-document";
import type { RunStatus, StepStatus } from "../nodes/_core/run-types";
import type { ExperimentStore, KeyValueStore, SeriesPointInput } from "../nodes/_kit/context";

/**
 * What the runner needs from storage, declared here and implemented by the server's services (which may import
 * this file, as types only), wired by the entry points. The runner imports no server code; the layer check
 * (`npm run layers`) keeps it so.
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
  orphans(args: { liveWorkers: string[]; queuedBefore: Date; limit: number }): Promise<{ id: string; workspaceId: string }[]>;
  /** The ids of the runs stored as running under this worker. */
  runningUnder(args: { workerId: string }): Promise<string[]>;
  /** Deletes one batch of finished runs older than `olderThan` or beyond `keepPerFlow` (null: no such limit); how many went. */
  prune(args: { olderThan: Date | null; keepPerFlow: number | null; batch: number }): Promise<number>;
}

/** The flows whose active versions trigger runs. */
export interface ActiveFlows {
  activeFlows(args: { flowId?: string }): Promise<ActiveFlow[]>;
  /** A flow's active version in that workspace (a sub-flow, an error flow); null when it has none. */
  activeVersionOf(args: { workspaceId: string; flowId: string }): Promise<{ versionId: string; document: FlowDocument } | null>;
}

/** A flow whose draft waits for a call to its test webhook URL; `problem` says why its draft cannot run. */
export type TestWebhookRoute = { flowId: string; workspaceId: string } & ({ document: FlowDocument } | { problem: string });

/** The editor's "Listen for test event": one call to `/hooks-test/<workspace>/<path>` runs the flow's draft. */
export interface TestWebhooks {
  /** The flow listening at this path of the workspace, with its draft as it is now; null when none listens. */
  listening(args: { workspaceSlug: string; path: string }): Promise<TestWebhookRoute | null>;
  /** Takes the flow's listener for one run; false when another call took it first or its time ran out. */
  take(args: { flowId: string }): Promise<boolean>;
  /** Records the run the call started, for the editor that listened. */
  started(args: { flowId: string; runId: string }): Promise<void>;
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

/** A point as stored: the node's point with where it came from. */
export interface SeriesPointRow extends SeriesPointInput {
  workspaceId: string;
  at: Date;
  flowId: string | null;
  runId: string | null;
}

/** The dashboards' series: points written by runs, and their retention (each workspace's seriesRetentionDays). */
export interface SeriesStore {
  append(points: SeriesPointRow[]): Promise<void>;
  /** Deletes one batch of points older than their workspace keeps them; how many went. */
  prune(args: { batch: number }): Promise<number>;
}

/** A run as written: the columns of a stored run (server/services/run-store.ts checks them against the schema). */
export interface RunRow {
  id: string;
  workspaceId: string;
  flowId: string;
  flowVersionId: string | null;
  status: RunStatus;
  trigger: string;
  input: unknown;
  output: unknown;
  error: unknown;
  workerId: string | null;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  startNodeId: string | null;
  parentRunId: string | null;
  document: unknown;
}

/** A step as written (less the loss counter, which only the claim moves); checked against the schema as RunRow is. */
export interface StepRow {
  workspaceId: string;
  runId: string;
  nodeId: string;
  nodeName: string;
  nodeType: string;
  status: StepStatus;
  attempt: number;
  input: unknown;
  output: unknown;
  inputTruncated: boolean;
  outputTruncated: boolean;
  outputRef: string | null;
  error: unknown;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  /** Tokens per provider and model, for steps that called a model. */
  usage?: unknown;
  /** The worker writing the step: not written once another worker holds its run (this one stalled and was replaced). */
  writerId?: string;
}

/** Tokens spent by one step, added to its workspace's totals for the day it finished (UTC). */
export interface UsageEntry {
  workspaceId: string;
  at: Date;
  usage: { provider: string; model: string; promptTokens: number; completionTokens: number; calls: number }[];
}

/** A run as the runner needs it to execute: what to run, with which input, and what already finished. */
export interface ClaimedRun {
  id: string;
  workspaceId: string;
  flowId: string;
  flowVersionId: string | null;
  trigger: string;
  input: unknown;
  queuedAt: Date;
  startedAt: Date;
  startNodeId: string | null;
  parentRunId: string | null;
  document: FlowDocument;
  finishedSteps: FinishedStepRow[];
  /** Steps an earlier attempt started and never finished: their worker was lost, or handed the run back. */
  interruptedSteps: InterruptedStepRow[];
  /** Workers lost while no step was recorded as running (in a trigger or pure node), this claim's included. */
  workerLosses: number;
}

export interface InterruptedStepRow {
  nodeId: string;
  nodeName: string;
  nodeType: string;
  attempt: number;
  /** Counted at this claim too when the run's previous worker is gone (not when it handed the run back). */
  workerLosses: number;
}

export interface FinishedStepRow {
  nodeId: string;
  nodeName: string;
  nodeType: string;
  status: "succeeded" | "failed";
  attempt: number;
  input: unknown;
  output: unknown;
  outputRef: string | null;
  error: unknown;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
}

/** The executor's writes of runs and steps, and the claims that say which worker runs what (run-service, run-store). */
export interface RunJournal {
  /** Batched writes; `drain` resolves once everything written so far is stored. */
  saveRun(row: RunRow): Promise<void>;
  saveStep(row: StepRow): Promise<void>;
  addUsage(entry: UsageEntry): Promise<void>;
  drain(): Promise<void>;
  /** Resolves at once, unless writes are backed up; then when they have caught up. Every run waits for it before it starts. */
  room(): Promise<void>;
  /** Takes a run for this worker unless a live worker holds it; null when it cannot be taken (or has no document). */
  claim(args: { runId: string; workerId: string; liveWorkers: string[]; versionDocument: (versionId: string) => Promise<FlowDocument | null> }): Promise<ClaimedRun | null>;
  /** Queue mode: records that a step starts on this worker; not started when the run is no longer running here. */
  startStep(args: {
    workerId: string;
    step: { workspaceId: string; runId: string; nodeId: string; nodeName: string; nodeType: string; attempt: number; startedAt: Date };
  }): Promise<{ started: true } | { started: false; status: string | null }>;
  /** Fails a run whose step (or, with none, the run) lost its worker too often, while this worker holds it; the error stored, or null. */
  failAfterLosses(args: { runId: string; workerId: string; step: InterruptedStepRow | null; losses: number; maxLosses: number }): Promise<{ message: string; code: string; retryable: false } | null>;
  /** A saved version's document; versions never change. */
  versionDocument(args: { versionId: string }): Promise<FlowDocument | null>;
  /** Gives a run back without finishing it, so another worker resumes it. */
  release(args: { runId: string; workerId: string }): Promise<void>;
  delete(args: { runId: string }): Promise<void>;
}

/** What the runtime needs from storage; the entry points build it from the services (server/runner-storage.ts). */
export interface RunnerStorage {
  runs: RunLedger;
  journal: RunJournal;
  flows: ActiveFlows;
  credentials: RunCredentials;
  flowState: FlowStates;
  experiments: Experiments;
  series: SeriesStore;
  testWebhooks: TestWebhooks;
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
  /** Of WORKER_CONCURRENCY, how many runs of one workspace at once; unset, three quarters. */
  WORKSPACE_CONCURRENCY?: number;
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

/** Where binary storage keeps its files: BINARY_DIR, else `binary` in the data folder. */
export function binaryDirOf(settings: Pick<RunnerSettings, "DATA_DIR" | "BINARY_DIR">): string {
  return settings.BINARY_DIR ?? path.join(settings.DATA_DIR, "binary");
}
