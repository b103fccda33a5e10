import type { FlowNode } from "@/nodes/_core/flow-document";
import type { CatalogEntry } from "../editor-types";
import { normalizePath } from "./schema-form";

export interface CredentialSlot {
  /** The key in the node's `credentials` map: the credential type. */
  type: string;
  required: boolean;
  /** The node's own credential; the others are further slots (an alert's channels, an LLM's Ollama). */
  main: boolean;
}

/** Every credential a node type may use, the main one first, each picked in its own slot keyed by its type. */
export function credentialSlots(entry: Pick<CatalogEntry, "credential" | "moreCredentials">): CredentialSlot[] {
  const slots: CredentialSlot[] = entry.credential ? [{ type: entry.credential.type, required: entry.credential.required, main: true }] : [];
  for (const type of entry.moreCredentials) {
    if (!slots.some((s) => s.type === type)) slots.push({ type, required: false, main: false });
  }
  return slots;
}

/** The node's credentials with `slot` set to `ref`, or without it when `ref` is undefined; other slots are kept. */
export function withCredential(credentials: FlowNode["credentials"] | undefined, slot: string, ref: { id?: string; name: string } | undefined): FlowNode["credentials"] {
  const rest = Object.fromEntries(Object.entries(credentials ?? {}).filter(([key]) => key !== slot));
  return ref ? { ...rest, [slot]: ref } : rest;
}

/**
 * The messages of the issues about a slot's credential (`credentials.<type>`). Issues about the node's credentials
 * as a whole, or a key no further slot has, go to the main slot (or the first one when there is no main).
 */
export function credentialIssues(issues: readonly { path: string; message: string }[], slots: readonly CredentialSlot[], slot: CredentialSlot): string[] {
  const owner = (path: string): string | undefined => {
    const rest = path.slice("credentials".length).replace(/^\./, "");
    const named = slots.find((s) => rest === s.type || rest.startsWith(`${s.type}.`));
    return (named ?? slots.find((s) => s.main) ?? slots[0])?.type;
  };
  return issues
    .filter((i) => {
      const path = normalizePath(i.path);
      return (path === "credentials" || path.startsWith("credentials.")) && owner(path) === slot.type;
    })
    .map((i) => i.message);
}

/**
 * The slots the config calls for: a slot the node type ties to part of its config (an alert's email channel, an
 * LLM's Ollama provider) shows once that part is chosen, or while a credential is still picked in it, so it can be
 * cleared. `keyDefault` is what an item means when it does not say (an LLM provider is OpenAI unless told).
 */
export function slotsInUse({
  slots,
  entry,
  config,
  credentials,
  keyDefault,
}: {
  slots: readonly CredentialSlot[];
  entry: Pick<CatalogEntry, "credentialUse">;
  config: Record<string, unknown>;
  credentials: FlowNode["credentials"] | undefined;
  keyDefault(list: string, key: string): unknown;
}): CredentialSlot[] {
  return slots.filter((slot) => {
    const use = entry.credentialUse[slot.type];
    if (!use || credentials?.[slot.type]) return true;
    const items = config[use.list];
    if (!Array.isArray(items)) return false;
    return items.some((item) => {
      const value = item && typeof item === "object" ? ((item as Record<string, unknown>)[use.key] ?? keyDefault(use.list, use.key)) : undefined;
      return typeof value === "string" && use.values.includes(value);
    });
  });
}
