import type { NodeDefinition } from "../_kit/define-node";
import type { FlowDocument, FlowDocumentIssue } from "./flow-document";

type Graph = Pick<FlowDocument, "nodes" | "edges">;

/** A loop in the graph: the edge that closes it, and every edge along it in order (the closing one last). */
export interface Loop {
  closing: number;
  edges: number[];
}

/**
 * One loop per group of nodes that lead back to each other (Tarjan's strongly connected components), wherever it
 * is in the flow: also where no trigger reaches it yet, so connecting it later finds no surprise.
 */
export function findLoops({ nodes, edges }: Graph): Loop[] {
  const outgoing = new Map<string, number[]>(nodes.map((n) => [n.id, []]));
  edges.forEach((edge, i) => {
    if (outgoing.has(edge.target)) outgoing.get(edge.source)?.push(i);
  });
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root.id)) continue;
    // Iterative, so a long chain of nodes cannot overflow the call stack.
    const work: { id: string; next: number }[] = [{ id: root.id, next: 0 }];
    index.set(root.id, counter);
    low.set(root.id, counter++);
    stack.push(root.id);
    onStack.add(root.id);
    while (work.length) {
      const frame = work.at(-1)!;
      const out = outgoing.get(frame.id)!;
      if (frame.next < out.length) {
        const target = edges[out[frame.next++]!]!.target;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const group: string[] = [];
        let id: string;
        do {
          id = stack.pop()!;
          onStack.delete(id);
          group.push(id);
        } while (id !== frame.id);
        groups.push(group);
      }
    }
  }
  const loops: Loop[] = [];
  for (const group of groups) {
    const members = new Set(group);
    const inside = edges.flatMap((edge, i) => (members.has(edge.source) && members.has(edge.target) ? [i] : []));
    if (inside.length === 0) continue;
    // The edge that goes back to a node met earlier closes the loop; the way from its target to its source is the rest.
    const closing = inside.find((i) => index.get(edges[i]!.target)! <= index.get(edges[i]!.source)!) ?? inside[0]!;
    const { source, target } = edges[closing]!;
    const cameBy = new Map<string, number>();
    const queue = [target];
    const seen = new Set([target]);
    while (queue.length && !seen.has(source)) {
      const id = queue.shift()!;
      for (const i of inside) {
        const next = edges[i]!.target;
        if (edges[i]!.source !== id || seen.has(next) || i === closing) continue;
        seen.add(next);
        cameBy.set(next, i);
        queue.push(next);
      }
    }
    const way: number[] = [];
    for (let at = source; at !== target && cameBy.has(at); at = edges[cameBy.get(at)!]!.source) way.unshift(cameBy.get(at)!);
    loops.push({ closing, edges: [...way, closing] });
  }
  return loops;
}

/** Each loop as a problem on the edge that closes it, naming the nodes in order and listing every edge of the loop. */
export function loopIssues(document: Graph): FlowDocumentIssue[] {
  const names = new Map(document.nodes.map((n) => [n.id, n.name]));
  return findLoops(document).map((loop) => {
    const first = document.edges[loop.edges[0]!]!;
    const route = [first.source, ...loop.edges.map((i) => document.edges[i]!.target)].map((id) => `"${names.get(id) ?? id}"`).join(" → ");
    return {
      path: `edges[${loop.closing}]`,
      message: `The flow has a cycle through ${route}; flows must not loop back on themselves, so remove one of these connections`,
      edgeIds: loop.edges.map((i) => document.edges[i]!.id),
    };
  });
}

/**
 * Nodes no trigger leads to never run. They are warnings, not errors: the flow still runs without them. A flow
 * without any trigger has one error saying so instead.
 */
export function disconnectedNodeIssues(document: FlowDocument, registry: ReadonlyMap<string, Pick<NodeDefinition, "trigger">>): FlowDocumentIssue[] {
  const triggers = document.nodes.filter((n) => registry.get(n.type)?.trigger && !n.disabled);
  if (triggers.length === 0) return [];
  const reached = new Set<string>();
  const stack = triggers.map((n) => n.id);
  while (stack.length) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const edge of document.edges) if (edge.source === id) stack.push(edge.target);
  }
  return document.nodes.flatMap((node, i) =>
    reached.has(node.id) || node.disabled || registry.get(node.type)?.trigger
      ? []
      : [{ path: `nodes[${i}]`, message: `Node "${node.name}" is not connected to a trigger, so it never runs: connect it, or delete it` }],
  );
}
