import { FLOW_SCHEMA_TAG, parseFlowDocument, type FlowDocument, type FlowEdge, type FlowNode } from "@/nodes/_core/flow-document";

type StickyNote = FlowDocument["notes"][number];

/** A fresh id in the document's id alphabet. */
export function newId(prefix: string): string {
  const random = globalThis.crypto.randomUUID().replace(/-/g, "").slice(0, 12);
  return `${prefix}_${random}`;
}

/** The selected nodes and notes as a flow document of their own, with the edges between them and their pins. */
export function copySelection(document: FlowDocument, nodeIds: ReadonlySet<string>, noteIds: ReadonlySet<string>): FlowDocument {
  const nodes = document.nodes.filter((n) => nodeIds.has(n.id));
  const pinData = Object.fromEntries(Object.entries(document.pinData ?? {}).filter(([id]) => nodeIds.has(id)));
  return {
    schema: FLOW_SCHEMA_TAG,
    nodes,
    edges: document.edges.filter((e) => nodeIds.has(e.source) && nodeIds.has(e.target)),
    notes: document.notes.filter((n) => noteIds.has(n.id)),
    settings: document.settings,
    ...(Object.keys(pinData).length ? { pinData } : {}),
  };
}

export type ClipboardRead = { ok: true; document: FlowDocument } | { ok: false; reason: string };

/** Reads pasted text as a flow document, or says why it is not one. */
export function readClipboard(text: string): ClipboardRead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "The clipboard does not hold a flow: copy nodes in a Streamware editor, or paste a flow document's JSON." };
  }
  const parsed = parseFlowDocument(value);
  if (!parsed.ok) {
    const shown = parsed.issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`);
    const more = parsed.issues.length > 3 ? ` (and ${parsed.issues.length - 3} more)` : "";
    return { ok: false, reason: `The pasted JSON is not a flow document: ${shown.join("; ")}${more}.` };
  }
  if (parsed.document.nodes.length === 0 && parsed.document.notes.length === 0) return { ok: false, reason: "The pasted flow has no nodes or notes." };
  return parsed;
}

/** "Name", "Name 2", "Name 3"… : the first one no other node has. */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  const base = name.replace(/ \d+$/, "");
  for (let n = 2; ; n++) {
    const candidate = `${base} ${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The top-left corner of a document's nodes and notes. */
export function topLeftOf(document: FlowDocument): { x: number; y: number } {
  const positions = [...document.nodes, ...document.notes].map((n) => n.position);
  return { x: Math.min(...positions.map((p) => p.x)), y: Math.min(...positions.map((p) => p.y)) };
}

/**
 * Adds a pasted document to the flow: every node, edge and note gets a new id, names are made unique, edges
 * between pasted nodes follow their nodes, and everything moves so its top-left corner lands at `at`.
 */
export function pasteInto(
  document: FlowDocument,
  pasted: FlowDocument,
  { at, makeId = newId }: { at: { x: number; y: number }; makeId?: (prefix: string) => string },
): { document: FlowDocument; nodeIds: string[]; noteIds: string[] } {
  const corner = topLeftOf(pasted);
  const move = (p: { x: number; y: number }) => ({ x: p.x - corner.x + at.x, y: p.y - corner.y + at.y });
  const ids = new Map<string, string>();
  const taken = new Set(document.nodes.map((n) => n.name));
  const nodes: FlowNode[] = pasted.nodes.map((node) => {
    const id = makeId("n");
    ids.set(node.id, id);
    const name = uniqueName(node.name, taken);
    taken.add(name);
    return { ...node, id, name, position: move(node.position) };
  });
  const edges: FlowEdge[] = pasted.edges
    .filter((e) => ids.has(e.source) && ids.has(e.target))
    .map((e) => ({ ...e, id: makeId("e"), source: ids.get(e.source)!, target: ids.get(e.target)! }));
  const notes: StickyNote[] = pasted.notes.map((note) => ({ ...note, id: makeId("note"), position: move(note.position) }));
  const pins = Object.entries(pasted.pinData ?? {}).filter(([id]) => ids.has(id));
  const pinData = pins.length ? { ...document.pinData, ...Object.fromEntries(pins.map(([id, items]) => [ids.get(id)!, items])) } : document.pinData;
  return {
    document: { ...document, nodes: [...document.nodes, ...nodes], edges: [...document.edges, ...edges], notes: [...document.notes, ...notes], ...(pinData ? { pinData } : {}) },
    nodeIds: nodes.map((n) => n.id),
    noteIds: notes.map((n) => n.id),
  };
}
