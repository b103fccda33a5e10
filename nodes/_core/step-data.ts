import { allItems, type PortItems } from "../_kit/items";

/**
 * How step input and output (and a run's output) are stored: the items by port, and when they were over the cap,
 * by how much. Items that are stored elsewhere already are stored once, and referred to:
 * - `fromUpstream` (input): the upstream steps' output, along the edges;
 * - `fromTrigger` (input or output): the run's trigger items, stored on the run;
 * - `sameAsInput` (output): the step passed its input on unchanged;
 * - `fromStep` (a run's output): that step's default output.
 */
export interface StoredPorts {
  items: PortItems;
  fromUpstream?: boolean;
  fromTrigger?: boolean;
  sameAsInput?: boolean;
  fromStep?: string;
  truncated?: { originalBytes: number; capBytes: number; keptItems: number; totalItems: number };
}

export interface StoredEdge {
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

/**
 * Steps in the order they ran: by start, and steps that started within the same millisecond (quick ones, stored
 * together) by their place in the flow, upstream first. Timestamps are whole milliseconds, too coarse alone.
 */
export function inRunOrder<T extends { nodeId: string; startedAt: Date }>(steps: T[], edges: Pick<StoredEdge, "source" | "target">[]): T[] {
  // Each node's depth: the longest chain of edges that leads to it (a cycle stops counting where it closes).
  const into = new Map<string, string[]>();
  for (const edge of edges) into.set(edge.target, [...(into.get(edge.target) ?? []), edge.source]);
  const depth = new Map<string, number>();
  const depthOf = (nodeId: string, seen: Set<string>): number => {
    const known = depth.get(nodeId);
    if (known !== undefined) return known;
    if (seen.has(nodeId)) return 0;
    seen.add(nodeId);
    let deepest = 0;
    for (const source of into.get(nodeId) ?? []) deepest = Math.max(deepest, depthOf(source, seen) + 1);
    seen.delete(nodeId);
    depth.set(nodeId, deepest);
    return deepest;
  };
  return [...steps].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || depthOf(a.nodeId, new Set()) - depthOf(b.nodeId, new Set()));
}

const asPorts = (value: unknown): StoredPorts => (value && typeof value === "object" ? (value as StoredPorts) : { items: {} });

/**
 * Puts stored steps' inputs and outputs back together from what each refers to. A chain of steps that pass their
 * items on refers back as far as the flow is long (thousands of nodes), so it is followed with a stack of its own.
 */
export function resolveStoredSteps(steps: { nodeId: string; input: unknown; output: unknown }[], edges: StoredEdge[], runInput: unknown) {
  const byNode = new Map(steps.map((s) => [s.nodeId, s]));
  const trigger = (Array.isArray(runInput) ? runInput : []) as PortItems[string];
  const inputs = new Map<string, PortItems>();
  const outputs = new Map<string, PortItems>();
  const into = new Map<string, StoredEdge[]>();
  for (const edge of edges) {
    if (!byNode.has(edge.source)) continue;
    const list = into.get(edge.target);
    if (list) list.push(edge);
    else into.set(edge.target, [edge]);
  }
  const edgesInto = (nodeId: string) => into.get(nodeId) ?? [];
  const fromUpstream = (nodeId: string) => asPorts(byNode.get(nodeId)?.input).fromUpstream === true;

  /** The node's input from upstream outputs resolved already (one still missing is in a cycle: left out). */
  const assembleInput = (nodeId: string): PortItems => {
    let found = inputs.get(nodeId);
    if (found) return found;
    const stored = asPorts(byNode.get(nodeId)?.input);
    if (stored.fromTrigger) found = { in: trigger };
    else if (stored.fromUpstream) {
      found = {};
      for (const edge of edgesInto(nodeId)) {
        const upstream = outputs.get(edge.source)?.[edge.sourcePort];
        if (upstream?.length) (found[edge.targetPort] ??= []).push(...upstream);
      }
    } else found = stored.items ?? {};
    inputs.set(nodeId, found);
    return found;
  };
  const assembleOutput = (nodeId: string): PortItems => {
    const stored = asPorts(byNode.get(nodeId)?.output);
    if (stored.fromTrigger) return { out: trigger };
    if (stored.sameAsInput) return { out: allItems(assembleInput(nodeId)) };
    return stored.items ?? {};
  };
  /** Only an output that is its input, which came along edges, needs the outputs upstream of it. */
  const needs = (nodeId: string): string[] => {
    const stored = asPorts(byNode.get(nodeId)?.output);
    return !stored.fromTrigger && stored.sameAsInput && fromUpstream(nodeId) ? edgesInto(nodeId).map((edge) => edge.source) : [];
  };
  const outputOf = (nodeId: string): PortItems => {
    const stack = [nodeId];
    const entered = new Set<string>();
    while (stack.length) {
      const id = stack[stack.length - 1]!;
      if (outputs.has(id)) {
        stack.pop();
        continue;
      }
      if (!entered.has(id)) {
        entered.add(id);
        for (const source of needs(id)) if (!outputs.has(source) && !entered.has(source)) stack.push(source);
        continue;
      }
      stack.pop();
      outputs.set(id, assembleOutput(id));
    }
    return outputs.get(nodeId)!;
  };
  const inputOf = (nodeId: string): PortItems => {
    if (!inputs.has(nodeId) && fromUpstream(nodeId)) for (const edge of edgesInto(nodeId)) outputOf(edge.source);
    return assembleInput(nodeId);
  };
  return { inputOf, outputOf };
}

/** True when both lists hold the very same item objects, in order: the node passed its items on unchanged. */
export function sameItems(a: readonly unknown[] | undefined, b: readonly unknown[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Keeps a step's data under the cap for the database and the editor: whole items are kept in port order until the
 * cap is reached, and the record says how large the original was.
 */
export function capPorts(ports: PortItems, capBytes: number): { stored: StoredPorts; truncated: boolean; json: string } {
  const json = JSON.stringify(ports);
  if (json.length <= capBytes) return { stored: { items: ports }, truncated: false, json };
  const kept: PortItems = {};
  let used = 2;
  let keptItems = 0;
  let totalItems = 0;
  for (const [port, items] of Object.entries(ports)) {
    kept[port] = [];
    totalItems += items.length;
    for (const item of items) {
      const size = JSON.stringify(item).length + 1;
      if (used + size > capBytes) continue;
      used += size;
      kept[port].push(item);
      keptItems++;
    }
  }
  return { stored: { items: kept, truncated: { originalBytes: json.length, capBytes, keptItems, totalItems } }, truncated: true, json };
}
