import type { FlowDocument, FlowDocumentIssue } from "../_core/flow-document";
import { migrateConfig, type NodeDefinition } from "../_kit/define-node";
import { respondToWebhookNode } from "../respond-to-webhook/respond-to-webhook.node";
import type { WebhookConfig } from "./webhook.node";

export type RespondMode = Exclude<WebhookConfig["respond"], "auto">;

/** The enabled Respond to webhook nodes the flow reaches from `startId` along its edges. */
export function reachableRespondNodes(document: Pick<FlowDocument, "nodes" | "edges">, startId: string): FlowDocument["nodes"] {
  const seen = new Set<string>([startId]);
  const queue = [startId];
  while (queue.length) {
    const id = queue.shift()!;
    for (const edge of document.edges) {
      if (edge.source === id && !seen.has(edge.target)) {
        seen.add(edge.target);
        queue.push(edge.target);
      }
    }
  }
  return document.nodes.filter((n) => n.type === respondToWebhookNode.type && !n.disabled && seen.has(n.id) && n.id !== startId);
}

/** How a webhook answers: as chosen, or for "auto" through a Respond node the flow reaches, else immediately. */
export function respondMode(document: Pick<FlowDocument, "nodes" | "edges">, webhookNodeId: string, respond: WebhookConfig["respond"]): RespondMode {
  if (respond !== "auto") return respond;
  return reachableRespondNodes(document, webhookNodeId).length > 0 ? "respondNode" : "immediately";
}

const CHOSEN_WORDS: Record<Exclude<RespondMode, "respondNode">, string> = {
  immediately: 'answers at once (Respond is set to "Immediately")',
  lastNode: 'answers with the last node\'s output (Respond is set to "Last node")',
};

/**
 * Warnings, not errors: a Respond to webhook node after a webhook that was told to answer some other way is never
 * heard. Each such Respond node gets one warning saying which webhook ignores it and what to change.
 */
export function ignoredRespondWarnings(document: FlowDocument, registry: ReadonlyMap<string, NodeDefinition>): FlowDocumentIssue[] {
  const warnings: FlowDocumentIssue[] = [];
  for (const webhook of document.nodes) {
    const definition = registry.get(webhook.type);
    if (definition?.trigger?.kind !== "webhook" || webhook.disabled) continue;
    let respond: unknown;
    try {
      const config = migrateConfig(definition, webhook.config, webhook.typeVersion);
      const parsed = definition.config.safeParse(config);
      respond = parsed.success ? (parsed.data as { respond?: unknown }).respond : config.respond;
    } catch {
      continue;
    }
    if (respond !== "immediately" && respond !== "lastNode") continue;
    for (const node of reachableRespondNodes(document, webhook.id)) {
      const index = document.nodes.indexOf(node);
      warnings.push({
        path: `nodes[${index}]`,
        severity: "warning",
        message: `Node "${node.name}" is never heard: webhook "${webhook.name}" ${CHOSEN_WORDS[respond]}. Set the webhook's Respond to "Auto" or "Respond node" so this node answers the request.`,
      });
    }
  }
  return warnings;
}
