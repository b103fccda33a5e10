import { z } from "zod";
import { describeConfigIssue } from "../_core/config-messages";
import type { HttpClient, KeyValueStore, NodeContext, NodeLogger } from "./context";
import { NodeConfigError } from "./errors";
import type { Item, PortItems } from "./items";
import type { NodeIconName } from "../_core/node-icons";

export type NodeCategory = "trigger" | "flow" | "data" | "network" | "ai" | "media" | "messaging" | "analytics";

/** Queues a node may run on besides the run's own (see `NodeSpec.queue`). */
export type NodeQueue = "media";

export type Ports<Config> = readonly string[] | ((config: Config) => string[]);

export interface ExecuteArgs<Config> {
  config: Config;
  /** Every input item, in port order. */
  input: Item[];
  /** Input items by input port, for nodes with more than one (merge). */
  inputs: PortItems;
  ctx: NodeContext<Config>;
}

/** What `execute` returns: items for the default port, or items by port; nothing means no items. */
export type ExecuteResult = Item[] | PortItems | void;

/** What a long-lived trigger gets when the runtime starts it for an active flow. */
export interface ListenArgs<Config> {
  config: Config;
  /** The node's credential, decrypted; null when it has none. */
  credentials: Record<string, string> | null;
  /** Starts one run with these items, as a webhook request does; resolves once the run is queued. */
  emit(items: Item[]): Promise<void>;
  /** Aborts when the listener is being stopped (deactivation, a new version, shutdown, a lost lock). */
  signal: AbortSignal;
  logger: NodeLogger;
  /** The flow's key/value store, shared with its runs. */
  kv: KeyValueStore;
  http: HttpClient;
  flow: { id: string; workspaceId: string };
  node: { id: string; name: string };
}

/** A running long-lived trigger; `close` stops it and resolves when nothing more will be emitted. */
export interface Listener {
  close(): Promise<void>;
}

/**
 * How a trigger starts runs. `kind` names the runs it starts (webhook, schedule, manual, mqtt, …). With
 * `listen`, it is long-lived: the runtime calls `listen` for each active flow holding the node (in queue mode in
 * exactly one process) and closes it on deactivation, on a new version and at shutdown. `listen` resolves once
 * listening works and rejects with what to fix when it cannot start.
 */
export interface TriggerSpec<Config> {
  kind: string;
  listen?(args: ListenArgs<Config>): Promise<Listener>;
}

export interface NodeSpec<S extends z.ZodType> {
  /** Stable dotted id such as "core.http-request"; never renamed once released. */
  type: string;
  /** Bumped when the config shape changes; `migrations[n]` turns a version-n config into version n+1. */
  version: number;
  migrations?: Record<number, (config: Record<string, unknown>) => Record<string, unknown>>;
  name: string;
  description: string;
  category: NodeCategory;
  /** What the editor's palette and canvas card show beside the name. */
  icon: NodeIconName;
  /** A trigger starts runs; `kind` tells the runtime how (webhook, schedule, manual, …). */
  trigger?: TriggerSpec<z.output<S>>;
  config: S;
  inputs?: Ports<z.output<S>>;
  outputs?: Ports<z.output<S>>;
  credential?: { type: string; required: boolean };
  /** Further credential types the node may use, each picked in its own slot named by the type; see `ctx.credentialOf`. */
  moreCredentials?: readonly string[];
  /** Which part of the config a credential serves, so the editor offers its slot only when that part is chosen. */
  credentialUse?: Readonly<Record<string, CredentialUse>>;
  /**
   * What a new node starts with in the editor, where an empty config would leave a person guessing the shape (an
   * A/B split's two variants). Absent fields keep their schema defaults, so stored configs mean what they meant.
   */
  starter?: Partial<z.input<S>>;
  /** Top-level config fields taken as written, never evaluated as `{{ }}` expressions (source code). */
  literalFields?: readonly string[];
  /**
   * Heavy work (transcoding) declares its queue: in queue mode each step is then a job on that queue, run by the
   * workers that take it with their own concurrency; embedded, it runs in-process as any node. Such a node gets
   * config, input, signal, logger, http, binary storage and progress; it declares no credentials.
   */
  queue?: NodeQueue;
  /**
   * Reads only its input and config (expressions included) and changes nothing outside the run: no requests, no
   * stored state, no messages. A queued run does not store such a step before going on: it is stored with the next
   * step that is not pure, or with the run's end, and a run resumed on another worker runs it again.
   */
  pure?: boolean;
  execute(args: ExecuteArgs<z.output<S>>): Promise<ExecuteResult>;
}

/** A credential slot used by the items of a list field whose `key` is one of `values` (an alert's email channel). */
export interface CredentialUse {
  list: string;
  key: string;
  values: readonly string[];
}

export interface NodeDefinition<Config = unknown> {
  type: string;
  version: number;
  migrations: Record<number, (config: Record<string, unknown>) => Record<string, unknown>>;
  name: string;
  description: string;
  category: NodeCategory;
  icon: NodeIconName;
  trigger?: TriggerSpec<Config>;
  config: z.ZodType<Config>;
  inputsFor(config: Config): string[];
  outputsFor(config: Config): string[];
  dynamicPorts: boolean;
  credential?: { type: string; required: boolean };
  moreCredentials: readonly string[];
  credentialUse: Readonly<Record<string, CredentialUse>>;
  starter: Record<string, unknown>;
  literalFields: readonly string[];
  queue?: NodeQueue;
  pure: boolean;
  execute(args: ExecuteArgs<Config>): Promise<ExecuteResult>;
}

const TYPE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

/**
 * Whether a step of the node may simply run again when a run resumes on another worker: triggers (they pass on what
 * they were given) and pure nodes. A queued run records neither their start nor, until the next step, their end.
 */
export const runsAgainOnResume = (definition: Pick<NodeDefinition, "trigger" | "pure">): boolean => definition.trigger !== undefined || definition.pure;

function portsFn<Config>(ports: Ports<Config> | undefined, fallback: string[]): (config: Config) => string[] {
  if (ports === undefined) return () => fallback;
  if (typeof ports === "function") return ports;
  const fixed = [...ports];
  return () => fixed;
}

/** Declares a node type. The result is what the registry lists and the engine runs. */
export function defineNode<S extends z.ZodType>(spec: NodeSpec<S>): NodeDefinition<z.output<S>> {
  if (!TYPE.test(spec.type)) throw new Error(`Node type "${spec.type}" must be dotted, such as "core.webhook"`);
  if (!Number.isInteger(spec.version) || spec.version < 1) throw new Error(`Node type "${spec.type}" needs a version of 1 or more`);
  for (let v = 1; v < spec.version; v++) {
    if (!spec.migrations?.[v]) throw new Error(`Node type "${spec.type}" has no config migration from version ${v} to ${v + 1}`);
  }
  if (spec.queue && (spec.credential || spec.moreCredentials?.length || spec.trigger)) {
    throw new Error(`Node type "${spec.type}" runs on the ${spec.queue} queue, which opens no credentials and starts no runs; drop its credential or trigger, or its queue`);
  }
  return {
    type: spec.type,
    version: spec.version,
    migrations: spec.migrations ?? {},
    name: spec.name,
    description: spec.description,
    category: spec.category,
    icon: spec.icon,
    trigger: spec.trigger,
    config: spec.config as z.ZodType<z.output<S>>,
    inputsFor: portsFn(spec.inputs, spec.trigger ? [] : ["in"]),
    outputsFor: portsFn(spec.outputs, ["out"]),
    dynamicPorts: typeof spec.inputs === "function" || typeof spec.outputs === "function",
    credential: spec.credential,
    moreCredentials: spec.moreCredentials ?? [],
    credentialUse: spec.credentialUse ?? {},
    starter: (spec.starter ?? {}) as Record<string, unknown>,
    literalFields: spec.literalFields ?? [],
    queue: spec.queue,
    pure: spec.pure === true,
    execute: spec.execute,
  };
}

/** Brings a config saved by an older version of the node type up to the current one. */
export function migrateConfig(definition: NodeDefinition, config: Record<string, unknown>, fromVersion: number): Record<string, unknown> {
  if (fromVersion > definition.version) {
    throw new Error(`"${definition.type}" version ${fromVersion} is newer than this server knows (${definition.version})`);
  }
  let current = config;
  for (let v = fromVersion; v < definition.version; v++) current = definition.migrations[v]!(current);
  return current;
}

/** Splits a config into the fields evaluated as expressions and those taken as written. */
export function splitLiteralFields(definition: NodeDefinition, config: Record<string, unknown>) {
  if (definition.literalFields.length === 0) return { evaluated: config, literal: {} };
  const evaluated: Record<string, unknown> = {};
  const literal: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) (definition.literalFields.includes(key) ? literal : evaluated)[key] = value;
  return { evaluated, literal };
}

/** Zod's issues with a config, one line: `url: Invalid URL; method: …`. */
export function describeConfigIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; ");
}

/** Validates a (resolved) config with the node's schema; a config that does not fit is a config error, in words. */
export function parseNodeConfig<Config>(definition: NodeDefinition<Config>, nodeName: string, value: unknown): Config {
  const parsed = definition.config.safeParse(value);
  if (parsed.success) return parsed.data;
  const words = parsed.error.issues.map((issue) => describeConfigIssue({ schema: definition.config, issue, config: value }).full);
  throw new NodeConfigError(`Node "${nodeName}" is not set up correctly: ${[...new Set(words)].join("; ")}`, {
    details: { issues: parsed.error.issues },
  });
}

/** Normalizes what `execute` returned into items by port. */
export function toPortItems(result: ExecuteResult): PortItems {
  if (result === undefined) return {};
  if (Array.isArray(result)) return { out: result };
  return result;
}

/** A UI hint for the editor's config form, carried into the JSON Schema as `ui`. */
export interface UiHint {
  widget?: "text" | "textarea" | "code" | "select" | "switch" | "keyValue" | "credential" | "json" | "number" | "cron";
  language?: "javascript" | "json";
  placeholder?: string;
  /** The field may hold `{{ … }}` expressions; the editor offers the expression editor and preview. */
  expression?: boolean;
  advanced?: boolean;
  /** How a select's options read, where the value is not already a word ("openai" → "OpenAI"). */
  optionLabels?: Record<string, string>;
}

export function ui(hint: UiHint): { ui: UiHint } {
  return { ui: hint };
}

/** The JSON Schema of a node's config, with `.meta()` titles, descriptions and UI hints kept. */
export function configJsonSchema(definition: NodeDefinition): Record<string, unknown> {
  return z.toJSONSchema(definition.config, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
