import { describe, expect, it } from "vitest";
import { emptyFlowDocument, FLOW_SCHEMA_TAG, locateIssue, migrateFlowDocument, parseFlowDocument } from "./flow-document";

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

  it("keeps pinned items per node and refuses pins of missing nodes or malformed items", () => {
    const pinned = parseFlowDocument({ schema: FLOW_SCHEMA_TAG, nodes: [node("a")], pinData: { a: [{ json: { n: 1 } }] } });
    expect(pinned.ok && pinned.document.pinData).toEqual({ a: [{ json: { n: 1 } }] });
    const bad = parseFlowDocument({ schema: FLOW_SCHEMA_TAG, nodes: [node("a")], pinData: { a: [{ n: 1 }], ghost: [] } });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["pinData.a[0].json", "pinData.ghost"]));
    expect(bad.issues.find((i) => i.path === "pinData.ghost")?.message).toBe('pinned data for "ghost", which is not a node of this flow');
  });

  it("finds the node and config field an issue is about", () => {
    const doc = { nodes: [node("a"), node("b")], edges: [{ id: "e1", source: "a", target: "b", sourcePort: "out", targetPort: "in" }] };
    expect(locateIssue(doc, "nodes[1].config.fields.0.name")).toEqual({ nodeId: "b", field: "fields.0.name" });
    expect(locateIssue(doc, "nodes[0].credentials")).toEqual({ nodeId: "a", field: null });
    expect(locateIssue(doc, "edges[0].sourcePort")).toEqual({ nodeId: "a", field: null });
    expect(locateIssue(doc, "edges[0].targetPort")).toEqual({ nodeId: "b", field: null });
    expect(locateIssue(doc, "nodes")).toEqual({ nodeId: null, field: null });
  });
});

describe("migrateFlowDocument", () => {
  it("leaves a current document, an unknown tag and a non-document as they are, for the schema to judge", () => {
    const current = { schema: FLOW_SCHEMA_TAG, nodes: [] };
    expect(migrateFlowDocument(current)).toBe(current);
    const future = { schema: "streamware.flow/99" };
    expect(migrateFlowDocument(future)).toBe(future);
    expect(migrateFlowDocument("text")).toBe("text");
    expect(parseFlowDocument({ schema: "streamware.flow/0" })).toMatchObject({ ok: false, issues: [{ path: "schema", message: `must be "${FLOW_SCHEMA_TAG}"` }] });
    expect(parseFlowDocument(future)).toMatchObject({ ok: false, issues: [{ path: "schema", message: expect.stringContaining("from a newer Streamware; this one reads versions up to 1") }] });
  });
});
