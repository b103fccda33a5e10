import type { FlowDocument, FlowNode } from "../nodes/_core/flow-document";
import type { BinaryStore, CodeSandbox, ExperimentStore, HttpClient, KeyValueStore, ModelUsage, NodeContext, NodeLimits, NodeLogger, ProgressUpdate, SeriesWriter, WebhookResponse } from "../nodes/_kit/context";
import { runsAgainOnResume, toPortItems, type ExecuteResult, type NodeDefinition, type NodeQueue } from "../nodes/_kit/define-node";
import { NodeCancelledError, NodeConfigError, NodeError, NodeTimeoutError, serializeError, type SerializedNodeError } from "../nodes/_kit/errors";
import { idempotencyKey } from "../nodes/_kit/idempotency";
import { allItems, type Item, type PortItems } from "../nodes/_kit/items";
import { checkJson, describeJsonProblem } from "../nodes/_core/json-check";
import type { ExpressionEvaluator, ExpressionScope } from "../nodes/_core/expressions";
import { planGraph, type FlowGraph } from "../nodes/_core/graph";
import { configResolver, prepareConfig, type PreparedConfig } from "../nodes/_core/node-config";

import type { FinishedRunStatus, FinishedStepStatus, RunEvent } from "../nodes/_core/run-types";
import { withLogFields } from "./log-context";

export interface StepRecord {
  nodeId: string;
  nodeName: string;
  nodeType: string;
  status: FinishedStepStatus;
  attempt: number;
  input: PortItems;
  /** The input came along edges (every step but the first); stores keep it once, as the upstream output. */
  inputFromUpstream: boolean;
  /** Items by output port; for a failed step with onError "continue" or "errorPort", what it passed on. */
  output: PortItems;
  error: SerializedNodeError | null;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  /** Tokens the step's model calls used (every attempt), one entry per provider and model. */
  usage?: StepUsage[];
}

/** A step's calls to one provider's model and the tokens they used. */
export interface StepUsage extends ModelUsage {
  calls: number;
}

export interface RunIdentity {
  id: string;
  workspaceId: string;
  flowId: string;
  trigger: string;
}

/**
 * One step of a node that declares a queue, as a job: configs already evaluated (one per input item, or one
 * for no input) and items with binary references, never the bytes.
 */
export interface StepJob {
  queue: NodeQueue;
  run: RunIdentity;
  node: { id: string; name: string; type: string };
  configs: unknown[];
  input: Item[];
  inputs: PortItems;
}

/** What the engine needs from the process it runs in. */
export interface EngineServices {
  registry: ReadonlyMap<string, NodeDefinition>;
  /** Evaluates `{{ }}` expressions that are more than a field path, under limits (runner/expression-sandbox.ts). */
  expressions: ExpressionEvaluator;
  http: HttpClient;
  binary: BinaryStore;
  limits: NodeLimits;
  /** Runs the code node's JavaScript (runner/sandbox.ts). */
  code: CodeSandbox;
  logger: NodeLogger & { child(bindings: object): NodeLogger };
  kvFor(run: RunIdentity): KeyValueStore;
  experimentsFor(run: RunIdentity): ExperimentStore;
  seriesFor(run: RunIdentity): SeriesWriter;
  /** The node's credential, or with `type` the one picked in that slot (a type the node lists in `moreCredentials`). */
  credentialsFor(run: RunIdentity, node: FlowNode, type?: string): Promise<Record<string, string> | null>;
  runFlow(parent: RunIdentity, flowId: string, items: Item[], depth: number): Promise<Item[]>;
  /** With `durableSteps`: records that a step starts, before it runs; a run no longer held here is aborted instead. */
  startStep?(run: RunIdentity, step: { nodeId: string; nodeName: string; nodeType: string; attempt: number; startedAt: Date }): Promise<void>;
  /** Called as each step finishes; the engine waits for it when `durableSteps` is set. */
  saveStep(run: RunIdentity, step: StepRecord): Promise<void>;
  /** Sends a run event; the event is only made when someone may be listening. */
  emit(make: () => RunEvent): void;
  /** How deep a node's output items may nest; deeper output fails the step (nothing downstream could read it). */
  jsonMaxDepth: number;
  /** Runs a step of a node that declares a queue on that queue's workers (queue mode); without it, it runs here. */
  offload?(job: StepJob, options: { signal: AbortSignal; progress(update: ProgressUpdate): void }): Promise<ExecuteResult>;
}

export interface RunRequest {
  run: RunIdentity;
  document: FlowDocument;
  triggerItems: Item[];
  /** The trigger node to start from; by default the first trigger node of the run's kind. */
  startNodeId?: string;
  /** Steps finished by an earlier attempt at this run; they are not run again. */
  finished?: ReadonlyMap<string, StepRecord>;
  signal?: AbortSignal;
  /** Wait for each step's write before going on (queue workers), so a resumed run never repeats a stored step. */
  durableSteps?: boolean;
  /** Steps an earlier attempt at this run started and never finished, with their last attempt: counting goes on. */
  interrupted?: ReadonlyMap<string, number>;
  respond?: (response: WebhookResponse) => void;
  depth?: number;
  /** Test runs of the draft: a node with pinned items in the document is not run; its pinned items are its output. */
  usePinData?: boolean;
}

export interface RunOutcome {
  status: FinishedRunStatus;
  /** The output of the last node that finished with items. */
  output: Item[];
  error: SerializedNodeError | null;
  steps: StepRecord[];
}

const now = () => new Date();

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new NodeCancelledError());
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new NodeCancelledError());
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Exponential backoff with ±50% jitter, so retries of many runs do not arrive in step. */
export function backoffDelay(baseMs: number, attempt: number, random = Math.random): number {
  const exponential = baseMs * 2 ** (attempt - 1);
  return Math.round(exponential * (0.5 + random()));
}

/**
 * Output nested deeper than the limit would overflow the code that stores and reads it, so the step fails. The
 * limit is on each field of an item's JSON, as a webhook's body is one field of its item.
 */
function refuseDeepOutput(what: string, input: Item[], output: PortItems, maxDepth: number): void {
  // Items passed on unchanged were checked where they came from. Most steps have a few items: a Set of them is
  // made only for many.
  let known: Set<Item> | undefined;
  const passedOn = (item: Item) => (input.length <= 8 ? input.includes(item) : (known ??= new Set(input)).has(item));
  for (const port of Object.keys(output)) {
    const items = output[port]!;
    for (let i = 0; i < items.length; i++) {
      if (passedOn(items[i]!)) continue;
      const problem = checkJson(items[i]!.json, { maxDepth: maxDepth + 1, root: `${port}[${i}].json` });
      if (problem) throw new NodeError(describeJsonProblem(problem, { what, limit: maxDepth }), { code: "OUTPUT_TOO_DEEP", retryable: false });
    }
  }
}

function countItems(ports: PortItems): number {
  let n = 0;
  for (const items of Object.values(ports)) n += items.length;
  return n;
}

/**
 * Runs a flow document's graph from its trigger: each node once, when everything upstream has settled. A run that
 * starts at a node that is not a trigger runs that node alone, fed by the pinned items of the nodes upstream of it.
 */
export async function executeFlow(services: EngineServices, request: RunRequest): Promise<RunOutcome> {
  const { run, document } = request;
  // Triggers that parse what they receive (an MQTT payload) are checked here, once, like a webhook's body at its door.
  refuseDeepOutput("The trigger's data", [], { in: request.triggerItems }, services.jsonMaxDepth);
  const graph = cachedGraph(document, services.registry, request.startNodeId, run.trigger);
  const alone = !graph.definitions.get(graph.start)!.trigger;
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort();
  request.signal?.addEventListener("abort", onOuterAbort, { once: true });
  if (request.signal?.aborted) controller.abort();

  const steps: StepRecord[] = [];
  const received = new Map<string, PortItems>();
  const pending = new Map<string, number>();
  const outputsByName: ExpressionScope["node"] = {};
  const triggerJson = request.triggerItems[0]?.json ?? {};
  let lastOutput: Item[] = [];
  let failure: SerializedNodeError | null = null;

  for (const id of graph.order) pending.set(id, graph.incoming.get(id)!.length);

  const settle = async (node: FlowNode, output: PortItems) => {
    const out = output.out ?? Object.values(output)[0] ?? [];
    if (countItems(output) > 0) lastOutput = out;
    outputsByName[node.name] = { json: out[0]?.json ?? null, items: out.map((i) => i.json) };
    const ready: string[] = [];
    for (const edge of graph.outgoing.get(node.id)!) {
      const items = output[edge.sourcePort];
      if (items?.length) {
        const inbox = received.get(edge.target) ?? {};
        (inbox[edge.targetPort] ??= []).push(...items);
        received.set(edge.target, inbox);
      }
      const left = pending.get(edge.target)! - 1;
      pending.set(edge.target, left);
      if (left === 0) ready.push(edge.target);
    }
    // Most steps lead to one next step: it is awaited alone, without a Promise.all of one.
    if (ready.length === 1) await visit(ready[0]!);
    else if (ready.length > 1) await Promise.all(ready.map((id) => visit(id)));
  };

  /** Keeps a finished step; with `durableSteps`, the promise settles once it is stored (undefined otherwise). */
  const record = (step: StepRecord): Promise<void> | undefined => {
    steps.push(step);
    services.emit(() => ({
      type: "step.finished",
      runId: run.id,
      nodeId: step.nodeId,
      status: step.status,
      durationMs: step.durationMs,
      error: step.error,
      itemCount: countItems(step.output),
      at: step.finishedAt.toISOString(),
    }));
    const saving = services.saveStep(run, step);
    if (request.durableSteps) return saving;
    saving.catch((err: unknown) => services.logger.error({ err, runId: run.id }, "could not save a step"));
  };

  const visit = async (nodeId: string): Promise<void> => {
    const node = graph.nodes.get(nodeId)!;
    const before = request.finished?.get(nodeId);
    if (before) {
      steps.push(before);
      return settle(node, before.output);
    }
    const inputs: PortItems = nodeId === graph.start ? { in: request.triggerItems } : received.get(nodeId) ?? {};
    if (controller.signal.aborted) {
      await record(skippedStep(node, inputs, request.signal?.aborted ? "cancelled" : "skipped", nodeId !== graph.start));
      return settle(node, {});
    }
    if (nodeId !== graph.start && countItems(inputs) === 0) {
      await record(skippedStep(node, inputs, "skipped", true));
      return settle(node, {});
    }
    const pinned = request.usePinData ? document.pinData?.[nodeId] : undefined;
    if (pinned) {
      const step = pinnedStep(node, inputs, { [pinPort(node, graph.definitions.get(nodeId)!)]: pinned }, nodeId !== graph.start);
      await record(step);
      return settle(node, step.output);
    }
    // Every line the step logs names its node.
    const step = await withLogFields({ nodeId: node.id }, () => runStep(node, inputs));
    const saving = record(step);
    if (saving) await saving;
    if (step.status === "failed" && node.onError === "stop") {
      failure ??= { ...step.error!, message: `Node "${node.name}" failed: ${step.error!.message}` };
      controller.abort();
    }
    return settle(node, step.output);
  };

  const runStep = async (node: FlowNode, inputs: PortItems): Promise<StepRecord> => {
    const definition = graph.definitions.get(node.id)!;
    const startedAt = now();
    const input = allItems(inputs);
    // A step run again after its worker was lost goes on counting, so the re-execution shows.
    const before = request.interrupted?.get(node.id) ?? 0;
    // A step that runs again when its run resumes needs no record of its start (a round trip saved).
    const recordStart = request.durableSteps && services.startStep && !node.disabled && !runsAgainOnResume(definition);
    /** Announces an attempt; a promise to wait for when the attempt's start is stored first. */
    const started = (attempt: number): Promise<void> | undefined => {
      services.emit(() => ({ type: "step.started", runId: run.id, nodeId: node.id, attempt, at: now().toISOString() }));
      if (recordStart) return services.startStep!(run, { nodeId: node.id, nodeName: node.name, nodeType: node.type, attempt, startedAt });
    };
    const usage: StepUsage[] = [];
    const finish = (status: FinishedStepStatus, attempt: number, output: PortItems, error: SerializedNodeError | null): StepRecord => {
      const finishedAt = now();
      return {
        nodeId: node.id,
        nodeName: node.name,
        nodeType: node.type,
        status,
        attempt: before + attempt,
        input: inputs,
        inputFromUpstream: node.id !== graph.start || alone,
        output,
        error,
        startedAt,
        finishedAt,
        durationMs: finishedAt.getTime() - startedAt.getTime(),
        ...(usage.length ? { usage } : {}),
      };
    };
    const starting = started(before + 1);
    if (starting) await starting;
    if (node.disabled) return finish("succeeded", 1, { out: input }, null);

    const maxAttempts = node.retry?.maxAttempts ?? 1;
    let attempt = 0;
    for (;;) {
      attempt++;
      try {
        const output = await attemptNode(node, definition, input, inputs, usage);
        refuseDeepOutput(`The output of "${node.name}"`, input, output, services.jsonMaxDepth);
        return finish("succeeded", attempt, output, null);
      } catch (err) {
        if (controller.signal.aborted) {
          const reason = request.signal?.aborted ? undefined : "Stopped because another node failed";
          return finish("cancelled", attempt, {}, serializeError(new NodeCancelledError(reason)));
        }
        const retryable = err instanceof NodeError ? err.retryable : false;
        if (retryable && attempt < maxAttempts) {
          services.logger.warn({ runId: run.id, node: node.name, attempt, err: (err as Error).message }, "step failed, retrying");
          try {
            await sleep(backoffDelay(node.retry!.backoffMs, attempt), controller.signal);
          } catch {
            return finish("cancelled", attempt, {}, serializeError(new NodeCancelledError()));
          }
          await started(before + attempt + 1);
          continue;
        }
        const error = serializeError(err);
        if (node.onError === "continue") return finish("failed", attempt, { out: input }, error);
        if (node.onError === "errorPort") {
          const items = (input.length ? input : [{ json: {} }]).map((item) => ({ json: { ...item.json, error }, binary: item.binary }));
          return finish("failed", attempt, { error: items }, error);
        }
        return finish("failed", attempt, {}, error);
      }
    }
  };

  // One rejection for the whole run, raced by every step: cancel, or another node failing with "stop".
  const runAborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(new NodeCancelledError()), { once: true });
  });
  runAborted.catch(() => {});

  const attemptNode = async (node: FlowNode, definition: NodeDefinition, input: Item[], inputs: PortItems, usage: StepUsage[]): Promise<PortItems> => {
    // A step with a timeout gets a signal of its own; the others share the run's.
    let signal = controller.signal;
    let timer: NodeJS.Timeout | undefined;
    let onRunAbort: (() => void) | undefined;
    const racers: Promise<never>[] = [runAborted];
    if (node.timeoutMs) {
      const stepController = new AbortController();
      signal = stepController.signal;
      onRunAbort = () => stepController.abort(new NodeCancelledError());
      controller.signal.addEventListener("abort", onRunAbort, { once: true });
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new NodeTimeoutError(node.timeoutMs!);
          stepController.abort(err);
          reject(err);
        }, node.timeoutMs);
      });
      timedOut.catch(() => {});
      racers.push(timedOut);
    }
    try {
      const work = (async () => {
        const configFor = configResolver({
          definition,
          nodeName: node.name,
          prepared: preparedConfig(node, definition),
          input,
          scope: { workspaceId: run.workspaceId, trigger: triggerJson, node: outputsByName, runId: run.id, flowId: run.flowId },
          evaluator: services.expressions,
          signal,
        });
        const config = await configFor(0);
        const progress = (update: ProgressUpdate) => services.emit(() => ({ type: "step.progress", runId: run.id, nodeId: node.id, progress: update, at: now().toISOString() }));
        if (definition.queue && services.offload) {
          const configs = [config];
          for (let i = 1; i < input.length; i++) configs.push(await configFor(i));
          const job: StepJob = { queue: definition.queue, run, node: { id: node.id, name: node.name, type: node.type }, configs, input, inputs };
          return toPortItems(await services.offload(job, { signal, progress }));
        }
        const credentials = definition.credential ? await services.credentialsFor(run, node) : null;
        const ctx = new StepContext({ services, request, node, definition, usage, signal, credentials, nodes: outputsByName, configFor, progress });
        return toPortItems(await definition.execute({ config, input, inputs, ctx }));
      })();
      return await Promise.race([work, ...racers]);
    } finally {
      clearTimeout(timer);
      if (onRunAbort) controller.signal.removeEventListener("abort", onRunAbort);
    }
  };

  /** The start node alone: each upstream node stands in with its pinned items, then the node runs on them. */
  const runAlone = async () => {
    const target = graph.nodes.get(graph.start)!;
    const into = document.edges.filter((edge) => edge.target === target.id);
    const inputs: PortItems = {};
    const sources = [...new Set(into.map((edge) => edge.source))].map((id) => graph.nodes.get(id)!);
    for (const source of sources) {
      const before = request.finished?.get(source.id);
      if (before) steps.push(before);
      const items = document.pinData?.[source.id];
      if (!items) throw new NodeConfigError(`Node "${source.name}" has no pinned output to feed "${target.name}"; pin its output or run the whole flow`);
      const ports: PortItems = {};
      for (const edge of into.filter((e) => e.source === source.id)) {
        ports[edge.sourcePort] = items;
        (inputs[edge.targetPort] ??= []).push(...items);
      }
      outputsByName[source.name] = { json: items[0]?.json ?? null, items: items.map((i) => i.json) };
      if (!before) await record(pinnedStep(source, {}, ports, true));
    }
    const before = request.finished?.get(target.id);
    const step = before ?? (await runStep(target, inputs));
    if (before) steps.push(before);
    else await record(step);
    if (step.status === "failed") failure = { ...step.error!, message: `Node "${target.name}" failed: ${step.error!.message}` };
    lastOutput = step.output.out ?? Object.values(step.output)[0] ?? [];
  };
  services.emit(() => ({ type: "run.started", runId: run.id, at: now().toISOString() }));
  try {
    if (alone) await runAlone();
    else await visit(graph.start);
  } finally {
    request.signal?.removeEventListener("abort", onOuterAbort);
  }
  const cancelled = request.signal?.aborted === true;
  const status: FinishedRunStatus = cancelled ? "cancelled" : failure ? "failed" : "succeeded";
  return { status, output: lastOutput, error: cancelled ? serializeError(new NodeCancelledError()) : failure, steps };
}

// Documents of active versions are held by the webhook routes and reused run after run, so what depends only
// on the document is worked out once per document.
const graphs = new WeakMap<FlowDocument, Map<string, FlowGraph>>();

function cachedGraph(document: FlowDocument, registry: ReadonlyMap<string, NodeDefinition>, startNodeId: string | undefined, trigger: string): FlowGraph {
  let byStart = graphs.get(document);
  if (!byStart) graphs.set(document, (byStart = new Map()));
  const key = `${startNodeId ?? ""}\u0000${trigger}`;
  let graph = byStart.get(key);
  if (!graph) byStart.set(key, (graph = planGraph(document, registry, { startNodeId, trigger })));
  return graph;
}

const prepared = new WeakMap<FlowNode, PreparedConfig>();

function preparedConfig(node: FlowNode, definition: NodeDefinition): PreparedConfig {
  let found = prepared.get(node);
  if (!found) prepared.set(node, (found = prepareConfig(definition, node.config, node.typeVersion)));
  return found;
}

/**
 * What a node's step is given as `ctx`. The parts most nodes never use (the logger, the stores) are made on first
 * use by getters on the class: V8 builds an object literal with getters on a slow path, at about ten times the cost
 * of this class. The functions are the object's own properties, so a node may take one off `ctx` and call it alone.
 */
class StepContext implements NodeContext {
  readonly run: RunIdentity;
  readonly node: NodeContext["node"];
  readonly signal: AbortSignal;
  readonly credentials: Record<string, string> | null;
  readonly http: HttpClient;
  readonly binary: BinaryStore;
  readonly limits: NodeLimits;
  readonly code: CodeSandbox;
  readonly trigger: Item[];
  readonly nodes: NodeContext["nodes"];
  readonly configFor: NodeContext["configFor"];
  readonly progress: NodeContext["progress"];
  readonly idempotencyKey: NodeContext["idempotencyKey"];
  readonly credentialOf: NodeContext["credentialOf"];
  readonly reportUsage: NodeContext["reportUsage"];
  readonly respond: NodeContext["respond"];
  readonly runFlow: NodeContext["runFlow"];
  readonly #services: EngineServices;
  #logger?: NodeLogger;
  #kv?: KeyValueStore;
  #experiments?: ExperimentStore;
  #series?: SeriesWriter;

  constructor(step: {
    services: EngineServices;
    request: RunRequest;
    node: FlowNode;
    definition: NodeDefinition;
    usage: StepUsage[];
    signal: AbortSignal;
    credentials: Record<string, string> | null;
    nodes: NodeContext["nodes"];
    configFor: NodeContext["configFor"];
    progress: NodeContext["progress"];
  }) {
    const { services, request, node, definition, usage } = step;
    const run = request.run;
    this.#services = services;
    this.run = run;
    this.node = { id: node.id, name: node.name, type: node.type };
    this.signal = step.signal;
    this.credentials = step.credentials;
    this.http = services.http;
    this.binary = services.binary;
    this.limits = services.limits;
    this.code = services.code;
    this.trigger = request.triggerItems;
    this.nodes = step.nodes;
    this.configFor = step.configFor;
    this.progress = step.progress;
    this.idempotencyKey = (itemIndex = 0) => idempotencyKey(run.id, node.id, itemIndex);
    this.credentialOf = async (type) => {
      if (!definition.moreCredentials.includes(type)) throw new Error(`"${definition.type}" does not declare a ${type} credential`);
      return services.credentialsFor(run, node, type);
    };
    this.reportUsage = (reported) => addUsage(usage, reported);
    this.respond = (response) => request.respond?.(response);
    this.runFlow = (flowId, items) => services.runFlow(run, flowId, items, (request.depth ?? 0) + 1);
  }

  get logger(): NodeLogger {
    return (this.#logger ??= new StepLogger(this.#services.logger, { runId: this.run.id, node: this.node.name }));
  }

  get kv(): KeyValueStore {
    return (this.#kv ??= this.#services.kvFor(this.run));
  }

  get experiments(): ExperimentStore {
    return (this.#experiments ??= this.#services.experimentsFor(this.run));
  }

  get series(): SeriesWriter {
    return (this.#series ??= this.#services.seriesFor(this.run));
  }
}

/**
 * A step's logger, its lines naming the run and the node. The child logger that adds them is made at the step's
 * first line: making one costs more than a small node's whole step, and most steps that take the logger (to log
 * at debug level, or to hand it on) write nothing.
 */
class StepLogger implements NodeLogger {
  #child?: NodeLogger;

  constructor(
    private readonly parent: EngineServices["logger"],
    private readonly bindings: { runId: string; node: string },
  ) {}

  #lines(): NodeLogger {
    return (this.#child ??= this.parent.child(this.bindings));
  }

  debug(...line: Parameters<NodeLogger["debug"]>): void {
    this.#lines().debug(...line);
  }

  info(...line: Parameters<NodeLogger["info"]>): void {
    this.#lines().info(...line);
  }

  warn(...line: Parameters<NodeLogger["warn"]>): void {
    this.#lines().warn(...line);
  }

  error(...line: Parameters<NodeLogger["error"]>): void {
    this.#lines().error(...line);
  }
}

function addUsage(usage: StepUsage[], reported: ModelUsage): void {
  const same = usage.find((u) => u.provider === reported.provider && u.model === reported.model);
  if (same) {
    same.promptTokens += reported.promptTokens;
    same.completionTokens += reported.completionTokens;
    same.calls += 1;
  } else usage.push({ provider: reported.provider, model: reported.model, promptTokens: reported.promptTokens, completionTokens: reported.completionTokens, calls: 1 });
}

/** The port a pinned node's items leave by: its first output for its config. */
function pinPort(node: FlowNode, definition: NodeDefinition): string {
  const parsed = definition.config.safeParse(node.config);
  return (parsed.success ? definition.outputsFor(parsed.data)[0] : undefined) ?? "out";
}

function pinnedStep(node: FlowNode, inputs: PortItems, output: PortItems, inputFromUpstream: boolean): StepRecord {
  const at = now();
  return { nodeId: node.id, nodeName: node.name, nodeType: node.type, status: "succeeded", attempt: 0, input: inputs, inputFromUpstream, output, error: null, startedAt: at, finishedAt: at, durationMs: 0 };
}

function skippedStep(node: FlowNode, inputs: PortItems, status: "skipped" | "cancelled", inputFromUpstream: boolean): StepRecord {
  const at = now();
  return { nodeId: node.id, nodeName: node.name, nodeType: node.type, status, attempt: 0, input: inputs, inputFromUpstream, output: {}, error: null, startedAt: at, finishedAt: at, durationMs: 0 };
}

export type { FlowGraph };
