import type { FlowDocument, FlowNode } from "../_core/flow-document";
import { nodeRegistry } from "../registry";
import type { WebhookConfig } from "./webhook.node";

/** The enabled triggers of the webhook kind (the webhook, voice commands), each with its parsed config. */
export function webhookTriggers(document: FlowDocument): { node: FlowNode; config: WebhookConfig }[] {
  const found: { node: FlowNode; config: WebhookConfig }[] = [];
  for (const node of document.nodes) {
    const definition = nodeRegistry.get(node.type);
    if (definition?.trigger?.kind !== "webhook" || node.disabled) continue;
    found.push({ node, config: definition.config.parse(node.config) as WebhookConfig });
  }
  return found;
}

/** The paths the webhook-kind nodes of a document (a draft too) declare, enabled or not, unparsed. */
export function declaredWebhookPaths(document: FlowDocument): { node: FlowNode; path: string }[] {
  return document.nodes.flatMap((node) => {
    const path = node.config.path;
    return nodeRegistry.get(node.type)?.trigger?.kind === "webhook" && typeof path === "string" && path !== "" ? [{ node, path }] : [];
  });
}

/**
 * The document with each declared webhook path given a suffix (`orders` → `orders-copy`, then `orders-copy-2`, …)
 * that none of `taken` holds and no other node of the document uses, so a copy of a flow never clashes with its
 * original.
 */
export function withCopiedWebhookPaths({ document, taken }: { document: FlowDocument; taken: ReadonlySet<string> }) {
  const used = new Set(taken);
  const renamed = new Map<string, { nodeId: string; name: string; from: string; to: string }>();
  for (const { node, path } of declaredWebhookPaths(document)) {
    let to = `${path}-copy`;
    for (let n = 2; used.has(to); n++) to = `${path}-copy-${n}`;
    used.add(to);
    renamed.set(node.id, { nodeId: node.id, name: node.name, from: path, to });
  }
  const nodes = document.nodes.map((node) => {
    const change = renamed.get(node.id);
    return change ? { ...node, config: { ...node.config, path: change.to } } : node;
  });
  return { document: { ...document, nodes }, renamed: [...renamed.values()] };
}
