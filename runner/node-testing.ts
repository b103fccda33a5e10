import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalBinaryStore } from "./binary-store";
import { createHttpClient } from "./http-client";
import { ExpressionSandbox } from "./expression-sandbox";
import { getCodeSandbox } from "./sandbox";
import { configResolver, prepareConfig } from "../nodes/_core/node-config";
import type { BinaryStore, ExperimentStore, HttpClient, KeyValueStore, ModelUsage, NodeContext, NodeLimits, NodeLogger, ProgressUpdate, SeriesWriter, WebhookResponse } from "../nodes/_kit/context";
import { toPortItems, type NodeDefinition } from "../nodes/_kit/define-node";
import { idempotencyKey } from "../nodes/_kit/idempotency";
import type { Item, PortItems } from "../nodes/_kit/items";

/** A key/value store held in memory, for node tests. */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  async get<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.values.get(key)) as T | undefined;
  }
  async set(key: string, value: unknown): Promise<void> {
    this.values.set(key, structuredClone(value));
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
  async update<T>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    // One synchronous step: nothing else can run between the read and the write.
    const next = change(structuredClone(this.values.get(key)) as T | undefined);
    if (next === undefined) this.values.delete(key);
    else this.values.set(key, structuredClone(next));
    return next;
  }
}

/** One call of the node's logger. */
export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  obj: object | string;
  msg?: string;
}

export interface RunNodeOptions {
  config?: Record<string, unknown>;
  /** The config's version, when testing a migration from an older one. */
  typeVersion?: number;
  input?: Item[];
  inputs?: PortItems;
  trigger?: Item[];
  credentials?: Record<string, string> | null;
  /** The further credentials by type, for nodes that declare `moreCredentials`. */
  credentialsOf?: Record<string, Record<string, string>>;
  /** Hosts the SSRF-safe HTTP client may reach (tests point nodes at servers on loopback). */
  allowHosts?: string[];
  http?: HttpClient;
  /** The process's limits; TRANSCODE_CONCURRENCY's default (1) unless given. */
  limits?: NodeLimits;
  binary?: BinaryStore;
  kv?: KeyValueStore;
  /** A/B experiments, such as the server's store over a test database (`experimentStore` in ab-test-service). */
  experiments?: ExperimentStore;
  /** Dashboard series, such as `seriesWriter` (runner/series.ts) over a test database's store. */
  series?: SeriesWriter;
  signal?: AbortSignal;
  /** Earlier nodes' outputs by name, for expressions such as `{{ $node.Weather.json.temp }}`. */
  nodeOutputs?: Record<string, Item[]>;
  runFlow?: NodeContext["runFlow"];
  /** Receives what the node logs, also when it fails (the result carries the same list). */
  logs?: LogEntry[];
}

export interface RunNodeResult {
  output: PortItems;
  /** The items on the default port. */
  items: Item[];
  responses: WebhookResponse[];
  progress: ProgressUpdate[];
  /** What the node reported with `ctx.reportUsage`, in order. */
  usage: ModelUsage[];
  logs: LogEntry[];
  binary: BinaryStore;
  kv: KeyValueStore;
}

export const TEST_WORKSPACE_ID = "test-workspace";
/** The expression evaluator node tests share, made on first use. */
let testExpressions: ExpressionSandbox | undefined;

/**
 * Runs one node as the engine would: config migrated, expressions evaluated per item, validated by the node's
 * schema, with a real context (binary storage in a temporary folder, the SSRF-safe HTTP client, a key/value store).
 */
export async function runNode<Config>(definition: NodeDefinition<Config>, options: RunNodeOptions = {}): Promise<RunNodeResult> {
  const inputs = options.inputs ?? { in: options.input ?? [] };
  const input = Object.values(inputs).flat();
  const trigger = options.trigger ?? [];
  const responses: WebhookResponse[] = [];
  const progress: ProgressUpdate[] = [];
  const usage: ModelUsage[] = [];
  const logs = options.logs ?? [];
  const log = (level: LogEntry["level"]) => (obj: object | string, msg?: string) => void logs.push(msg === undefined ? { level, obj } : { level, obj, msg });
  const logger: NodeLogger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
  const binary = options.binary ?? new LocalBinaryStore(mkdtempSync(path.join(os.tmpdir(), "streamware-node-test-")));
  const kv = options.kv ?? new MemoryKeyValueStore();
  const nodeOutputs = Object.fromEntries(
    Object.entries(options.nodeOutputs ?? {}).map(([name, items]) => [name, { json: items[0]?.json ?? null, items: items.map((i) => i.json) }]),
  );
  const configFor = configResolver({
    definition,
    nodeName: definition.name,
    prepared: prepareConfig(definition as NodeDefinition, options.config ?? {}, options.typeVersion ?? definition.version),
    input,
    scope: { workspaceId: TEST_WORKSPACE_ID, trigger: trigger[0]?.json ?? {}, node: nodeOutputs, runId: "test-run", flowId: "test-flow" },
    evaluator: (testExpressions ??= new ExpressionSandbox()),
    signal: options.signal,
  });
  const ctx: NodeContext<Config> = {
    run: { id: "test-run", workspaceId: TEST_WORKSPACE_ID, flowId: "test-flow", trigger: "manual" },
    node: { id: "node-under-test", name: definition.name, type: definition.type },
    signal: options.signal ?? new AbortController().signal,
    idempotencyKey: (itemIndex = 0) => idempotencyKey("test-run", "node-under-test", itemIndex),
    logger,
    credentials: options.credentials ?? null,
    credentialOf: async (type) => {
      if (!definition.moreCredentials.includes(type)) throw new Error(`"${definition.type}" does not declare a ${type} credential`);
      return options.credentialsOf?.[type] ?? null;
    },
    http: options.http ?? createHttpClient({ allow: options.allowHosts ?? [] }),
    binary,
    limits: options.limits ?? { transcodeConcurrency: 1 },
    code: { run: (args) => getCodeSandbox().run(args) },
    kv,
    get experiments(): ExperimentStore {
      if (!options.experiments) throw new Error("ctx.experiments is not available in this test; pass options.experiments");
      return options.experiments;
    },
    get series(): SeriesWriter {
      if (!options.series) throw new Error("ctx.series is not available in this test; pass options.series");
      return options.series;
    },
    trigger,
    nodes: nodeOutputs,
    configFor,
    progress: (update) => progress.push(update),
    reportUsage: (reported) => usage.push({ ...reported }),
    respond: (response) => responses.push(response),
    runFlow: options.runFlow ?? (async () => {
      throw new Error("runFlow is not available in this test; pass options.runFlow");
    }),
  };
  const output = toPortItems(await definition.execute({ config: await configFor(0), input, inputs, ctx }));
  return { output, items: output.out ?? [], responses, progress, usage, logs, binary, kv };
}

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("the node did not fail");
    },
    (e: unknown) => e as Error,
  );
}

/** Polls `probe` every 50 ms until it gives a truthy value, and returns it; fails after `tries` polls. */
export async function until<T>(probe: () => T | null | undefined | false, what: string, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}
