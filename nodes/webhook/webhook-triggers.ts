import type { FlowDocument, FlowNode } from "../_core/flow-document";
import { migrateConfig } from "../_kit/define-node";
import { nodeRegistry } from "../registry";
import type { WebhookConfig } from "./webhook.node";

/** The enabled triggers of the webhook kind (the webhook, voice commands), each with its config migrated and parsed. */
export function webhookTriggers(document: FlowDocument): { node: FlowNode; config: WebhookConfig }[] {
  const found: { node: FlowNode; config: WebhookConfig }[] = [];
  for (const node of document.nodes) {
    const definition = nodeRegistry.get(node.type);
    if (definition?.trigger?.kind !== "webhook" || node.disabled) continue;
    found.push({ node, config: definition.config.parse(migrateConfig(definition, node.config, node.typeVersion)) as WebhookConfig });
  }
  return found;
}
