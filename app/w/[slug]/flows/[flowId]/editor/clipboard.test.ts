import { describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG, flowDocumentSchema, type FlowDocument } from "@/nodes/_core/flow-document";
import { copySelection, pasteInto, readClipboard, uniqueName } from "./clipboard";

const doc: FlowDocument = flowDocumentSchema.parse({
  schema: FLOW_SCHEMA_TAG,
  nodes: [
    { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
    { id: "set", name: "Set", type: "core.set", position: { x: 200, y: 40 }, config: { fields: [{ name: "a", value: 1 }] } },
    { id: "wait", name: "Wait", type: "core.delay", position: { x: 400, y: 80 } },
  ],
  edges: [
    { id: "e1", source: "start", target: "set" },
    { id: "e2", source: "set", target: "wait" },
  ],
  notes: [{ id: "note1", text: "Read me", position: { x: 220, y: -200 } }],
  pinData: { set: [{ json: { a: 1 } }] },
});

let counter = 0;
const makeId = (prefix: string) => `${prefix}_${++counter}`;

describe("copy and paste", () => {
  it("copies the selection with only the edges between selected nodes, as a valid flow document", () => {
    const copied = copySelection(doc, new Set(["set", "wait"]), new Set(["note1"]));
    expect(copied.nodes.map((n) => n.id)).toEqual(["set", "wait"]);
    expect(copied.edges.map((e) => e.id)).toEqual(["e2"]);
    expect(copied.pinData).toEqual({ set: [{ json: { a: 1 } }] });
    expect(readClipboard(JSON.stringify(copied))).toEqual({ ok: true, document: copied });
  });

  it("pastes with new ids, unique names, remapped edges and pins, moved to the point", () => {
    const copied = copySelection(doc, new Set(["set", "wait"]), new Set(["note1"]));
    const { document, nodeIds, noteIds } = pasteInto(doc, copied, { at: { x: 1000, y: 500 }, makeId });
    expect(nodeIds).toHaveLength(2);
    expect(new Set(document.nodes.map((n) => n.id)).size).toBe(5);
    const pasted = document.nodes.filter((n) => nodeIds.includes(n.id));
    expect(pasted.map((n) => n.name)).toEqual(["Set 2", "Wait 2"]);
    // The copied group's top-left corner (the nodes' left, the note's top) lands at the point.
    expect(pasted.map((n) => n.position)).toEqual([{ x: 1000, y: 740 }, { x: 1200, y: 780 }]);
    expect(document.notes.find((n) => n.id === noteIds[0])?.position).toEqual({ x: 1020, y: 500 });
    const newEdge = document.edges.at(-1)!;
    expect(newEdge).toMatchObject({ source: nodeIds[0], target: nodeIds[1], sourcePort: "out", targetPort: "in" });
    expect(newEdge.id).not.toBe("e2");
    expect(document.pinData?.[nodeIds[0]!]).toEqual([{ json: { a: 1 } }]);
    expect(document.pinData?.set).toEqual([{ json: { a: 1 } }]);
    // The result is still a valid document (unique ids and names).
    expect(flowDocumentSchema.safeParse(document).success).toBe(true);
    // Pasting again goes on numbering.
    const again = pasteInto(document, copied, { at: { x: 0, y: 0 }, makeId });
    expect(again.document.nodes.slice(-2).map((n) => n.name)).toEqual(["Set 3", "Wait 3"]);
  });

  it("says why pasted text is not a flow document", () => {
    expect(readClipboard("hello")).toMatchObject({ ok: false, reason: expect.stringMatching(/does not hold a flow/) });
    expect(readClipboard(JSON.stringify({ nodes: [] }))).toMatchObject({ ok: false, reason: expect.stringMatching(/not a flow document: schema: must be "streamware.flow\/1"/) });
    expect(readClipboard(JSON.stringify({ schema: FLOW_SCHEMA_TAG }))).toEqual({ ok: false, reason: "The pasted flow has no nodes or notes." });
  });

  it("numbers names", () => {
    expect(uniqueName("Set", new Set(["Set", "Set 2"]))).toBe("Set 3");
    expect(uniqueName("Set 2", new Set(["Set", "Set 2"]))).toBe("Set 3");
    expect(uniqueName("Fresh", new Set(["Set"]))).toBe("Fresh");
  });
});
