import { canonicalJson } from "./canonical-json";
import type { FlowDocument, FlowEdge, FlowNode } from "./flow-document";

/**
 * What changed between two flow documents (two versions, or a version and the draft): nodes matched by id, edges
 * by what they connect (an edge drawn again gets a new id but is the same connection), sticky notes by id, and
 * the flow's settings. Pure, so the editor and tests use the same answer.
 */

/** `moved` is a node whose place on the canvas is all that changed. */
export type DiffStatus = "added" | "removed" | "changed" | "moved" | "unchanged";

export interface NodeDiff {
  id: string;
  /** The name in the later document (the earlier one for a removed node). */
  name: string;
  type: string;
  status: DiffStatus;
  /** Where a changed node differs, as paths: `name`, `config.path`, `credentials`, `position`, `pinned data`. */
  changes: string[];
  /** The node as it is in each document; absent on the side it is missing from. */
  before?: FlowNode;
  after?: FlowNode;
}

export interface EdgeDiff {
  /** The edge's id in the later document (the earlier one for a removed edge). */
  id: string;
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
  status: "added" | "removed" | "unchanged";
}

export interface FlowDiff {
  /** The later document's nodes in its order, then the removed ones in the earlier document's order. */
  nodes: NodeDiff[];
  edges: EdgeDiff[];
  notes: { id: string; status: Exclude<DiffStatus, "moved"> }[];
  /** The settings that differ, by name (`timezone`, `errorFlowId`, …). */
  settings: string[];
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** The keys of two records whose values differ, in order. */
function differingKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().filter((key) => !same(a[key], b[key]));
}

/** Node fields compared as a whole; `config` is compared per key. */
const NODE_FIELDS = ["name", "type", "typeVersion", "credentials", "disabled", "retry", "timeoutMs", "onError"] as const;

function nodeChanges({ before, after, beforePins, afterPins }: { before: FlowNode; after: FlowNode; beforePins: unknown; afterPins: unknown }): string[] {
  const changes: string[] = NODE_FIELDS.filter((field) => !same(before[field], after[field]));
  changes.push(...differingKeys(before.config, after.config).map((key) => `config.${key}`));
  if (!same(beforePins, afterPins)) changes.push("pinned data");
  if (!same(before.position, after.position)) changes.push("position");
  return changes;
}

const edgeKey = (edge: FlowEdge) => JSON.stringify([edge.source, edge.sourcePort, edge.target, edge.targetPort]);

function edgeDiff(edge: FlowEdge, status: EdgeDiff["status"]): EdgeDiff {
  return { id: edge.id, source: edge.source, sourcePort: edge.sourcePort, target: edge.target, targetPort: edge.targetPort, status };
}

export function diffFlows(before: FlowDocument, after: FlowDocument): FlowDiff {
  const beforeNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const afterIds = new Set(after.nodes.map((n) => n.id));
  const nodes: NodeDiff[] = after.nodes.map((node) => {
    const old = beforeNodes.get(node.id);
    if (!old) return { id: node.id, name: node.name, type: node.type, status: "added", changes: [], after: node };
    const changes = nodeChanges({ before: old, after: node, beforePins: before.pinData?.[node.id], afterPins: after.pinData?.[node.id] });
    const status: DiffStatus = changes.length === 0 ? "unchanged" : changes.length === 1 && changes[0] === "position" ? "moved" : "changed";
    return { id: node.id, name: node.name, type: node.type, status, changes, before: old, after: node };
  });
  for (const node of before.nodes) {
    if (!afterIds.has(node.id)) nodes.push({ id: node.id, name: node.name, type: node.type, status: "removed", changes: [], before: node });
  }

  const beforeEdges = new Set(before.edges.map(edgeKey));
  const afterEdges = new Set(after.edges.map(edgeKey));
  const edges = [
    ...after.edges.map((edge) => edgeDiff(edge, beforeEdges.has(edgeKey(edge)) ? "unchanged" : "added")),
    ...before.edges.filter((edge) => !afterEdges.has(edgeKey(edge))).map((edge) => edgeDiff(edge, "removed")),
  ];

  const beforeNotes = new Map(before.notes.map((n) => [n.id, n]));
  const afterNoteIds = new Set(after.notes.map((n) => n.id));
  const notes: FlowDiff["notes"] = [
    ...after.notes.map((note) => {
      const old = beforeNotes.get(note.id);
      return { id: note.id, status: !old ? ("added" as const) : same(old, note) ? ("unchanged" as const) : ("changed" as const) };
    }),
    ...before.notes.filter((note) => !afterNoteIds.has(note.id)).map((note) => ({ id: note.id, status: "removed" as const })),
  ];

  return { nodes, edges, notes, settings: differingKeys(before.settings, after.settings) };
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** One line for people: "2 nodes added, 1 removed; 1 connection added", or "No differences". */
export function describeFlowDiff(diff: FlowDiff): string {
  const count = <T extends { status: string }>(list: T[], status: string) => list.filter((item) => item.status === status).length;
  const group = (noun: [string, string], list: { status: string }[], statuses: string[]) => {
    const parts = statuses.map((status) => [status, count(list, status)] as const).filter(([, n]) => n > 0);
    return parts.map(([status, n], i) => (i === 0 ? `${plural(n, noun[0], noun[1])} ${status}` : `${n} ${status}`)).join(", ");
  };
  const parts = [
    group(["node", "nodes"], diff.nodes, ["added", "removed", "changed", "moved"]),
    group(["connection", "connections"], diff.edges, ["added", "removed"]),
    group(["note", "notes"], diff.notes, ["added", "removed", "changed"]),
    diff.settings.length ? `settings changed (${diff.settings.join(", ")})` : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : "No differences";
}
