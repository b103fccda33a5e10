import { configJsonSchema, describeConfigIssues, type NodeDefinition } from "../../nodes/_kit/define-node";
import { credentialJsonSchema } from "../../nodes/_kit/define-credential";
import { credentialRegistry, nodeRegistry } from "../../nodes/registry";
import type { NodeIconName } from "../../nodes/_core/node-icons";
import { ServiceError } from "./service-error";

export interface CatalogEntry {
  type: string;
  version: number;
  name: string;
  description: string;
  category: string;
  icon: NodeIconName;
  trigger: string | null;
  /** Ports for the default config; `dynamicPorts` says they follow the config (ask `portsFor`). */
  inputs: string[];
  outputs: string[];
  dynamicPorts: boolean;
  credential: { type: string; required: boolean } | null;
  /** Further credential types, each picked in its own slot named by the type. */
  moreCredentials: readonly string[];
  /** Which config a credential slot serves; a slot not named here is always offered. */
  credentialUse: NodeDefinition["credentialUse"];
  /** The config a new node of this type starts with. */
  starter: Record<string, unknown>;
  configSchema: Record<string, unknown>;
}

let cached: CatalogEntry[] | undefined;

/** Ports that follow a config the defaults do not make (switch rules) are left to `portsFor`. */
function portsOrNone(ports: () => string[]): string[] {
  try {
    return ports();
  } catch {
    return [];
  }
}

/** What the editor knows of node types; it never imports node code. */
export function nodeCatalog(): CatalogEntry[] {
  cached ??= [...nodeRegistry.values()].map((definition) => {
    const defaults = definition.config.safeParse({});
    const config = defaults.success ? defaults.data : undefined;
    return {
      type: definition.type,
      version: definition.version,
      name: definition.name,
      description: definition.description,
      category: definition.category,
      icon: definition.icon,
      trigger: definition.trigger?.kind ?? null,
      inputs: portsOrNone(() => definition.inputsFor(config as never)),
      outputs: portsOrNone(() => definition.outputsFor(config as never)),
      dynamicPorts: definition.dynamicPorts,
      credential: definition.credential ?? null,
      moreCredentials: definition.moreCredentials,
      credentialUse: definition.credentialUse,
      starter: definition.starter,
      configSchema: configJsonSchema(definition),
    };
  });
  return cached;
}

export function portsFor({ type, config }: { type: string; config: Record<string, unknown> }) {
  const definition = nodeRegistry.get(type);
  if (!definition) throw new ServiceError({ code: "NOT_FOUND", message: `Unknown node type "${type}"` });
  const parsed = definition.config.safeParse(config);
  if (!parsed.success) {
    throw new ServiceError({
      code: "BAD_REQUEST",
      message: `The config does not fit "${type}": ${describeConfigIssues(parsed.error.issues)}`,
    });
  }
  return { inputs: definition.inputsFor(parsed.data), outputs: definition.outputsFor(parsed.data) };
}

export interface CredentialTypeEntry {
  type: string;
  name: string;
  description: string;
  /** JSON Schema of the fields; secret ones carry `secret: true`. */
  fieldsSchema: Record<string, unknown>;
  testable: boolean;
}

let cachedCredentialTypes: CredentialTypeEntry[] | undefined;

/** What the editor's credential forms are made from. */
export function credentialCatalog(): CredentialTypeEntry[] {
  cachedCredentialTypes ??= [...credentialRegistry.values()].map((definition) => ({
    type: definition.type,
    name: definition.name,
    description: definition.description,
    fieldsSchema: credentialJsonSchema(definition),
    testable: definition.testable,
  }));
  return cachedCredentialTypes;
}
