import type { FlowDocument } from "./flow-document";
import { migrateConfig, type NodeDefinition } from "../_kit/define-node";

/**
 * The document with each node's config brought up to its type's current version, so the editor shows (and saves)
 * what runs: a version-1 webhook's unset Respond reads "Immediately" there, as it answers. Nodes of unknown types,
 * or newer than this server, are left as they are for validation to report.
 */
export function upgradeNodes(document: FlowDocument, registry: ReadonlyMap<string, NodeDefinition>): FlowDocument {
  let changed = false;
  const nodes = document.nodes.map((node) => {
    const definition = registry.get(node.type);
    if (!definition || node.typeVersion >= definition.version) return node;
    try {
      const config = migrateConfig(definition, node.config, node.typeVersion);
      changed = true;
      return { ...node, typeVersion: definition.version, config };
    } catch {
      return node;
    }
  });
  return changed ? { ...document, nodes } : document;
}
