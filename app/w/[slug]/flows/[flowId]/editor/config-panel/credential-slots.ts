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
