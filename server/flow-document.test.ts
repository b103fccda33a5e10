import { describe, expect, it } from "vitest";
import { emptyFlowDocument, FLOW_SCHEMA_TAG, parseFlowDocument } from "./flow-document";

const node = (id: string, name = id) => ({ id, type: "core.manual", name, position: { x: 0, y: 0 } });

describe("flow document", () => {
  it("fills defaults for a minimal valid document", () => {
    const result = parseFlowDocument({
      schema: FLOW_SCHEMA_TAG,
      nodes: [node("a"), node("b")],
      edges: [{ id: "e1", source: "a", target: "b" }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document.edges[0]).toMatchObject({ sourcePort: "out", targetPort: "in" });
    expect(result.document.nodes[0]).toMatchObject({ typeVersion: 1, disabled: false, onError: "stop", config: {} });
    expect(result.document.settings).toEqual({ timezone: "UTC", keepRuns: "all" });
  });

  it("names the path of each problem", () => {
    const result = parseFlowDocument({
      schema: FLOW_SCHEMA_TAG,
      nodes: [node("a"), { ...node("b"), position: { x: "left", y: 0 } }, node("a", "again")],
      edges: [{ id: "e1", source: "a", target: "ghost" }],
      settings: { timezone: "Mars/Olympus" },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(["nodes[1].position.x", "nodes[2].id", "edges[0].target", "settings.timezone"]),
    );
    expect(result.issues.find((i) => i.path === "edges[0].target")?.message).toBe('no node with id "ghost"');
  });

  it("refuses an unknown schema tag and a non-dotted node type", () => {
    const result = parseFlowDocument({ schema: "n8n", nodes: [{ ...node("a"), type: "webhook" }] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toEqual(["schema", "nodes[0].type"]);
  });

  it("creates an empty document that parses", () => {
    expect(parseFlowDocument(emptyFlowDocument())).toEqual({ ok: true, document: emptyFlowDocument() });
  });
});
