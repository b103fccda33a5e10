import type { ForeignMode } from "./code-compat";
import type { BinaryRef, Item } from "./items";

export interface NodeLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** Inclusive byte positions, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Bytes live here and items carry references; local folder by default, any store behind this interface.
 * A folder object keeps related files together (an HLS playlist and its segments): a file in it is named by
 * `<folder id>/<path in the folder>` wherever a reference is taken.
 */
export interface BinaryStore {
  put(data: Buffer | NodeJS.ReadableStream, meta: { workspaceId: string; mimeType: string; fileName?: string }): Promise<BinaryRef>;
  /** Keeps every file of a local folder as one object; it appears whole or not at all. */
  putFolder(dir: string, meta: { workspaceId: string; mimeType: string; fileName?: string }): Promise<BinaryRef>;
  read(workspaceId: string, ref: BinaryRef | string): Promise<Buffer>;
  size(workspaceId: string, ref: BinaryRef | string): Promise<number>;
  stream(workspaceId: string, ref: BinaryRef | string, range?: ByteRange): Promise<NodeJS.ReadableStream>;
  /** Deletes an object (a folder with all its files). */
  delete(workspaceId: string, ref: BinaryRef | string): Promise<void>;
  /**
   * A URL path that serves the object without sign-in, for players and read-only dashboards: it carries a
   * signature of the workspace and object, so it cannot be guessed or turned to another object. For a folder,
   * files are reached by relative URLs beside the path of the ref's `fileName`.
   */
  signedPath(workspaceId: string, ref: BinaryRef | string): string;
}

/** A small per-flow store that survives runs (A/B assignments, seen feed items, alert windows). */
export interface KeyValueStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Reads, changes and writes one key as one step, safe against other runs of the same flow doing the same at
   * once (alert windows, counters). `change` gets the current value (undefined when absent) and returns the new
   * one (undefined deletes the key); it may be called again if another run wrote first, so it must only compute.
   * Resolves to the value written.
   */
  update<T = unknown>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined>;
}

export interface ExperimentVariant {
  name: string;
  weight: number;
}

/** What became of one key's conversion: counted once per key, and only for a key that was assigned a variant. */
export interface ConversionOutcome {
  key: string;
  /** The variant the key was assigned; null when the experiment never saw the key. */
  variant: string | null;
  /** False for a key that converted before, or was never assigned. */
  counted: boolean;
}

/** The A/B experiments of the run's flow, kept by the server: sticky assignments and counters per variant. */
export interface ExperimentStore {
  /**
   * Records that each key was exposed to the experiment and returns each key's variant, in order. A key keeps the
   * variant it was first given while that variant is still declared; otherwise it gets `proposed`, which counts
   * as an exposure of that variant.
   */
  assign(args: {
    experiment: string;
    variants: ExperimentVariant[];
    control: string;
    entries: { key: string; proposed: string }[];
  }): Promise<string[]>;
  /** Records a conversion for each key, of this flow's experiment or of another flow's in the same workspace. */
  convert(args: { experiment: string; keys: string[]; flowId?: string }): Promise<ConversionOutcome[]>;
}

/** A point a node writes to one of its workspace's series (the dashboard.publish node). */
export interface SeriesPointInput {
  series: string;
  /** When the point was taken; now when left out. */
  at?: Date;
  /** Numbers go here, for charts; null for a point that carries JSON only. */
  value: number | null;
  data?: unknown;
  unit?: string;
  labels?: Record<string, string>;
}

/** The series of the run's workspace, kept for dashboards apart from the run; each point stored reaches live dashboards. */
export interface SeriesWriter {
  append(points: SeriesPointInput[]): Promise<void>;
}

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Per request; the step's own timeout and the run's cancel apply as well. */
  timeoutMs?: number;
  /** The response body is refused beyond this size. */
  maxResponseBytes?: number;
  followRedirects?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

/** Refuses loopback, private, link-local and metadata addresses (after DNS and on every redirect) unless allowed. */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
  /** The same guard as a WHATWG fetch, for SDKs that take one (`new OpenAI({ fetch })`) and for streamed bodies. */
  fetch: typeof globalThis.fetch;
  /**
   * Resolves a host and refuses it as a request would (every address must pass), for programs that connect
   * themselves (ffmpeg); returns the addresses it checked.
   */
  checkHost(host: string): Promise<string[]>;
}

export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Tokens one model call used; `reportUsage` adds them to the step and to the workspace's totals. */
export interface ModelUsage {
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

export interface ProgressUpdate {
  percent?: number;
  message?: string;
  [key: string]: unknown;
}

/** A line a code node's JavaScript logged. */
export interface CodeLog {
  level: "debug" | "info" | "warn" | "error";
  message: string;
}

/** One run of a code node's JavaScript: the body of an async function seeing `items`, `$input`, `$trigger`, `$node`. */
export interface CodeRunArgs {
  code: string;
  items: unknown[];
  /** The trigger item's JSON, seen as `$trigger`. */
  trigger?: Record<string, unknown>;
  /** Earlier nodes' outputs by node name, seen as `$node`. */
  nodes?: Record<string, unknown>;
  /** Runs with the same key share a warm isolate (one per workspace). */
  poolKey?: string;
  timeoutMs?: number;
  memoryMb?: number;
  signal?: AbortSignal;
  /** Code written for n8n or Node-RED, run with the names and return rules of that tool (code-compat.ts). */
  compat?: CodeCompat;
}

export interface CodeCompat {
  mode: ForeignMode;
  /** n8n's "run once for each item"; a Node-RED function always runs once per message. */
  perItem?: boolean;
  /** A Node-RED function's outputs: a returned array's entries go to them in order. */
  outputs?: number;
  node: { id: string; name: string };
  run: { id: string; flowId: string; trigger: string };
  /** Flow state the code reads and changes as plain objects, by store name (`COMPAT_STORES`), read before the run. */
  state: Record<string, Record<string, unknown>>;
}

/** What a run changed in one store: keys set to new values, and keys removed. */
export interface StateChange {
  set: Record<string, unknown>;
  delete: string[];
}

export interface CodeRunResult {
  /**
   * What the code returned, as objects. In Node-RED mode each is `{ output, json, binary? }`: a message and the
   * index of the output it leaves by, with the binary of the input item whose message it is.
   */
  items: Record<string, unknown>[];
  logs: CodeLog[];
  /** Stores the compat code changed, by store name; written back by the caller. */
  state?: Record<string, StateChange>;
}

/** Runs JavaScript in an isolate under limits (the runner's isolated-vm sandbox); fails with a CodeError. */
export interface CodeSandbox {
  run(args: CodeRunArgs): Promise<CodeRunResult>;
}

/** Limits of the process a step runs in, from its settings (the runtime's config). */
export interface NodeLimits {
  /** ffmpeg transcodes at once in this process (`TRANSCODE_CONCURRENCY`); more wait for a slot. */
  transcodeConcurrency: number;
}

/** What a node gets besides its config and input; built by the engine, or by `runNode` in tests. */
export interface NodeContext<Config = unknown> {
  run: { id: string; workspaceId: string; flowId: string; trigger: string };
  node: { id: string; name: string; type: string };
  /** Aborts on cancel and on the step's timeout; long work must honour it. */
  signal: AbortSignal;
  /**
   * A key for calls that must take effect once (payments, orders): the same whenever this step runs again in this
   * run (retries, a re-execution after its worker was lost), one per input item (0 by default).
   */
  idempotencyKey(itemIndex?: number): string;
  logger: NodeLogger;
  /** The node's credential, decrypted; null when the node has none. */
  credentials: Record<string, string> | null;
  /**
   * One of the further credentials the node declares in `moreCredentials` (a node that sends to several
   * services), decrypted on request; null when none is picked for that type.
   */
  credentialOf(type: string): Promise<Record<string, string> | null>;
  http: HttpClient;
  binary: BinaryStore;
  limits: NodeLimits;
  /** The sandbox that runs user JavaScript (the code node). */
  code: CodeSandbox;
  kv: KeyValueStore;
  experiments: ExperimentStore;
  series: SeriesWriter;
  /** The items the run was triggered with. */
  trigger: Item[];
  /** Earlier nodes' outputs by node name: the first item's JSON and every item's JSON. */
  nodes: Record<string, { json: unknown; items: unknown[] }>;
  /** The config with its expressions evaluated against input item `index` (the `config` argument is item 0's, the same object). */
  configFor(index: number): Promise<Config>;
  progress(update: ProgressUpdate): void;
  /** Records the tokens of a model call: kept on the step (per provider and model) and summed per workspace. */
  reportUsage(usage: ModelUsage): void;
  /** Answers the webhook that started the run (if it waits for an answer); later calls are ignored. */
  respond(response: WebhookResponse): void;
  /** Runs another flow of the same workspace with these items and returns its final output. */
  runFlow(flowId: string, items: Item[]): Promise<Item[]>;
}
