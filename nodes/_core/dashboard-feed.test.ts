import { describe, expect, it } from "vitest";
import { withPublishNodes } from "./dashboard-feed";
import { asKind, kindChoices, proposeWidgets } from "./dashboard-proposals";
import { parseFlowDocument, type FlowDocument } from "./flow-document";

function flow(): FlowDocument {
  const parsed = parseFlowDocument({
    schema: "streamware.flow/1",
    nodes: [
      { id: "hook", type: "core.webhook", name: "Shop", position: { x: 0, y: 0 }, config: { path: "shop" } },
      { id: "split", type: "ab.split", name: "Split", position: { x: 300, y: 0 }, config: {} },
      { id: "a", type: "core.set", name: "A", position: { x: 600, y: 0 }, config: {} },
      { id: "b", type: "core.set", name: "B", position: { x: 600, y: 200 }, config: {} },
      { id: "p", type: "dashboard.publish", name: "Publish Shop.body.note", position: { x: 300, y: 300 }, config: { series: "Shop.body.note", value: "{{ body.note }}" } },
    ],
    edges: [
      { id: "e1", source: "hook", target: "split" },
      { id: "e2", source: "split", sourcePort: "A", target: "a" },
      { id: "e3", source: "split", sourcePort: "B", target: "b" },
      { id: "e4", source: "hook", target: "p" },
    ],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.document;
}

const proposals = proposeWidgets({
  flowId: "f1",
  samples: [
    { nodeName: "Shop", nodeType: "core.webhook", items: [{ body: { open: 3, note: "Quiet", orders: [{ id: "a", total: 10 }] }, headers: {} }] },
    { nodeName: "Split", nodeType: "ab.split", items: [{ body: { open: 3, note: "Quiet" }, level: 7 }] },
  ],
});

describe("publish nodes a generated dashboard needs", () => {
  it("adds one after the source node for each series not published yet, on every port it sends from", () => {
    const { document, added, missing } = withPublishNodes({ document: flow(), proposals, series: ["Shop.body.open", "Shop.body.note", "Split.level", "elsewhere"] });
    expect(added).toEqual([
      { node: "Publish Shop.body.open", series: "Shop.body.open", after: "Shop" },
      { node: "Publish Split.level", series: "Split.level", after: "Split" },
    ]);
    expect(missing).toEqual([]);
    const open = document.nodes.find((n) => n.name === "Publish Shop.body.open")!;
    expect(open).toMatchObject({ type: "dashboard.publish", config: { series: "Shop.body.open", value: "{{ body.open }}" }, position: { x: 300, y: 0 } });
    expect(document.edges.filter((e) => e.target === open.id).map((e) => [e.source, e.sourcePort])).toEqual([["hook", "out"]]);
    const level = document.nodes.find((n) => n.name === "Publish Split.level")!;
    expect(document.edges.filter((e) => e.target === level.id).map((e) => [e.source, e.sourcePort])).toEqual([
      ["split", "A"],
      ["split", "B"],
    ]);
    expect(parseFlowDocument(document).ok).toBe(true);
  });

  it("names a source node that is gone", () => {
    const document = { ...flow(), nodes: flow().nodes.filter((n) => n.id !== "split"), edges: flow().edges.filter((e) => e.source !== "split" && e.target !== "split") };
    expect(withPublishNodes({ document, proposals, series: ["Split.level"] }).missing).toEqual([{ series: "Split.level", node: "Split" }]);
  });
});

describe("changing a proposal's kind", () => {
  it("offers the kinds of the same series, and lends a bar chart its column", () => {
    const table = proposals.find((p) => p.widget.kind === "table")!.widget;
    expect(kindChoices({ widget: table, proposals })).toEqual(["table", "bar"]);
    expect(asKind({ widget: { ...table, title: "Mine" }, kind: "bar", proposals })).toMatchObject({ kind: "bar", title: "Mine", field: "total", layout: { w: 6, h: 4 } });
    const stat = proposals.find((p) => p.widget.kind === "stat")!.widget;
    expect(kindChoices({ widget: stat, proposals })).toEqual(["stat", "timeseries"]);
    const note = proposals.find((p) => p.widget.kind === "text")!.widget;
    expect(kindChoices({ widget: note, proposals })).toEqual(["text"]);
  });
});
