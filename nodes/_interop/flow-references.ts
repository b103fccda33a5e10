import type { FlowDocument } from "../_core/flow-document";

/**
 * An importer's flows refer to each other (an Execute flow node's `flowId`, the settings' `errorFlowId`) by keys of
 * the import; once a flow is stored its key has an id. This gives the document with every key known so far replaced
 * by its flow's id; references to flows not stored yet stay as they are.
 */
export function rebindFlowReferences(document: FlowDocument, idsByKey: ReadonlyMap<string, string>): FlowDocument {
  const idOf = (value: unknown) => (typeof value === "string" ? idsByKey.get(value) : undefined);
  const errorFlowId = idOf(document.settings.errorFlowId);
  return {
    ...document,
    nodes: document.nodes.map((node) => {
      const flowId = node.type === "core.execute-flow" ? idOf(node.config.flowId) : undefined;
      return flowId ? { ...node, config: { ...node.config, flowId } } : node;
    }),
    settings: errorFlowId ? { ...document.settings, errorFlowId } : document.settings,
  };
}

/** The keys of other flows a document refers to. */
export function flowReferences(document: FlowDocument): string[] {
  const keys = document.nodes.filter((n) => n.type === "core.execute-flow" && typeof n.config.flowId === "string").map((n) => n.config.flowId as string);
  if (document.settings.errorFlowId) keys.push(document.settings.errorFlowId);
  return [...new Set(keys)];
}

/**
 * The flows in an order that stores each one after the flows it refers to, where references allow (a cycle keeps
 * the file's order), so that every reference can be rebound as the flows are stored one by one.
 */
export function referencedFirst<F extends { key: string; document: FlowDocument }>(flows: F[]): F[] {
  const byKey = new Map(flows.map((f) => [f.key, f]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const ordered: F[] = [];
  const visit = (flow: F) => {
    if (done.has(flow.key) || visiting.has(flow.key)) return;
    visiting.add(flow.key);
    for (const key of flowReferences(flow.document)) {
      const target = byKey.get(key);
      if (target) visit(target);
    }
    visiting.delete(flow.key);
    done.add(flow.key);
    ordered.push(flow);
  };
  flows.forEach(visit);
  return ordered;
}
