import type { FlowDocument, FlowEdge, FlowNode } from "./flow-document";
import type { NodeDefinition } from "../_kit/define-node";
import { NodeConfigError } from "../_kit/errors";

export interface FlowGraph {
  start: string;
  nodes: Map<string, FlowNode>;
  definitions: Map<string, NodeDefinition>;
  /** The nodes reachable from the start, upstream before downstream. */
  order: string[];
  incoming: Map<string, FlowEdge[]>;
  outgoing: Map<string, FlowEdge[]>;
}

/** Which trigger node a run of this kind starts from: the first trigger node whose kind matches, else the first trigger. */
export function findStartNode(document: FlowDocument, registry: ReadonlyMap<string, NodeDefinition>, trigger: string): FlowNode | undefined {
  const triggers = document.nodes.filter((n) => registry.get(n.type)?.trigger && !n.disabled);
  return triggers.find((n) => registry.get(n.type)!.trigger!.kind === trigger) ?? triggers[0];
}

/** Walks the document from its start node; refuses unknown node types and cycles with the names involved. */
export function planGraph(
  document: FlowDocument,
  registry: ReadonlyMap<string, NodeDefinition>,
  options: { startNodeId?: string; trigger: string },
): FlowGraph {
  const nodes = new Map(document.nodes.map((n) => [n.id, n]));
  const start = options.startNodeId ? nodes.get(options.startNodeId) : findStartNode(document, registry, options.trigger);
  if (!start) {
    throw new NodeConfigError(
      options.startNodeId ? `The flow has no node with id "${options.startNodeId}" to start from` : "The flow has no trigger node to start from; add one (manual, webhook, schedule, …)",
    );
  }
  const allOutgoing = new Map<string, FlowEdge[]>();
  for (const edge of document.edges) {
    const list = allOutgoing.get(edge.source) ?? [];
    list.push(edge);
    allOutgoing.set(edge.source, list);
  }
  // Reachable nodes, depth first from the start.
  const reachable = new Set<string>();
  const stack = [start.id];
  while (stack.length) {
    const id = stack.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    for (const edge of allOutgoing.get(id) ?? []) stack.push(edge.target);
  }
  const definitions = new Map<string, NodeDefinition>();
  const incoming = new Map<string, FlowEdge[]>();
  const outgoing = new Map<string, FlowEdge[]>();
  for (const id of reachable) {
    const node = nodes.get(id)!;
    const definition = registry.get(node.type);
    if (!definition) throw new NodeConfigError(`Node "${node.name}" has the unknown type "${node.type}"`);
    definitions.set(id, definition);
    incoming.set(id, []);
    outgoing.set(id, allOutgoing.get(id) ?? []);
  }
  for (const id of reachable) {
    for (const edge of outgoing.get(id)!) {
      // The start node takes no input from edges: it is fed by the trigger.
      if (edge.target !== start.id) incoming.get(edge.target)!.push(edge);
    }
  }
  const order = topologicalOrder(reachable, incoming, outgoing, nodes, start.id);
  return { start: start.id, nodes, definitions, order, incoming, outgoing };
}

function topologicalOrder(
  reachable: Set<string>,
  incoming: Map<string, FlowEdge[]>,
  outgoing: Map<string, FlowEdge[]>,
  nodes: Map<string, FlowNode>,
  start: string,
): string[] {
  const degree = new Map([...reachable].map((id) => [id, incoming.get(id)!.length]));
  const queue = [...reachable].filter((id) => degree.get(id) === 0);
  const order: string[] = [];
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    for (const edge of outgoing.get(id)!) {
      if (edge.target === start) continue;
      const left = degree.get(edge.target)! - 1;
      degree.set(edge.target, left);
      if (left === 0) queue.push(edge.target);
    }
  }
  if (order.length < reachable.size) {
    const stuck = [...reachable].filter((id) => !order.includes(id)).map((id) => `"${nodes.get(id)!.name}"`);
    throw new NodeConfigError(`The flow has a cycle through ${stuck.join(", ")}; flows must not loop back on themselves`);
  }
  return order;
}
