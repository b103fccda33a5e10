import type { FlowDocument, FlowEdge } from "@/nodes/_core/flow-document";
import { checkConnection, inputHandle, outputHandle, type NodePorts } from "./graph-rules";

export type NewEdge = Omit<FlowEdge, "id">;

/** What deleting nodes may join up: made at once when it is unambiguous, offered when it is not. */
export interface Reconnection {
  /** Each deleted node that had both a way in and a way out, by name. */
  deleted: string[];
  automatic: NewEdge[];
  offered: NewEdge[];
}

/**
 * The connections that keep a flow whole when nodes in the middle of it are deleted: from what fed each deleted
 * node to what it fed, as deleting B in A → B → C connects A → C. It is unambiguous when the node took its
 * input at one port and passed it on from one port (not an If's true and false); otherwise it is only offered.
 * Every connection obeys the canvas's rules (no duplicate, no loop), checked against the document after deletion.
 */
export function reconnections({ before, after, removed, portsOf }: { before: FlowDocument; after: FlowDocument; removed: ReadonlySet<string>; portsOf: (nodeId: string) => NodePorts | undefined }): Reconnection {
  const result: Reconnection = { deleted: [], automatic: [], offered: [] };
  const edges: Pick<FlowEdge, "source" | "sourcePort" | "target" | "targetPort">[] = [...after.edges];
  for (const node of before.nodes) {
    if (!removed.has(node.id)) continue;
    const into = before.edges.filter((e) => e.target === node.id && !removed.has(e.source));
    const outOf = before.edges.filter((e) => e.source === node.id && !removed.has(e.target) && e.sourcePort !== "error");
    if (into.length === 0 || outOf.length === 0) continue;
    const unambiguous = new Set(into.map((e) => e.targetPort)).size === 1 && new Set(outOf.map((e) => e.sourcePort)).size === 1;
    let joined = false;
    for (const from of into) {
      for (const to of outOf) {
        const check = checkConnection({
          nodes: after.nodes,
          edges,
          portsOf,
          connection: { source: from.source, sourceHandle: outputHandle(from.sourcePort), target: to.target, targetHandle: inputHandle(to.targetPort) },
        });
        if (!check.ok) continue;
        edges.push(check.edge);
        (unambiguous ? result.automatic : result.offered).push(check.edge);
        joined = true;
      }
    }
    if (joined) result.deleted.push(node.name);
  }
  return result;
}
