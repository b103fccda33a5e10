import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json";
import { describeFlowDiff, diffFlows } from "./flow-diff";
import { FLOW_SCHEMA_TAG, parseFlowDocument, type FlowDocument } from "./flow-document";

function doc(input: object): FlowDocument {
  const parsed = parseFlowDocument({ schema: FLOW_SCHEMA_TAG, ...input });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.document;
}

const hook = { id: "hook", type: "core.webhook", name: "Webhook", position: { x: 0, y: 0 }, config: { path: "orders", respond: "lastNode" } };
const set = { id: "set", type: "core.set", name: "Answer", position: { x: 200, y: 0 }, config: { fields: [{ name: "a", value: 1 }] } };
const wait = { id: "wait", type: "core.delay", name: "Wait", position: { x: 400, y: 0 }, config: { ms: 5 } };

describe("diffFlows", () => {
  it("finds nothing between a document and itself, whatever order its keys are in", () => {
    const a = doc({ nodes: [hook, set], edges: [{ id: "e1", source: "hook", target: "set" }] });
    const b = doc({ edges: [{ target: "set", source: "hook", id: "e1" }], nodes: [{ ...hook, config: { respond: "lastNode", path: "orders" } }, set] });
    const diff = diffFlows(a, b);
    expect(diff.nodes.map((n) => n.status)).toEqual(["unchanged", "unchanged"]);
    expect(diff.edges.map((e) => e.status)).toEqual(["unchanged"]);
    expect(describeFlowDiff(diff)).toBe("No differences");
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it("marks added, removed, changed and moved nodes, naming each change", () => {
    const before = doc({ nodes: [hook, set, wait] });
    const after = doc({
      nodes: [
        { ...hook, position: { x: 40, y: 0 } },
        { ...set, name: "Reply", config: { fields: [{ name: "a", value: 2 }], keepOnlySet: true } },
        { id: "new", type: "core.delay", name: "Later", position: { x: 0, y: 200 }, config: { ms: 1 } },
      ],
    });
    const diff = diffFlows(before, after);
    expect(diff.nodes.map((n) => [n.id, n.status, n.changes])).toEqual([
      ["hook", "moved", ["position"]],
      ["set", "changed", ["name", "config.fields", "config.keepOnlySet"]],
      ["new", "added", []],
      ["wait", "removed", []],
    ]);
    expect(diff.nodes.find((n) => n.id === "wait")?.name).toBe("Wait");
    expect(diff.nodes.find((n) => n.id === "set")).toMatchObject({ name: "Reply", before: { name: "Answer" }, after: { name: "Reply" } });
    expect(describeFlowDiff(diff)).toBe("1 node added, 1 removed, 1 changed, 1 moved");
  });

  it("matches connections by their ends, not their ids", () => {
    const before = doc({ nodes: [hook, set, wait], edges: [{ id: "e1", source: "hook", target: "set" }, { id: "e2", source: "set", target: "wait" }] });
    const after = doc({ nodes: [hook, set, wait], edges: [{ id: "redrawn", source: "hook", target: "set" }, { id: "e3", source: "hook", target: "wait" }] });
    const diff = diffFlows(before, after);
    expect(diff.edges.map((e) => [e.id, e.status])).toEqual([
      ["redrawn", "unchanged"],
      ["e3", "added"],
      ["e2", "removed"],
    ]);
    expect(describeFlowDiff(diff)).toBe("1 connection added, 1 removed");
  });

  it("counts a change of port as a different connection", () => {
    const before = doc({ nodes: [hook, set], edges: [{ id: "e1", source: "hook", target: "set" }] });
    const after = doc({ nodes: [hook, set], edges: [{ id: "e1", source: "hook", sourcePort: "error", target: "set" }] });
    expect(diffFlows(before, after).edges.map((e) => [e.sourcePort, e.status])).toEqual([
      ["error", "added"],
      ["out", "removed"],
    ]);
  });

  it("reports pinned data, notes and settings", () => {
    const before = doc({ nodes: [hook, set], notes: [{ id: "n1", text: "old", position: { x: 0, y: 0 } }, { id: "n2", text: "gone", position: { x: 0, y: 0 } }] });
    const after = doc({
      nodes: [hook, set],
      notes: [{ id: "n1", text: "new", position: { x: 0, y: 0 } }, { id: "n3", text: "added", position: { x: 0, y: 0 } }],
      settings: { timezone: "Europe/Warsaw" },
      pinData: { set: [{ json: { a: 1 } }] },
    });
    const diff = diffFlows(before, after);
    expect(diff.nodes.find((n) => n.id === "set")).toMatchObject({ status: "changed", changes: ["pinned data"] });
    expect(diff.notes).toEqual([
      { id: "n1", status: "changed" },
      { id: "n3", status: "added" },
      { id: "n2", status: "removed" },
    ]);
    expect(diff.settings).toEqual(["timezone"]);
    expect(describeFlowDiff(diff)).toBe("1 node changed; 1 note added, 1 removed, 1 changed; settings changed (timezone)");
  });
});
