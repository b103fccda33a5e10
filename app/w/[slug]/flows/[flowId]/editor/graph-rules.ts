import type { FlowEdge, FlowNode } from "@/nodes/_core/flow-document";

/** A node's ports as the catalog gives them (for its config, when they follow it). */
export interface NodePorts {
  inputs: string[];
  outputs: string[];
  trigger: boolean;
}

/** Handle ids on the canvas say which side they are on, since an input and an output may share a name. */
export const inputHandle = (port: string) => `i:${port}`;
export const outputHandle = (port: string) => `o:${port}`;

export function parseHandle(handle: string | null | undefined): { side: "input" | "output"; port: string } | null {
  if (!handle) return null;
  if (handle.startsWith("i:")) return { side: "input", port: handle.slice(2) };
  if (handle.startsWith("o:")) return { side: "output", port: handle.slice(2) };
  return null;
}

/** The ports a node has now: an error port is added when its errors go out by one. */
export function outputsOf(node: Pick<FlowNode, "onError">, ports: NodePorts): string[] {
  return node.onError === "errorPort" && !ports.outputs.includes("error") ? [...ports.outputs, "error"] : ports.outputs;
}

export interface Connection {
  source: string;
  sourceHandle?: string | null;
  target: string;
  targetHandle?: string | null;
}

export type ConnectionCheck = { ok: true; edge: Omit<FlowEdge, "id"> } | { ok: false; reason: string };

/** True when `to` can be reached from `from` along the edges. */
export function reaches(edges: ReadonlyArray<Pick<FlowEdge, "source" | "target">>, from: string, to: string): boolean {
  const outgoing = new Map<string, string[]>();
  for (const edge of edges) outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge.target]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(outgoing.get(id) ?? []));
  }
  return false;
}

/**
 * Whether a connection drawn on the canvas may become an edge, and if not, why, in words for the person who drew it:
 * ports that do not exist, output to output or input to input, into a trigger, a duplicate, or a loop.
 */
export function checkConnection({
  nodes,
  edges,
  portsOf,
  connection,
}: {
  nodes: ReadonlyArray<Pick<FlowNode, "id" | "name" | "onError">>;
  edges: ReadonlyArray<Pick<FlowEdge, "source" | "sourcePort" | "target" | "targetPort">>;
  portsOf: (nodeId: string) => NodePorts | undefined;
  connection: Connection;
}): ConnectionCheck {
  const source = nodes.find((n) => n.id === connection.source);
  const target = nodes.find((n) => n.id === connection.target);
  if (!source || !target) return { ok: false, reason: "That node is no longer on the canvas." };
  if (source.id === target.id) return { ok: false, reason: `"${source.name}" cannot connect to itself.` };
  const from = parseHandle(connection.sourceHandle);
  const to = parseHandle(connection.targetHandle);
  if (!from || !to) return { ok: false, reason: "Connect an output port (right side of a node) to an input port (left side)." };
  if (from.side === "output" && to.side === "output") return { ok: false, reason: `Outputs connect to inputs: "${target.name}"'s ${to.port} is an output too.` };
  if (from.side === "input" && to.side === "input") return { ok: false, reason: `Inputs take connections from outputs: "${source.name}"'s ${from.port} is an input too.` };
  const sourcePorts = portsOf(source.id);
  const targetPorts = portsOf(target.id);
  if (!sourcePorts || !targetPorts) return { ok: false, reason: "The node types are still loading; try again in a moment." };
  const outputs = outputsOf(source, sourcePorts);
  if (!outputs.includes(from.port)) {
    return { ok: false, reason: `"${source.name}" has no output "${from.port}" (it has ${outputs.join(", ") || "none"}).` };
  }
  if (targetPorts.trigger || targetPorts.inputs.length === 0) {
    return { ok: false, reason: `"${target.name}" is a trigger: it starts the flow and takes no input.` };
  }
  if (!targetPorts.inputs.includes(to.port)) {
    return { ok: false, reason: `"${target.name}" has no input "${to.port}" (it has ${targetPorts.inputs.join(", ")}).` };
  }
  if (edges.some((e) => e.source === source.id && e.sourcePort === from.port && e.target === target.id && e.targetPort === to.port)) {
    return { ok: false, reason: `"${source.name}" is already connected to "${target.name}" there.` };
  }
  if (reaches(edges, target.id, source.id)) {
    return { ok: false, reason: `Connecting "${source.name}" to "${target.name}" would make a loop: "${target.name}" already leads to "${source.name}". Flows must not loop back on themselves.` };
  }
  return { ok: true, edge: { source: source.id, sourcePort: from.port, target: target.id, targetPort: to.port } };
}
