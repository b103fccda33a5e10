import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { BinaryStore, HttpClient, NodeLimits, WebhookResponse } from "../nodes/_kit/context";
import { runsAgainOnResume, type NodeDefinition } from "../nodes/_kit/define-node";
import { NodeConfigError, NodeError } from "../nodes/_kit/errors";
import { allItems, type Item, type PortItems } from "../nodes/_kit/items";
import type { FlowDocument } from "../nodes/_core/flow-document";
import type { RunSpec } from "../nodes/_core/run-types";
import { RawJson } from "../nodes/_core/raw-json";
import { executeFlow, type EngineServices, type RunIdentity, type RunOutcome, type StepRecord } from "./engine";
import type { ActiveFlows, ClaimedRun, Experiments, FinishedStepRow, FlowStates, InterruptedStepRow, RunCredentials, RunJournal, RunRow, SeriesStore, StepRow } from "./ports";
import { seriesWriter } from "./series";
import type { EventBus } from "./events";
import { inLogContext } from "./log-context";
import type { Metrics } from "./metrics";
import { capPorts, resolveStoredSteps, sameItems, type StoredPorts } from "../nodes/_core/step-data";

export const MAX_SUBFLOW_DEPTH = 10;
/** How long a run started in this process may go before it is stored (quick runs are stored once, at the end). */
export const INLINE_HOLD_MS = 250;
const PENDING_CANCEL_MS = 30_000;
const MAX_CACHED_DOCUMENTS = 500;

export interface ExecutorDeps {
  /** Where runs and steps are written and claimed. */
  journal: RunJournal;
  registry: ReadonlyMap<string, NodeDefinition>;
  expressions: EngineServices["expressions"];
  code: EngineServices["code"];
  binary: BinaryStore;
  http: HttpClient;
  limits: NodeLimits;
  events: EventBus;
  flows: ActiveFlows;
  credentials: RunCredentials;
  flowState: FlowStates;
  experiments: Experiments;
  series: SeriesStore;
  logger: Logger;
  workerId: string;
  liveWorkers(): string[];
  /** Step input and output above this many bytes of JSON are stored cut down, with the cap shown. */
  stepCapBytes: number;
  /** How deep a node's output items may nest (`JSON_MAX_DEPTH`). */
  jsonMaxDepth: number;
  /** A run whose step has lost its worker this many times is failed instead of handed to yet another worker. */
  maxWorkerLosses: number;
  /** Whether someone has the flow's runs open, so its run events must reach other processes. */
  isWatched(flowId: string): boolean;
  /** Queues a run of another flow (the error flow of a failed run). */
  enqueue(spec: RunSpec): Promise<string>;
  /** Queue mode: runs the steps of nodes that declare a queue (transcode) on that queue's workers. */
  offload?: EngineServices["offload"];
  /** Counts runs started and finished, step durations and tokens. */
  metrics: Metrics;
}

interface ActiveRun {
  controller: AbortController;
  handingBack: boolean;
  /** Settles once the run has ended here and its end is stored (or it was handed back). */
  ended: Promise<void>;
  end(): void;
}

/** Capped data as stored: whole, it goes to the database as the JSON text its size was measured on. */
function storedJson(capped: ReturnType<typeof capPorts>): unknown {
  return capped.truncated ? capped.stored : new RawJson(`{"items":${capped.json}}`);
}

const isKept = (document: FlowDocument, status: RunOutcome["status"]) =>
  document.settings.keepRuns === "all" || (document.settings.keepRuns === "failed" && status !== "succeeded");

/** Runs flows in this process: new runs started here, and stored runs claimed from the queue (resuming them). */
export class Executor {
  private readonly active = new Map<string, ActiveRun>();
  /** The runs this process has, from before their claim (or their start here) until their end is stored. */
  private readonly holding = new Set<string>();
  private readonly pendingCancels = new Set<string>();
  private readonly documents = new Map<string, FlowDocument>();
  /** What every run's engine gets from this process; made once. */
  private baseServices: Omit<EngineServices, "saveStep" | "emit"> | undefined;

  constructor(private readonly deps: ExecutorDeps) {}

  get activeCount(): number {
    return this.active.size;
  }

  /** Whether this process has the run: claiming it, running it, or storing its end. */
  holds(runId: string): boolean {
    return this.holding.has(runId);
  }

  /** Stores a queued run; the caller hands its id to the queue. */
  async createQueued(spec: RunSpec): Promise<string> {
    const row = this.newRow(spec, "queued");
    await this.deps.journal.saveRun(row);
    return row.id;
  }

  /**
   * Runs now, in this process (webhooks that answer with the flow's result, sub-flows, the CLI, embedded mode).
   * The run id is known at once; `done` settles when the run has finished and been stored.
   */
  runInline(spec: RunSpec, options: { respond?: (response: WebhookResponse) => void; depth?: number } = {}): { runId: string; done: Promise<RunOutcome> } {
    const row = this.newRow(spec, "running");
    row.workerId = this.deps.workerId;
    row.startedAt = row.queuedAt;
    this.holding.add(row.id);
    const done = this.execute(row, spec.document, new Map(), { respond: options.respond, depth: options.depth ?? 0, stored: false }).finally(() =>
      this.holding.delete(row.id),
    );
    return { runId: row.id, done };
  }

  /** Claims a stored run and runs it, skipping the steps an earlier attempt finished; null if another worker holds it. */
  async runStored(runId: string): Promise<RunOutcome | null> {
    this.holding.add(runId);
    try {
      return await this.claimAndRun(runId);
    } finally {
      this.holding.delete(runId);
    }
  }

  private async claimAndRun(runId: string): Promise<RunOutcome | null> {
    const claimed = await this.deps.journal.claim({
      runId,
      workerId: this.deps.workerId,
      liveWorkers: this.deps.liveWorkers(),
      versionDocument: (versionId) => this.versionDocument(versionId),
    });
    if (!claimed) return null;
    const poison = claimed.interruptedSteps.find((step) => step.workerLosses >= this.deps.maxWorkerLosses);
    if (poison) return this.failAfterLosses(claimed, poison, poison.workerLosses);
    if (claimed.workerLosses >= this.deps.maxWorkerLosses) return this.failAfterLosses(claimed, null, claimed.workerLosses);
    const row: RunRow = {
      id: claimed.id,
      workspaceId: claimed.workspaceId,
      flowId: claimed.flowId,
      flowVersionId: claimed.flowVersionId,
      status: "running",
      trigger: claimed.trigger,
      input: claimed.input,
      output: null,
      error: null,
      workerId: this.deps.workerId,
      queuedAt: claimed.queuedAt,
      startedAt: claimed.startedAt,
      finishedAt: null,
      startNodeId: claimed.startNodeId,
      parentRunId: claimed.parentRunId,
      document: null,
    };
    const finished = new Map<string, StepRecord>();
    const stored = resolveStoredSteps(claimed.finishedSteps, claimed.document.edges, claimed.input);
    for (const step of claimed.finishedSteps) finished.set(step.nodeId, await this.toRecord(claimed.workspaceId, step, stored.outputOf(step.nodeId)));
    const interrupted = new Map(claimed.interruptedSteps.map((step) => [step.nodeId, step.attempt]));
    return this.execute(row, claimed.document, finished, { depth: 0, stored: true, interrupted });
  }

  /**
   * Ends a run whose step keeps losing its worker (a step that crashes or freezes the process) as failed; with no
   * step, one of its steps not recorded as they start did.
   */
  private async failAfterLosses(run: ClaimedRun, step: InterruptedStepRow | null, losses: number): Promise<RunOutcome | null> {
    const { journal, workerId, maxWorkerLosses } = this.deps;
    const error = await journal.failAfterLosses({ runId: run.id, workerId, step, losses, maxLosses: maxWorkerLosses });
    if (!error) return null;
    this.deps.logger.warn({ runId: run.id, node: step?.nodeName, losses }, "failed a run whose step keeps losing its worker");
    const outcome: RunOutcome = { status: "failed", output: [], error, steps: [] };
    this.deps.events.publish({ type: "run.finished", runId: run.id, status: "failed", error, at: new Date().toISOString() }, true);
    const errorFlowId = run.document.settings.errorFlowId;
    if (errorFlowId) {
      await this.startErrorFlow(run, errorFlowId, error, step ?? undefined).catch((err: unknown) => this.deps.logger.error({ err, runId: run.id, errorFlowId }, "could not start the error flow"));
    }
    return outcome;
  }

  /**
   * Versions never change, so their documents are kept (the most recently used few hundred): a worker parses
   * a flow's document once, not once per run, and the engine's per-document plans stay warm.
   */
  private async versionDocument(versionId: string): Promise<FlowDocument | null> {
    const cached = this.documents.get(versionId);
    if (cached) {
      this.documents.delete(versionId);
      this.documents.set(versionId, cached);
      return cached;
    }
    const document = await this.deps.journal.versionDocument({ versionId });
    if (document) {
      this.documents.set(versionId, document);
      if (this.documents.size > MAX_CACHED_DOCUMENTS) this.documents.delete(this.documents.keys().next().value!);
    }
    return document;
  }

  /** Keeps bytes that arrived with a trigger (a webhook upload) in binary storage. */
  storeBinary(workspaceId: string, data: Buffer, meta: { mimeType: string; fileName?: string }) {
    return this.deps.binary.put(data, { workspaceId, ...meta });
  }

  /** Cancels a run running here: settles once it has ended; null when it is not running in this process. */
  cancel(runId: string): Promise<void> | null {
    const run = this.active.get(runId);
    if (!run) {
      // It may be between its claim and its start here; the cancel waits for it a while.
      this.pendingCancels.add(runId);
      setTimeout(() => this.pendingCancels.delete(runId), PENDING_CANCEL_MS).unref();
      return null;
    }
    run.controller.abort();
    return run.ended;
  }

  /** Stops every run here without finishing it, so another worker resumes each from its last stored step. */
  handBackAll(): void {
    for (const run of this.active.values()) {
      run.handingBack = true;
      run.controller.abort();
    }
  }

  /** Manual runs are watched by whoever started them; other runs only while their flow is open somewhere. */
  private shared(row: RunRow): boolean {
    return row.trigger === "manual" || this.deps.isWatched(row.flowId);
  }

  private newRow(spec: RunSpec, status: "queued" | "running"): RunRow {
    return {
      id: randomUUID(),
      workspaceId: spec.workspaceId,
      flowId: spec.flowId,
      flowVersionId: spec.flowVersionId,
      status,
      trigger: spec.trigger,
      input: spec.triggerItems,
      output: null,
      error: null,
      workerId: null,
      queuedAt: new Date(),
      startedAt: null,
      finishedAt: null,
      startNodeId: spec.startNodeId ?? null,
      parentRunId: spec.parentRunId ?? null,
      // A run of a saved version reads the version; a test run of a draft keeps the document it ran.
      document: spec.flowVersionId ? null : spec.document,
    };
  }

  private async toRecord(workspaceId: string, step: FinishedStepRow, resolved: PortItems): Promise<StepRecord> {
    const output: PortItems = step.outputRef
      ? (JSON.parse((await this.deps.binary.read(workspaceId, step.outputRef)).toString("utf8")) as PortItems)
      : resolved;
    return {
      nodeId: step.nodeId,
      nodeName: step.nodeName,
      nodeType: step.nodeType,
      status: step.status,
      attempt: step.attempt,
      input: (step.input as StoredPorts | null)?.items ?? {},
      inputFromUpstream: (step.input as StoredPorts | null)?.fromUpstream === true,
      output,
      error: step.error as StepRecord["error"],
      startedAt: step.startedAt,
      finishedAt: step.finishedAt ?? step.startedAt,
      durationMs: step.durationMs ?? 0,
    };
  }

  /** Runs it; every log line written meanwhile names the run, its flow and workspace. */
  private execute(
    row: RunRow,
    document: FlowDocument,
    finished: Map<string, StepRecord>,
    options: { respond?: (response: WebhookResponse) => void; depth: number; stored: boolean; interrupted?: ReadonlyMap<string, number> },
  ): Promise<RunOutcome> {
    return inLogContext({ workspaceId: row.workspaceId, flowId: row.flowId, runId: row.id }, () => this.executeRun(row, document, finished, options));
  }

  private async executeRun(
    row: RunRow,
    document: FlowDocument,
    finished: Map<string, StepRecord>,
    options: { respond?: (response: WebhookResponse) => void; depth: number; stored: boolean; interrupted?: ReadonlyMap<string, number> },
  ): Promise<RunOutcome> {
    const { journal, logger } = this.deps;
    await journal.room();
    const keepAll = document.settings.keepRuns === "all";
    // A stored (queued) run is written throughout. A run started here is held while it is short: a quick run is
    // written once, run and steps in one batch; one still going after INLINE_HOLD_MS is written with its steps so
    // far, then as it goes. A run kept only if it fails is written only once it has failed. Held steps are made into
    // rows only when they are written: most runs of a flow that keeps failed runs only never are. A queued run holds
    // the steps of triggers and pure nodes (see `saveStep`).
    let writing = options.stored;
    const held: StepRecord[] = [];
    const store = async (step: StepRecord) => journal.saveStep(await this.toStepRow(row, step));
    const holdTimer =
      !options.stored && keepAll
        ? setTimeout(() => {
            writing = true;
            journal.saveRun(row).catch((err: unknown) => logger.error({ err, runId: row.id }, "could not store a run"));
            for (const step of held.splice(0)) store(step).catch((err: unknown) => logger.error({ err, runId: row.id }, "could not store a step"));
          }, INLINE_HOLD_MS)
        : undefined;
    const identity: RunIdentity = { id: row.id, workspaceId: row.workspaceId, flowId: row.flowId, trigger: row.trigger };
    this.deps.metrics.runsStarted.inc({ trigger: row.trigger });
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const active: ActiveRun = { controller: new AbortController(), handingBack: false, ended, end };
    this.active.set(row.id, active);
    if (this.pendingCancels.delete(row.id)) active.controller.abort();

    const shared = this.shared(row);
    const services: EngineServices = {
      ...(this.baseServices ??= this.engineServices()),
      emit: (make) => {
        if (shared || this.deps.events.observed(row.id)) this.deps.events.publish(make(), shared);
      },
      startStep: async (_run, step) => {
        // Held steps are stored first, so the run's history shows them before this one (which may take a while).
        await Promise.all(held.splice(0).map(store));
        const start = await journal.startStep({ workerId: this.deps.workerId, step: { ...step, workspaceId: row.workspaceId, runId: row.id } });
        if (start.started) return;
        // Cancelled without this worker hearing of it, or taken over (failed) while it was stalled: it stops here,
        // and only a cancel's end is its to report (the run's writes no longer apply).
        logger.warn({ runId: row.id, node: step.nodeName, status: start.status }, "the run is no longer running here; stopping it");
        if (start.status !== "cancelled") active.handingBack = true;
        active.controller.abort();
      },
      saveStep: async (_run, step) => {
        this.deps.metrics.stepFinished(step);
        // Counted whether or not the run is kept: the totals are what was spent.
        if (step.usage) journal.addUsage({ workspaceId: row.workspaceId, at: step.finishedAt, usage: step.usage }).catch((err: unknown) => logger.error({ err, runId: row.id }, "could not add up token usage"));
        if (active.handingBack && step.status === "cancelled") return;
        // A queued run stores its steps as they finish, but for triggers and pure nodes: a run resumed without them
        // runs them again, so they wait for the next step that is not pure, or the run's end.
        const definition = this.deps.registry.get(step.nodeType);
        if (writing && !(options.stored && definition && runsAgainOnResume(definition))) await store(step);
        else held.push(step);
      },
    };
    let outcome: RunOutcome;
    try {
      outcome = await executeFlow(services, {
        run: identity,
        document,
        triggerItems: (row.input as Item[] | null) ?? [],
        startNodeId: row.startNodeId ?? undefined,
        finished,
        signal: active.controller.signal,
        durableSteps: options.stored,
        interrupted: options.interrupted,
        respond: options.respond,
        depth: options.depth,
        // Pinned test data stands in for nodes only in test runs of the draft started from the editor.
        usePinData: row.trigger === "manual" && row.flowVersionId === null,
      });
    } catch (err) {
      // The graph itself could not be run (no trigger, a cycle, an unknown node type).
      const error = err instanceof NodeError ? { message: err.message, code: err.code, retryable: false } : { message: String(err), code: "INTERNAL", retryable: false };
      outcome = { status: "failed", output: [], error, steps: [] };
    } finally {
      this.active.delete(row.id);
      clearTimeout(holdTimer);
    }

    if (active.handingBack) {
      await journal.drain();
      await journal.release({ runId: row.id, workerId: this.deps.workerId });
      active.end();
      return outcome;
    }
    this.deps.metrics.runsFinished.inc({ status: outcome.status, trigger: row.trigger });
    const finishedAt = new Date();
    const final: RunRow = {
      ...row,
      status: outcome.status,
      output: this.storedRunOutput(outcome),
      error: outcome.error,
      finishedAt,
    };
    try {
      if (isKept(document, outcome.status)) {
        // Enqueued together, so a quick run's row and steps go to the database in the same statement.
        const steps = await Promise.all(held.map((step) => this.toStepRow(row, step)));
        await Promise.all([journal.saveRun(final), ...steps.map((step) => journal.saveStep(step))]);
      } else if (options.stored) {
        await journal.drain();
        await journal.delete({ runId: row.id });
      }
    } catch (err) {
      logger.error({ err, runId: row.id }, "could not store the end of a run");
    }
    active.end();
    this.deps.events.publish({ type: "run.finished", runId: row.id, status: outcome.status, error: outcome.error, at: finishedAt.toISOString() }, this.shared(row));
    if (outcome.status === "failed" && document.settings.errorFlowId) {
      const failed = outcome.steps.find((s) => s.status === "failed");
      await this.startErrorFlow(row, document.settings.errorFlowId, outcome.error, failed).catch((err: unknown) =>
        logger.error({ err, runId: row.id, errorFlowId: document.settings.errorFlowId }, "could not start the error flow"),
      );
    }
    return outcome;
  }

  /** The run's output, which is some step's default output: stored as a reference to that step when it is. */
  private storedRunOutput(outcome: RunOutcome): unknown {
    const from = outcome.output.length ? outcome.steps.find((s) => s.output.out === outcome.output) : undefined;
    if (from) return { items: {}, fromStep: from.nodeId } satisfies StoredPorts;
    return storedJson(capPorts({ out: outcome.output }, this.deps.stepCapBytes));
  }

  /** A failed run starts its flow's error flow (an active flow of the same workspace) with what went wrong. */
  private async startErrorFlow(
    row: Pick<RunRow, "id" | "workspaceId" | "flowId" | "trigger" | "startedAt">,
    errorFlowId: string,
    error: RunOutcome["error"],
    failed: Pick<StepRecord, "nodeId" | "nodeName" | "nodeType"> | undefined,
  ): Promise<void> {
    if (errorFlowId === row.flowId || row.trigger === "error") return;
    const target = await this.deps.flows.activeVersionOf({ workspaceId: row.workspaceId, flowId: errorFlowId });
    if (!target) {
      this.deps.logger.warn({ runId: row.id, errorFlowId }, "the error flow is not an active flow of this workspace");
      return;
    }
    await this.deps.enqueue({
      workspaceId: row.workspaceId,
      flowId: errorFlowId,
      flowVersionId: target.versionId,
      document: target.document,
      trigger: "error",
      triggerItems: [
        {
          json: {
            run: { id: row.id, flowId: row.flowId, trigger: row.trigger, startedAt: row.startedAt?.toISOString() ?? null },
            error,
            node: failed ? { id: failed.nodeId, name: failed.nodeName, type: failed.nodeType } : null,
          },
        },
      ],
      parentRunId: row.id,
    });
  }

  private async toStepRow(row: RunRow, step: StepRecord): Promise<StepRow> {
    const { workspaceId, id: runId } = row;
    // Items are stored once: a step's input as its upstream steps' output (or the run's input), and an output
    // that passes items on unchanged as a reference to them.
    const input: StoredPorts = step.inputFromUpstream ? { items: {}, fromUpstream: true } : { items: {}, fromTrigger: true };
    const passedOn = Object.keys(step.output).length === 1 && step.output.out?.length ? step.output.out : undefined;
    let output: unknown;
    let outputTruncated = false;
    let outputRef: string | null = null;
    if (passedOn && sameItems(passedOn, row.input as Item[])) output = { items: {}, fromTrigger: true } satisfies StoredPorts;
    else if (passedOn && sameItems(passedOn, allItems(step.input))) output = { items: {}, sameAsInput: true } satisfies StoredPorts;
    else {
      const capped = capPorts(step.output, this.deps.stepCapBytes);
      output = storedJson(capped);
      outputTruncated = capped.truncated;
      // Over the cap, the whole output goes to binary storage: a resumed run feeds it downstream.
      if (capped.truncated) {
        outputRef = (await this.deps.binary.put(Buffer.from(capped.json), { workspaceId, mimeType: "application/json", fileName: `${step.nodeId}.output.json` })).id;
      }
    }
    return {
      workspaceId,
      runId,
      nodeId: step.nodeId,
      nodeName: step.nodeName,
      nodeType: step.nodeType,
      status: step.status,
      attempt: step.attempt,
      input,
      output,
      inputTruncated: false,
      outputTruncated,
      outputRef,
      error: step.error,
      startedAt: step.startedAt,
      finishedAt: step.finishedAt,
      durationMs: step.durationMs,
      usage: step.usage ?? null,
      writerId: this.deps.workerId,
    };
  }

  private engineServices(): Omit<EngineServices, "saveStep" | "emit"> {
    const { registry, expressions, code, http, binary, limits, logger, offload, jsonMaxDepth } = this.deps;
    return {
      limits,
      offload,
      jsonMaxDepth,
      registry,
      expressions,
      code,
      http,
      binary,
      logger,
      kvFor: (run) => this.deps.flowState.of({ workspaceId: run.workspaceId, flowId: run.flowId }),
      experimentsFor: (run) => this.deps.experiments.of({ workspaceId: run.workspaceId, flowId: run.flowId }),
      seriesFor: (run) => seriesWriter({ store: this.deps.series, events: this.deps.events, run }),
      credentialsFor: async (run, node, slot) => {
        const definition = registry.get(node.type);
        const wanted = slot ? { type: slot, required: false } : definition?.credential;
        if (!wanted) return null;
        // The main slot also takes a credential stored under another key, but never one picked for a further slot
        // (an LLM node with only an Ollama credential has no OpenAI one).
        const further = new Set(definition?.moreCredentials ?? []);
        const ref = node.credentials[wanted.type] ?? (slot ? undefined : Object.entries(node.credentials).find(([key]) => !further.has(key))?.[1]);
        if (!ref) {
          if (wanted.required) throw new NodeConfigError(`Node "${node.name}" needs a ${wanted.type} credential; pick one in its settings`);
          return null;
        }
        try {
          return await this.deps.credentials.open({ workspaceId: run.workspaceId, ref, type: wanted.type });
        } catch (err) {
          throw new NodeConfigError(`Node "${node.name}": ${(err as Error).message}`, { cause: err });
        }
      },
      runFlow: async (parent, flowId, items, depth) => {
        if (depth > MAX_SUBFLOW_DEPTH) throw new NodeConfigError(`Sub-flows nest deeper than ${MAX_SUBFLOW_DEPTH} levels; check for a flow that calls itself`);
        const target = await this.deps.flows.activeVersionOf({ workspaceId: parent.workspaceId, flowId });
        if (!target) throw new NodeConfigError(`Flow "${flowId}" is not an active flow of this workspace; activate it first`);
        const child = this.runInline(
          { workspaceId: parent.workspaceId, flowId, flowVersionId: target.versionId, document: target.document, trigger: "subflow", triggerItems: items, parentRunId: parent.id },
          { depth },
        );
        const outcome = await child.done;
        if (outcome.status !== "succeeded") {
          throw new NodeError(`The sub-flow run ${child.runId} ${outcome.status}: ${outcome.error?.message ?? "no reason given"}`, { code: "SUBFLOW", retryable: false });
        }
        return outcome.output;
      },
    };
  }
}
